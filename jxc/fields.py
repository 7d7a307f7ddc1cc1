"""Form fields shared by every app."""

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from jxc.widgets import DateInput

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


class BusinessDateField(forms.DateField):
    """A document date between 2000 and 2100, with the browser's date picker."""

    widget = DateInput
    default_error_messages = {"out_of_range": _("Choose a date between 2000 and 2100.")}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        message = self.error_messages["out_of_range"]
        self.validators += [
            MinValueValidator(FIRST_DAY, message=message),
            MaxValueValidator(LAST_DAY, message=message),
        ]

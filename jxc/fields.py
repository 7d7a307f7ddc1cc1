"""Form fields shared by every app."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
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


RECORD_ID = re.compile(r"[0-9]{1,12}")


class RecordsField(forms.ModelMultipleChoiceField):
    """Several records chosen by id. An id no table holds (10^20, "²", "-1") is
    an invalid choice: Django would send it to the database, where SQLite cannot
    hold it as an integer."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            for pk in value:
                if not RECORD_ID.fullmatch(str(pk)):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)

"""Forms every app shares, and the input rules every form of the shop applies."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from jxc.inputs import OUT_OF_DATE, refuse_control_characters


class InputRulesMixin:
    """Mixed into every form of the shop, before Django's form class.

    - Text fields refuse control characters with one clear message (instead of
      Django's NUL-only check, or a database error further on).
    - A hidden field (a submission token, a version) that comes back missing or
      garbled is shown as a message on the form: its own error has nowhere to show.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators = [
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator)
                ] + [refuse_control_characters]

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        if any(self[name].is_hidden for name in self._errors if name in self.fields):
            self.add_error(None, OUT_OF_DATE)


class ReasonForm(InputRulesMixin, forms.Form):
    """Why a document is cancelled, closed or abandoned (required, at most 200)."""

    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=200)

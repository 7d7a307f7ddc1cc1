"""Forms every app shares."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    """Why a document is cancelled, closed or abandoned (required, at most 200)."""

    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=200)

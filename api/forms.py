from __future__ import annotations

import uuid

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from api.models import ApiKey, DeliveryStatus, Scope
from catalog.models import Shop
from jxc.forms import InputRulesMixin


class ApiKeyForm(InputRulesMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who uses it, e.g. “online store” or “accountant”."),
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)
    shop = forms.ModelChoiceField(
        label=_("Shop"),
        queryset=Shop.objects.filter(is_active=True),
        required=False,
        empty_label=_("All shops"),
        help_text=_(
            "Optional: the key then reads stock and documents of this shop's "
            "warehouses only, and creates sales orders only in them."
        ),
    )
    webhook_url = forms.URLField(
        label=_("Webhook URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_(
            "Optional: where stock changes and posted documents are sent "
            "(signed with the webhook secret shown once the key is made)."
        ),
    )
    submission = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True


class DeliveryFilterForm(forms.Form):
    key = forms.ModelChoiceField(
        label=_("API key"),
        queryset=ApiKey.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All"))] + list(DeliveryStatus.choices),
        required=False,
    )

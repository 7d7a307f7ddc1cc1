"""Sales forms: validation and layout; the services write."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.fields import PartyField
from catalog.models import Customer, Warehouse
from inventory.forms import (
    DATE_HELP,
    LineFormSet,
    ProductLineForm,
    SubmissionForm,
    dated,
)
from jxc.fields import BusinessDateField, money_field
from jxc.forms import InputRulesMixin
from sales.models import SalesSettings


def _active_warehouses():
    return Warehouse.objects.filter(is_active=True)


class OrderHeaderForm(SubmissionForm):
    # The version of the draft when the form opened: a save from an older tab is
    # refused instead of overwriting someone else's changes.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    customer = PartyField(model=Customer, label=_("Customer"))
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=_active_warehouses(), empty_label=None
    )
    order_date = BusinessDateField(
        label=_("Order date"), initial=timezone.localdate, help_text=DATE_HELP
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        walk_in = Customer.objects.filter(code="RETAIL").first()
        if walk_in and not self.initial.get("customer"):
            self.initial["customer"] = walk_in

    def clean_order_date(self):
        return dated(self, "order_date", self.initial.get("order_date"))


class SaleLineForm(ProductLineForm):
    unit_price = money_field(
        label=_("Unit price"), required=False, help_text=_("Empty: the sale price.")
    )
    discount = forms.DecimalField(
        label=_("Discount (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        validators=[MaxValueValidator(100)],
        widget=forms.NumberInput(
            attrs={"step": "0.01", "inputmode": "decimal", "class": "line-discount"}
        ),
    )


SaleLineFormSet = forms.formset_factory(
    SaleLineForm, formset=LineFormSet, extra=3, max_num=300, validate_max=True
)


class ShipmentForm(SubmissionForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"ship_{line.pk}"] = forms.DecimalField(
                label=line.product.name,
                required=False,
                max_digits=14,
                decimal_places=3,
                min_value=0,
                # What can go now: its reservation plus free stock, at most what
                # is left to ship.
                initial=format(
                    min(
                        line.remaining, line.reserved_quantity + max(line.available, 0)
                    ).normalize(),
                    "f",
                ),
                widget=forms.NumberInput(
                    attrs={
                        "step": "any",
                        "inputmode": "decimal",
                        "class": "form-control num",
                    }
                ),
            )

    def quantities(self) -> dict:
        return {
            line.pk: self.cleaned_data[f"ship_{line.pk}"]
            for line in self.lines
            if self.cleaned_data.get(f"ship_{line.pk}")
        }

    def rows(self):
        return [(line, self[f"ship_{line.pk}"]) for line in self.lines]


class ReturnForm(SubmissionForm):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"return_{line.pk}"] = forms.DecimalField(
                label=line.product.name,
                required=False,
                max_digits=14,
                decimal_places=3,
                min_value=0,
                widget=forms.NumberInput(
                    attrs={
                        "step": "any",
                        "inputmode": "decimal",
                        "class": "form-control num",
                    }
                ),
            )

    def quantities(self) -> dict:
        return {
            line.pk: self.cleaned_data[f"return_{line.pk}"]
            for line in self.lines
            if self.cleaned_data.get(f"return_{line.pk}")
        }

    def rows(self):
        return [(line, self[f"return_{line.pk}"]) for line in self.lines]


class RetailHeaderForm(SubmissionForm):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=_active_warehouses(), empty_label=None
    )
    amount_received = money_field(
        label=_("Amount received"), attrs={"id": "amount-received"}
    )


class SettingsForm(InputRulesMixin, forms.ModelForm):
    class Meta:
        model = SalesSettings
        fields = ["reservation_expiry_days"]

"""Sales forms: validation and layout; the services write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.fields import PartyField
from catalog.models import Customer, Warehouse
from catalog.shops import limit_warehouse_fields
from finance.forms import PaidNowMixin
from inventory.forms import (
    DATE_HELP,
    LineFormSet,
    ProductLineForm,
    SubmissionForm,
    dated,
)
from jxc.fields import BusinessDateField, money_field
from jxc.forms import InputRulesMixin
from jxc.lines import LineQuantitiesForm
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
        limit_warehouse_fields(self, user)
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


class ShipmentForm(PaidNowMixin, LineQuantitiesForm, SubmissionForm):
    field_prefix = "ship"
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    base_unit_too = True

    @staticmethod
    def can_go(line) -> Decimal:
        # What can go now: its reservation plus free stock, at most what is left
        # to ship.
        return min(line.remaining, line.reserved_quantity + max(line.available, 0))

    def line_initial(self, line):
        return self.in_line_unit(line, self.can_go(line))

    def line_base_initial(self, line):
        # What is no whole number of 箱 (29 瓶 of 箱 24: 1 箱 + 5 瓶).
        return self.rest_in_base(line, self.can_go(line))


class ReturnForm(LineQuantitiesForm, SubmissionForm):
    field_prefix = "return"
    base_unit_too = True
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class RetailHeaderForm(SubmissionForm):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=_active_warehouses(), empty_label=None
    )
    amount_received = money_field(
        label=_("Amount received"), attrs={"id": "amount-received"}
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        limit_warehouse_fields(self, user)


class SettingsForm(InputRulesMixin, forms.ModelForm):
    class Meta:
        model = SalesSettings
        fields = ["reservation_expiry_days", "staff_discount_limit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Empty keeps the limit as it is (a page from before the field existed).
        self.fields["staff_discount_limit"].required = False

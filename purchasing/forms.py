"""Purchasing forms: validation and layout; the services write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.fields import PartyField
from catalog.models import Supplier, Warehouse
from catalog.shops import limit_warehouse_fields
from finance.forms import PaidNowMixin
from inventory.forms import (
    DATE_HELP,
    LineFormSet,
    ProductLineForm,
    SubmissionForm,
    dated,
)
from jxc.fields import BusinessDateField, money_field, quantity_field
from jxc.forms import InputRulesMixin
from purchasing.models import PurchasingSettings


class OrderHeaderForm(SubmissionForm):
    # The version of the draft when the form opened (see PurchaseOrder.version).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    supplier = PartyField(model=Supplier, label=_("Supplier"))
    warehouse = forms.ModelChoiceField(
        label=_("Receiving warehouse"),
        queryset=Warehouse.objects.filter(is_active=True),
        empty_label=None,
    )
    order_date = BusinessDateField(
        label=_("Order date"), initial=timezone.localdate, help_text=DATE_HELP
    )
    expected_date = BusinessDateField(
        label=_("Expected date"),
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        limit_warehouse_fields(self, user)

    def clean_order_date(self):
        return dated(self, "order_date", self.initial.get("order_date"))

    def clean(self):
        data = super().clean()
        start, end = data.get("order_date"), data.get("expected_date")
        if start and end and end < start:
            self.add_error(
                "expected_date", _("The expected date is before the order date.")
            )
        return data


class OrderLineForm(ProductLineForm):
    unit_price = money_field(
        label=_("Unit price"),
        required=False,
        help_text=_("Empty: the last price paid."),
    )


OrderLineFormSet = forms.formset_factory(
    OrderLineForm, formset=LineFormSet, extra=3, max_num=300, validate_max=True
)


class ReceiptHeaderForm(PaidNowMixin, SubmissionForm):
    supplier = PartyField(model=Supplier, label=_("Supplier"))
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.filter(is_active=True),
        empty_label=None,
    )
    date = BusinessDateField(
        label=_("Date"), initial=timezone.localdate, help_text=DATE_HELP
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, order=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # 本次付款: only who pays suppliers sees it.
        if user is None or not user.has_perm("finance.pay_supplier"):
            del self.fields["paid"], self.fields["paid_account"]
        if order is not None:
            # Supplier and warehouse come from the order.
            del self.fields["supplier"]
            del self.fields["warehouse"]
        limit_warehouse_fields(self, user)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Goods cannot be received in the future."))
        return dated(self, "date")


class ReceiptLineForm(ProductLineForm):
    quantity = quantity_field(label=_("Accepted"), required=False)
    rejected_quantity = quantity_field(label=_("Rejected"), required=False)
    reject_reason = forms.CharField(
        label=_("Reject reason"), max_length=200, required=False
    )
    unit_cost = money_field(
        label=_("Unit cost"),
        required=False,
        help_text=_("Empty: the order's price or the last price paid."),
    )

    unit_quantities = ("quantity", "rejected_quantity")

    def needs_quantity(self) -> bool:
        return False  # all of it may have been rejected

    def clean(self):
        data = super().clean()
        if data.get("product") and not (
            data.get("quantity") or data.get("rejected_quantity")
        ):
            self.add_error(
                "quantity", _("Enter the accepted or the rejected quantity.")
            )
        if data.get("rejected_quantity") and not data.get("reject_reason", "").strip():
            self.add_error("reject_reason", _("Say why the goods were rejected."))
        return data


class ReceiptLineNoCostForm(ReceiptLineForm):
    """For staff receiving against an order: the cost is the order's price."""

    unit_cost = None


ReceiptLineFormSet = forms.formset_factory(
    ReceiptLineForm, formset=LineFormSet, extra=2, max_num=300, validate_max=True
)
ReceiptLineNoCostFormSet = forms.formset_factory(
    ReceiptLineNoCostForm, formset=LineFormSet, extra=0, max_num=300, validate_max=True
)


class ReturnHeaderForm(ReceiptHeaderForm):
    def __init__(self, *args, receipt=None, **kwargs):
        super().__init__(*args, order=receipt, **kwargs)


ReturnLineFormSet = forms.formset_factory(
    ProductLineForm, formset=LineFormSet, extra=2, max_num=300, validate_max=True
)


class SettingsForm(InputRulesMixin, forms.ModelForm):
    class Meta:
        model = PurchasingSettings
        fields = ["over_receipt_percent", "price_band_factor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_band_factor"].required = False  # empty: unchanged

    def clean_price_band_factor(self):
        factor = self.cleaned_data["price_band_factor"]
        if factor is not None and not (factor == 0 or 1 < factor <= 100):
            raise forms.ValidationError(
                _("Enter 0 (no check) or a factor above 1, at most 100.")
            )
        return factor

"""Counter forms: what the scan box, a line, the customer and the payment area
send. Validation only; the services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.fields import PartyField
from catalog.models import Customer, Warehouse
from counter.services import PaymentEntry
from inventory.forms import SubmissionForm
from jxc.fields import money_field, quantity_field
from jxc.forms import InputRulesMixin
from sales.models import PaymentMethod


class ScanForm(InputRulesMixin, forms.Form):
    code = forms.CharField(label=_("Scan or search"), max_length=100)


class LineForm(InputRulesMixin, forms.Form):
    """One line's change: its quantity, its unit price, or a step (+1 / −1)."""

    product = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    quantity = quantity_field(label=_("Quantity"), required=False)
    price = money_field(label=_("Unit price"), required=False)
    step = forms.TypedChoiceField(
        choices=[("1", "+"), ("-1", "−")], coerce=int, required=False, empty_value=None
    )


class WarehouseForm(InputRulesMixin, forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.filter(is_active=True),
        empty_label=None,
    )


class CustomerForm(InputRulesMixin, forms.Form):
    customer = PartyField(model=Customer, label=_("Customer"), required=False)


def _amount(method):
    return money_field(
        label=PaymentMethod(method).label,
        required=False,
        attrs={
            "class": "form-control form-control-lg num pay-amount",
            "data-method": method,
            "autocomplete": "off",
        },
    )


class PaymentForm(SubmissionForm):
    """The payment area: the cash received, and what each other method pays."""

    cash = money_field(
        label=_("Cash received"),
        required=False,
        attrs={
            "class": "form-control form-control-lg num pay-amount",
            "data-method": "cash",
            "autocomplete": "off",
        },
    )
    wechat = _amount(PaymentMethod.WECHAT)
    alipay = _amount(PaymentMethod.ALIPAY)
    card = _amount(PaymentMethod.CARD)
    account = _amount(PaymentMethod.ACCOUNT)

    OTHERS = (
        PaymentMethod.WECHAT,
        PaymentMethod.ALIPAY,
        PaymentMethod.CARD,
        PaymentMethod.ACCOUNT,
    )

    def entry(self) -> PaymentEntry:
        data = self.cleaned_data
        return PaymentEntry(
            amounts={method: data.get(method) for method in self.OTHERS},
            cash_received=data.get("cash"),
        )

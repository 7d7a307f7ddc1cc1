"""Counter forms: what the scan box, a line, the customer and the payment area
send. Validation only; the services write."""

from __future__ import annotations

import uuid
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from catalog.fields import PartyField, PickerInput
from catalog.models import Customer, Product, Warehouse
from counter.models import CounterSettings
from counter.scale import plu_digits
from counter.services import PaymentEntry
from inventory.forms import SubmissionForm
from jxc.fields import BusinessDateField, money_field, quantity_field
from jxc.forms import InputRulesMixin
from jxc.lines import LineQuantitiesForm
from sales.models import PaymentMethod


class ScanForm(InputRulesMixin, forms.Form):
    code = forms.CharField(label=_("Scan or search"), max_length=100)


class LineForm(InputRulesMixin, forms.Form):
    """One line's change: its quantity, its unit price, or a step (+1 / −1)."""

    product = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    # The line's package unit (a product may be on a line in 箱 and one in 瓶).
    unit = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
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
    customer = PartyField(
        model=Customer,
        label=_("Customer"),
        required=False,
        widget=PickerInput(Customer, attrs={"class": "form-control"}),
    )


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


# --- shift close, slip, settings and returns (c2) ------------------------------------
# The counter's forms: settings, the shift's float, paid out and close, returns.
def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _cash(label, **attrs) -> forms.DecimalField:
    return money_field(
        label=label,
        attrs={"class": "form-control num", "inputmode": "decimal", **attrs},
    )


class SubmissionForm(InputRulesMixin, forms.Form):
    """Carries a token made when the form is shown; submitting it twice posts once."""

    submission = forms.UUIDField(
        widget=forms.HiddenInput, initial=uuid.uuid4, required=False
    )


class CounterSettingsForm(InputRulesMixin, forms.ModelForm):
    class Meta:
        model = CounterSettings
        fields = ["auto_print", "scale_prefix", "scale_layout", "opening_float"]
        widgets = {
            "scale_prefix": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "size": 3}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opening_float"].widget.attrs.update(
            {"min": "0", "inputmode": "decimal", "step": "0.01"}
        )
        self.helper = _helper()

    def clean_scale_prefix(self):
        prefix = (self.cleaned_data["scale_prefix"] or "").strip()
        if not (prefix.isascii() and prefix.isdigit() and 1 <= len(prefix) <= 2):
            raise forms.ValidationError(_("The prefix is 1 or 2 digits, e.g. 2 or 21."))
        digits = plu_digits(prefix)
        too_long = (
            Product.objects.exclude(plu="")
            .filter(plu__regex=rf"^[0-9]{{{digits + 1},}}$")
            .order_by("sku")
            .first()
        )
        if too_long is not None:
            raise forms.ValidationError(
                _(
                    "With a %(length)d-digit prefix a label holds a PLU of at most "
                    "%(digits)d digits, but “%(name)s” (%(sku)s) has the PLU "
                    "%(plu)s. Give it a shorter PLU first."
                ),
                params={
                    "length": len(prefix),
                    "digits": digits,
                    "name": too_long.name,
                    "sku": too_long.sku,
                    "plu": too_long.plu,
                },
            )
        return prefix


class FloatForm(InputRulesMixin, forms.Form):
    opening_float = _cash(_("Opening cash float"))


class PaidOutForm(SubmissionForm):
    amount = _cash(_("Cash paid out"))
    note = forms.CharField(label=_("What for"), max_length=100)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("Enter an amount greater than zero."))
        return amount


class CloseForm(InputRulesMixin, forms.Form):
    counted_cash = _cash(_("Cash counted in the drawer"), autocomplete="off")
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class NumberForm(InputRulesMixin, forms.Form):
    number = forms.CharField(
        label=_("Slip number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "placeholder": _("Scan the slip's barcode or type SO-…"),
                "class": "form-control form-control-lg",
            }
        ),
    )


class CounterReturnForm(LineQuantitiesForm, SubmissionForm):
    """A quantity per line of the sale, a reason, and the refund per method (all
    empty: refunded automatically, counter.services.REFUND_ORDER)."""

    field_prefix = "return"
    base_unit_too = True
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, methods: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = methods
        for method in methods:
            self.fields[f"refund_{method}"] = money_field(
                label=PaymentMethod(method).label,
                required=False,
                attrs={"class": "form-control num", "inputmode": "decimal"},
            )

    def refunds(self) -> dict[str, Decimal]:
        return {
            method: self.cleaned_data[f"refund_{method}"]
            for method in self.methods
            if self.cleaned_data.get(f"refund_{method}")
        }

    def refund_fields(self):
        return [self[f"refund_{method}"] for method in self.methods]


class ReopenForm(InputRulesMixin, forms.Form):
    """重新开班: why the owner reopens a closed shift."""

    reason = forms.CharField(label=_("Reason"), max_length=200)


class ShiftFilterForm(InputRulesMixin, forms.Form):
    """The shifts list's filters: a day, and (for the owner) a clerk."""

    day = BusinessDateField(label=_("Day"), required=False)
    clerk = forms.ModelChoiceField(
        label=_("Clerk"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("All clerks"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.has_perm("counter.view_all_shifts"):
            self.fields["clerk"].queryset = get_user_model().objects.order_by(
                "username"
            )
        else:
            del self.fields["clerk"]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ModelChoiceField) else ""
            field.widget.attrs.setdefault("class", css or "form-control")

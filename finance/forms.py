"""Finance forms: validation and layout; the services write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.fields import PartyField
from catalog.models import Customer, Supplier
from finance.models import Account
from inventory.forms import DATE_HELP, SubmissionForm, dated
from jxc.fields import BusinessDateField, money_field


def _accounts():
    return Account.objects.filter(is_active=True).order_by("id")


class PaidNowMixin(forms.Form):
    """本次收款 / 本次付款: money paid as the document posts, and into (out of)
    which account."""

    paid = money_field(label=_("Paid now"), required=False, attrs={"class": "paid-now"})
    paid_account = forms.ModelChoiceField(
        label=_("Account"),
        queryset=_accounts(),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("paid") and not data.get("paid_account"):
            self.add_error(
                "paid_account", _("Choose the account the money is paid from or into.")
            )
        return data

    def payments(self) -> list:
        paid = self.cleaned_data.get("paid")
        if not paid:
            return []
        return [(self.cleaned_data["paid_account"].pk, paid)]


class PaymentForm(SubmissionForm):
    """收款单 / 付款单: the partner, the account, how much, when; the allocations
    are the ``pay_<item id>`` fields the view adds for the partner's open
    documents (all empty: the oldest first)."""

    account = forms.ModelChoiceField(
        label=_("Account"), queryset=_accounts(), empty_label=None
    )
    amount = money_field(label=_("Amount"), attrs={"class": "payment-amount"})
    date = BusinessDateField(
        label=_("Date"), initial=timezone.localdate, help_text=DATE_HELP
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, collection: bool, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.collection = collection
        model = Customer if collection else Supplier
        self.fields["partner"] = PartyField(
            model=model, label=model._meta.verbose_name.capitalize()
        )
        self.order_fields(["partner", "account", "amount", "date", "note"])
        self.items = list(items)
        for row in self.items:
            self.fields[f"pay_{row.item.pk}"] = money_field(
                label=row.item.source_number,
                required=False,
                attrs={"class": "allocation", "data-open": f"{row.open_amount}"},
            )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be greater than zero."))
        return amount

    def clean_date(self):
        day = dated(self, "date")
        if day > timezone.localdate():
            raise forms.ValidationError(_("A payment cannot be dated in the future."))
        return day

    def allocations(self) -> dict[int, object] | None:
        """Item id → amount typed; None when none was typed (oldest first)."""
        chosen = {
            row.item.pk: self.cleaned_data[f"pay_{row.item.pk}"]
            for row in self.items
            if self.cleaned_data.get(f"pay_{row.item.pk}")
        }
        return chosen or None


class PartnerPickForm(forms.Form):
    """Which partner the payment form opens for (GET)."""

    def __init__(self, *args, collection: bool, **kwargs):
        super().__init__(*args, **kwargs)
        model = Customer if collection else Supplier
        self.fields["partner"] = PartyField(
            model=model, label=model._meta.verbose_name.capitalize(), required=False
        )


class CreditLimitForm(forms.Form):
    credit_limit = money_field(
        label=_("Credit limit"),
        required=False,
        attrs={"class": "credit-limit"},
        help_text=_("Empty: no limit. 0: nothing on account."),
    )

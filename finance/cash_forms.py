"""Forms of the cash book and the money reports: validation and layout; the
services in finance.cashbook write."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.fields import PartyField
from catalog.models import Customer, Supplier
from finance.models import Account, AccountKind, CashCategory, CashDirection
from inventory.forms import DATE_HELP, SubmissionForm, dated
from jxc.fields import FIRST_DAY, LAST_DAY, BusinessDateField, money_field
from jxc.formatting import money as yuan
from jxc.forms import InputRulesMixin


def _active_accounts():
    return Account.objects.filter(is_active=True).order_by("id")


class AccountForm(InputRulesMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), choices=AccountKind.choices)
    allow_overdraft = forms.BooleanField(
        label=_("May go below zero"),
        required=False,
        help_text=_("Only for an account with credit, such as a bank overdraft."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the account a name."))
        taken = Account.objects.filter(name=name)
        if self.account is not None:
            taken = taken.exclude(pk=self.account.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("There is already an account “%(name)s”.") % {"name": name}
            )
        return name


def _not_future(form, field: str) -> date:
    day = dated(form, field)
    if day > timezone.localdate():
        raise forms.ValidationError(_("Money cannot be recorded for a future day."))
    return day


class AccountChoiceField(forms.ModelChoiceField):
    """An account with what it holds now: 现金 · ¥1,234.50."""

    def label_from_instance(self, obj):
        return f"{obj.name} · {yuan(obj.balance)}"


class TransferForm(SubmissionForm):
    from_account = AccountChoiceField(
        label=_("From account"), queryset=_active_accounts(), empty_label=None
    )
    to_account = AccountChoiceField(
        label=_("To account"), queryset=_active_accounts(), empty_label=None
    )
    amount = money_field(label=_("Amount"), attrs={"class": "transfer-amount"})
    date = BusinessDateField(
        label=_("Date"), initial=timezone.localdate, help_text=DATE_HELP
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        accounts = list(_active_accounts()[:2])
        if len(accounts) == 2 and not self.is_bound:
            self.initial.setdefault("to_account", accounts[1].pk)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be greater than zero."))
        return amount

    def clean_date(self):
        return _not_future(self, "date")

    def clean(self):
        data = super().clean()
        source, target = data.get("from_account"), data.get("to_account")
        if source is not None and source == target:
            self.add_error("to_account", _("Choose two different accounts."))
        return data


class CategoryForm(InputRulesMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    direction = forms.ChoiceField(
        label=_("Income or expense"), choices=CashDirection.choices
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class CashEntryForm(SubmissionForm):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=CashCategory.objects.filter(is_active=True).order_by(
            "direction", "name"
        ),
        empty_label=None,
    )
    account = AccountChoiceField(
        label=_("Account"), queryset=_active_accounts(), empty_label=None
    )
    amount = money_field(label=_("Amount"), attrs={"class": "cash-amount"})
    date = BusinessDateField(
        label=_("Date"), initial=timezone.localdate, help_text=DATE_HELP
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, direction: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].queryset = CashCategory.objects.filter(
            is_active=True, direction=direction
        ).order_by("name")

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be greater than zero."))
        return amount

    def clean_date(self):
        return _not_future(self, "date")


class PeriodForm(InputRulesMixin, forms.Form):
    """A period of local dates (both ends included): this month when not given."""

    start = BusinessDateField(label=_("From"), required=False)
    end = BusinessDateField(label=_("To"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if not data.get("end"):
            data["end"] = today
        if not data.get("start"):
            data["start"] = data["end"].replace(day=1)
        if data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return data

    def period(self) -> tuple[date, date]:
        """(start, end), both included; this month on a bad or empty form."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        today = timezone.localdate()
        return today.replace(day=1), today


class CashFilterForm(PeriodForm):
    direction = forms.ChoiceField(
        label=_("Income or expense"),
        choices=[("", _("Both"))] + list(CashDirection.choices),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=CashCategory.objects.order_by("direction", "name"),
        required=False,
        empty_label=_("All categories"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    account = forms.ModelChoiceField(
        label=_("Account"),
        queryset=Account.objects.order_by("id"),
        required=False,
        empty_label=_("All accounts"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class StatementForm(PeriodForm):
    """A partner and a period (the partner is given by the URL when it is there)."""

    def __init__(self, *args, customers: bool, **kwargs):
        super().__init__(*args, **kwargs)
        model = Customer if customers else Supplier
        self.fields["partner"] = PartyField(
            model=model, label=model._meta.verbose_name.capitalize(), required=False
        )
        self.order_fields(["partner", "start", "end"])


class YearForm(InputRulesMixin, forms.Form):
    """The twelve months ending with a month (YYYY-MM; this month when empty)."""

    month = forms.RegexField(
        label=_("Up to month"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}),
        error_messages={"invalid": _("Choose a month.")},
    )

    def months(self) -> tuple[date, date]:
        """(first, last): first days of the first and the last month shown."""
        last = timezone.localdate().replace(day=1)
        if self.is_valid() and self.cleaned_data.get("month"):
            month = self.cleaned_data["month"]
            chosen = date(int(month[:4]), int(month[5:]), 1)
            if FIRST_DAY <= chosen <= LAST_DAY:
                last = chosen
        first = last
        for _step in range(11):
            first = (first - timedelta(days=1)).replace(day=1)
        if first < FIRST_DAY:
            first = FIRST_DAY.replace(day=1)
        return first, last

"""Report filters."""

import uuid
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Shop, Warehouse
from inventory.months import next_month
from jxc.fields import FIRST_DAY, LAST_DAY, BusinessDateField
from jxc.forms import InputRulesMixin
from jxc.lines import LineQuantitiesForm


def this_month() -> tuple[date, date]:
    """The current month, first to last day."""
    first = timezone.localdate().replace(day=1)
    return first, next_month(first) - timedelta(days=1)


def last_days(days: int) -> tuple[date, date]:
    """The last ``days`` days up to today, both ends included."""
    today = timezone.localdate()
    return today - timedelta(days=days - 1), today


def last_twelve_months() -> tuple[date, date]:
    """A year up to today: from the day after this day a year ago."""
    today = timezone.localdate()
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1), today


def shop_field() -> forms.ModelChoiceField:
    """The owner's "which shop" filter of every report (all shops when empty)."""
    return forms.ModelChoiceField(
        label=_("Shop"),
        queryset=Shop.objects.all(),
        required=False,
        empty_label=_("All shops"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def chosen_shop_id(form, user) -> int | None:
    """The shop a report is filtered by: the one chosen in ``form``'s ``shop``, for
    a user who sees every shop (the owner); None (all shops) otherwise."""
    from catalog.shops import sees_all_shops

    if not sees_all_shops(user) or not form.is_valid():
        return None
    shop = form.cleaned_data.get("shop")
    return shop.pk if shop else None


class ShopFilterForm(InputRulesMixin, forms.Form):
    """A report's shop filter alone (the reorder page: no period)."""

    shop = shop_field()


class SummaryForm(InputRulesMixin, forms.Form):
    """A month (YYYY-MM) or any date range, a category and a warehouse; the current
    month when none is given (a report's own default: ``period_data``)."""

    month = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}),
        error_messages={"invalid": _("Choose a month.")},
    )
    start = BusinessDateField(label=_("From"), required=False)
    end = BusinessDateField(label=_("To"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("All categories"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.all(),
        required=False,
        empty_label=_("All warehouses"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    shop = shop_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            if data["start"] > data["end"]:
                self.add_error("end", _("The end date is before the start date."))
            return data
        month = data.get("month")
        if not month:
            data["start"], data["end"] = this_month()
            return data
        first = date(int(month[:4]), int(month[5:]), 1)
        if not FIRST_DAY <= first <= LAST_DAY:
            self.add_error("month", _("Choose a date between 2000 and 2100."))
            return data
        data["start"] = first
        data["end"] = next_month(first) - timedelta(days=1)
        return data

    def period(self):
        """[start, end) as dates: the end is the day after the last day shown."""
        data = self.cleaned_data
        return data["start"], data["end"] + timedelta(days=1)


PERIOD_KEYS = ("month", "start", "end")


def period_data(query, default: tuple[date, date]) -> dict:
    """The report's query with its default period filled in when it names none:
    the form's inputs then show the period the report opens on."""
    data = query.copy()
    if not any(query.get(key) for key in PERIOD_KEYS):
        first, last = default
        whole_month = first.day == 1 and next_month(first) - timedelta(days=1) == last
        if whole_month:
            data["month"] = f"{first:%Y-%m}"
        else:
            data["start"], data["end"] = f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}"
    return data


class ReorderQuantitiesForm(LineQuantitiesForm):
    """The order quantity typed beside each product chosen on the reorder page."""

    def line_label(self, line):
        return line.name


class ReorderOrdersForm(InputRulesMixin, forms.Form):
    """The token the reorder page's "make draft orders" button carries: the same
    form submitted twice (a double click, a retry) makes one set of orders."""

    submission = forms.UUIDField(
        widget=forms.HiddenInput, initial=uuid.uuid4, required=False
    )

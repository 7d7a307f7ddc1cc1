"""Filters of the stock overview (django-filter)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from catalog.models import Product, Warehouse
from catalog.shops import limit_warehouse_fields
from jxc.filters import StyledFilterSet


class StockFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=catalog_selectors.category_choices(),
        empty_label=_("All categories"),
    )
    warehouse = django_filters.ModelChoiceFilter(
        label=_("Warehouse"),
        queryset=Warehouse.objects.all(),
        method="filter_nothing",
        empty_label=_("All warehouses"),
    )
    below = django_filters.BooleanFilter(
        label=_("Below safety stock only"),
        method="filter_below",
        widget=forms.CheckboxInput,
    )
    o = django_filters.OrderingFilter(
        fields=[
            ("sku", "sku"),
            ("name", "name"),
            ("on_hand", "on_hand"),
            ("available", "available"),
            ("value", "value"),
        ],
    )

    class Meta:
        model = Product
        fields = ["q", "category", "warehouse", "below"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["below"].widget.attrs["class"] = "form-check-input"
        user = getattr(self.request, "user", None)
        limit_warehouse_fields(self.form, user)
        if user is None or not user.has_perm("accounts.view_cost"):
            # Sorting by stock value would reveal it to staff.
            self.form.fields["o"].choices = [
                (value, label)
                for value, label in self.form.fields["o"].choices
                if "value" not in value
            ]

    def filter_search(self, queryset, name, value):
        return catalog_selectors.search(queryset, value)

    def filter_nothing(self, queryset, name, value):
        # The warehouse decides which balances the rows sum (see the view), not
        # which products are listed.
        return queryset

    def filter_below(self, queryset, name, value):
        return queryset.filter(below_safety=True) if value else queryset

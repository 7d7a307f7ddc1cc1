"""List filters for the catalog pages (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog import selectors
from catalog.fields import PartyField
from catalog.models import (
    Attribute,
    Category,
    Customer,
    PriceLevel,
    Product,
    Shop,
    Style,
    Supplier,
    Warehouse,
)
from jxc.filters import StyledFilterSet
from jxc.inputs import searchable

ACTIVE_CHOICES = [("1", _("Active")), ("0", _("Inactive"))]


class SearchFilterSet(StyledFilterSet):
    """Search box, active filter and sortable columns shared by every list."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=ACTIVE_CHOICES,
        method="filter_active",
        empty_label=_("All"),
    )

    def filter_search(self, queryset, name, value):
        return selectors.search(queryset, value)

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1")


SCALE_CHOICES = [("1", _("Weighed (has a PLU)")), ("0", _("Not weighed"))]


class ProductFilter(SearchFilterSet):
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=selectors.category_choices(),
        empty_label=_("All categories"),
    )
    scale = django_filters.ChoiceFilter(
        label=_("Label scale"),
        choices=SCALE_CHOICES,
        method="filter_scale",
        empty_label=_("All"),
    )
    o = django_filters.OrderingFilter(
        fields=[
            ("sku", "sku"),
            ("name", "name"),
            ("category__name", "category"),
            ("sale_price", "sale_price"),
            ("purchase_price", "purchase_price"),
            ("safety_stock", "safety_stock"),
            ("updated_at", "updated_at"),
        ],
    )

    class Meta:
        model = Product
        fields = ["q", "category", "scale", "active"]

    def filter_scale(self, queryset, name, value):
        weighed = queryset.exclude(plu="")
        return weighed if value == "1" else queryset.filter(plu="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is None or not user.has_perm("accounts.view_cost"):
            # Sorting by purchase price would reveal costs to staff.
            choices = [
                (value, label)
                for value, label in self.form.fields["o"].choices
                if "purchase_price" not in value
            ]
            self.form.fields["o"].choices = choices


class SupplierFilter(SearchFilterSet):
    o = django_filters.OrderingFilter(fields=["code", "name", "contact", "updated_at"])

    class Meta:
        model = Supplier
        fields = ["q", "active"]


class CustomerFilter(SupplierFilter):
    class Meta:
        model = Customer
        fields = ["q", "active"]


class WarehouseFilter(StyledFilterSet):
    o = django_filters.OrderingFilter(fields=["code", "name"])

    class Meta:
        model = Warehouse
        fields = []


class ShopFilter(StyledFilterSet):
    o = django_filters.OrderingFilter(fields=["code", "name"])

    class Meta:
        model = Shop
        fields = []


class CategoryFilter(StyledFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), field_name="name", lookup_expr="icontains"
    )
    o = django_filters.OrderingFilter(fields=["name", "sort_order"])

    class Meta:
        model = Category
        fields = ["q"]


class PartyFilter(django_filters.Filter):
    """A customer or supplier typed into a list filter (code, name or pinyin);
    deactivated ones are found too, since their documents stay."""

    field_class = PartyField

    def __init__(self, *, model, **kwargs):
        kwargs.setdefault("help_text", "")
        super().__init__(model=model, active_only=False, **kwargs)


class StyleFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=selectors.category_choices(),
        empty_label=_("All categories"),
    )
    o = django_filters.OrderingFilter(fields=["code", "name", "sale_price"])

    class Meta:
        model = Style
        fields = ["q", "category"]

    def filter_search(self, queryset, name, value):
        if not searchable(value):
            return queryset.none()
        for word in value.split():
            queryset = queryset.filter(
                Q(code__icontains=word) | Q(name__icontains=word)
            )
        return queryset


class AttributeFilter(StyledFilterSet):
    o = django_filters.OrderingFilter(fields=["name", "sort_order"])

    class Meta:
        model = Attribute
        fields = []


class PriceLevelFilter(StyledFilterSet):
    o = django_filters.OrderingFilter(fields=["name", "sort_order"])

    class Meta:
        model = PriceLevel
        fields = []

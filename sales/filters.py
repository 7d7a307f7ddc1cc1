"""Filters of the sales lists (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from catalog.filters import StyledFilterSet
from catalog.models import Customer
from jxc.widgets import DateInput
from sales.models import OrderStatus, SalesOrder, SalesReturn, Shipment


class DocumentFilter(StyledFilterSet):
    q = django_filters.CharFilter(
        label=_("Number"), field_name="number", lookup_expr="icontains"
    )
    customer = django_filters.ModelChoiceFilter(
        label=_("Customer"),
        queryset=Customer.objects.all(),
        empty_label=_("All customers"),
    )
    start = django_filters.DateFilter(
        label=_("From"), method="filter_start", widget=DateInput()
    )
    end = django_filters.DateFilter(
        label=_("To"), method="filter_end", widget=DateInput()
    )
    date_field = "occurred_at__date"

    def filter_start(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": value})

    def filter_end(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lte": value})


class OrderFilter(DocumentFilter):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=OrderStatus.choices, empty_label=_("All")
    )
    date_field = "order_date"

    class Meta:
        model = SalesOrder
        fields = ["q", "customer", "status", "start", "end"]


class ShipmentFilter(DocumentFilter):
    class Meta:
        model = Shipment
        fields = ["q", "customer", "start", "end"]


class ReturnFilter(DocumentFilter):
    class Meta:
        model = SalesReturn
        fields = ["q", "customer", "start", "end"]

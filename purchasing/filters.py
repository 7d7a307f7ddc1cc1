"""Filters of the purchasing lists (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from catalog.filters import StyledFilterSet
from catalog.models import Supplier
from jxc.widgets import DateInput
from purchasing.models import GoodsReceipt, OrderStatus, PurchaseOrder, PurchaseReturn

DATE = DateInput()


class DocumentFilter(StyledFilterSet):
    q = django_filters.CharFilter(
        label=_("Number"), field_name="number", lookup_expr="icontains"
    )
    supplier = django_filters.ModelChoiceFilter(
        label=_("Supplier"),
        queryset=Supplier.objects.all(),
        empty_label=_("All suppliers"),
    )
    start = django_filters.DateFilter(
        label=_("From"), method="filter_start", widget=DATE
    )
    end = django_filters.DateFilter(label=_("To"), method="filter_end", widget=DATE)
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
        model = PurchaseOrder
        fields = ["q", "supplier", "status", "start", "end"]


class ReceiptFilter(DocumentFilter):
    class Meta:
        model = GoodsReceipt
        fields = ["q", "supplier", "start", "end"]


class ReturnFilter(DocumentFilter):
    class Meta:
        model = PurchaseReturn
        fields = ["q", "supplier", "start", "end"]

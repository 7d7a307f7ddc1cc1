"""Filters of the purchasing lists (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from catalog.filters import DocumentFilter
from catalog.models import Supplier
from purchasing.models import GoodsReceipt, OrderStatus, PurchaseOrder, PurchaseReturn


class PartyDocumentFilter(DocumentFilter):
    supplier = django_filters.ModelChoiceFilter(
        label=_("Supplier"),
        queryset=Supplier.objects.all(),
        empty_label=_("All suppliers"),
    )


class OrderFilter(PartyDocumentFilter):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=OrderStatus.choices, empty_label=_("All")
    )
    date_field = "order_date"

    class Meta:
        model = PurchaseOrder
        fields = ["q", "supplier", "status", "start", "end"]


class ReceiptFilter(PartyDocumentFilter):
    class Meta:
        model = GoodsReceipt
        fields = ["q", "supplier", "start", "end"]


class ReturnFilter(PartyDocumentFilter):
    class Meta:
        model = PurchaseReturn
        fields = ["q", "supplier", "start", "end"]

"""Filters of the purchasing lists (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from catalog.filters import PartyFilter
from catalog.models import Supplier
from jxc.filters import DocumentFilter
from purchasing.models import GoodsReceipt, OrderStatus, PurchaseOrder, PurchaseReturn


class PartyDocumentFilter(DocumentFilter):
    supplier = PartyFilter(model=Supplier, label=_("Supplier"), required=False)
    party = "supplier"


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

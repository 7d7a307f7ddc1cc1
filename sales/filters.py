"""Filters of the sales lists (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from catalog.filters import PartyFilter
from catalog.models import Customer
from jxc.filters import DocumentFilter
from sales.models import OrderStatus, SalesOrder, SalesReturn, Shipment


class PartyDocumentFilter(DocumentFilter):
    customer = PartyFilter(model=Customer, label=_("Customer"), required=False)
    party = "customer"


class OrderFilter(PartyDocumentFilter):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=OrderStatus.choices, empty_label=_("All")
    )
    date_field = "order_date"

    class Meta:
        model = SalesOrder
        fields = ["q", "customer", "status", "start", "end"]


class ShipmentFilter(PartyDocumentFilter):
    class Meta:
        model = Shipment
        fields = ["q", "customer", "start", "end"]


class ReturnFilter(PartyDocumentFilter):
    class Meta:
        model = SalesReturn
        fields = ["q", "customer", "start", "end"]

"""Filters of the payment lists (django-filter): number, dates, the partner, the
account and the status, on the page and in its Excel export alike."""

import django_filters
from django.utils.translation import gettext_lazy as _

from catalog.filters import PartyFilter
from catalog.models import Customer, Supplier
from finance.models import POSTED_CHOICES, Account, Payment
from jxc.filters import DocumentFilter


class PaymentFilter(DocumentFilter):
    account = django_filters.ModelChoiceFilter(
        label=_("Account"),
        queryset=Account.objects.order_by("name"),
        empty_label=_("All"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=POSTED_CHOICES, empty_label=_("All")
    )


class CollectionFilter(PaymentFilter):
    customer = PartyFilter(model=Customer, label=_("Customer"), required=False)
    party = "customer"

    class Meta:
        model = Payment
        fields = ["q", "customer", "account", "status", "start", "end"]


class DisbursementFilter(PaymentFilter):
    supplier = PartyFilter(model=Supplier, label=_("Supplier"), required=False)
    party = "supplier"

    class Meta:
        model = Payment
        fields = ["q", "supplier", "account", "status", "start", "end"]

"""Reads of the money ledger for pages and other apps (sales reads a customer's
balance for the credit limit here)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from finance.models import Account, MoneyEntry, OpenItem, PartnerBalance, Payment

ZERO = Decimal("0")


def active_accounts() -> QuerySet[Account]:
    return Account.objects.filter(is_active=True).order_by("id")


def partner_balance(*, customer_id: int | None = None, supplier_id: int | None = None):
    """What a customer owes (or a supplier is owed); below zero: paid in advance."""
    field = (
        {"customer_id": customer_id} if customer_id else {"supplier_id": supplier_id}
    )
    return (
        PartnerBalance.objects.filter(**field).values_list("balance", flat=True).first()
        or ZERO
    )


@dataclass(frozen=True)
class OpenDocument:
    item: OpenItem
    age_days: int

    @property
    def open_amount(self) -> Decimal:
        return self.item.open_amount


def open_items(*, customer_id=None, supplier_id=None, today=None) -> list[OpenDocument]:
    """The partner's open items, oldest first, with their age in days."""
    field = (
        {"customer_id": customer_id} if customer_id else {"supplier_id": supplier_id}
    )
    today = today or timezone.localdate()
    return [
        OpenDocument(item, (today - timezone.localtime(item.occurred_at).date()).days)
        for item in OpenItem.objects.filter(is_open=True, **field).order_by(
            "occurred_at", "id"
        )
    ]


def open_debits(*, customer_id=None, supplier_id=None) -> list[OpenDocument]:
    """The documents a payment can settle: open items the partner owes."""
    return [
        row
        for row in open_items(customer_id=customer_id, supplier_id=supplier_id)
        if row.item.amount > 0
    ]


def partner_entries(*, customer_id=None, supplier_id=None) -> QuerySet[MoneyEntry]:
    """The partner's ledger, newest first (its history)."""
    field = (
        {"customer_id": customer_id} if customer_id else {"supplier_id": supplier_id}
    )
    return (
        MoneyEntry.objects.filter(**field)
        .select_related("source_type")
        .order_by("-occurred_at", "-id")
    )


def partner_payments(*, customer_id=None, supplier_id=None) -> QuerySet[Payment]:
    field = (
        {"customer_id": customer_id} if customer_id else {"supplier_id": supplier_id}
    )
    return (
        Payment.objects.filter(**field)
        .select_related("account")
        .order_by("-occurred_at", "-id")
    )


def payments(*, collections: bool | None) -> QuerySet[Payment]:
    """收款单 (collections=True), 付款单 (False) or both (None), newest first."""
    rows = Payment.objects.select_related(
        "customer", "supplier", "account", "created_by"
    )
    if collections is True:
        rows = rows.filter(customer__isnull=False)
    elif collections is False:
        rows = rows.filter(supplier__isnull=False)
    return rows.order_by("-occurred_at", "-id")


def balances(*, customers: bool) -> QuerySet[PartnerBalance]:
    """Partners with a balance (owed or prepaid), the largest first."""
    field = "customer" if customers else "supplier"
    return (
        PartnerBalance.objects.filter(**{f"{field}__isnull": False})
        .exclude(balance=0)
        .select_related(field)
        .order_by("-balance", f"{field}__code")
    )


def totals(*, customers: bool) -> Decimal:
    from django.db.models import Sum

    field = "customer" if customers else "supplier"
    return (
        PartnerBalance.objects.filter(**{f"{field}__isnull": False})
        .filter(Q(balance__gt=0))
        .aggregate(total=Sum("balance"))["total"]
        or ZERO
    )


@dataclass(frozen=True)
class Allocated:
    number: str
    url: str
    amount: Decimal


def payment_allocations(payment: Payment) -> list[Allocated]:
    """What a payment settled, per document (net of allocations taken back)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Sum

    from finance.models import Allocation, ItemKind
    from jxc.models import record_page

    item = OpenItem.objects.filter(
        source_type=ContentType.objects.get_for_model(Payment),
        source_id=payment.pk,
        kind=ItemKind.PAYMENT,
    ).first()
    if item is None:
        return []
    rows = (
        Allocation.objects.filter(credit=item)
        .values(
            "debit_id", "debit__source_number", "debit__source_type", "debit__source_id"
        )
        .annotate(total=Sum("amount"))
        .order_by("debit_id")
    )
    found = []
    for row in rows:
        if not row["total"]:
            continue
        source_type = (
            ContentType.objects.get_for_id(row["debit__source_type"])
            if row["debit__source_type"]
            else None
        )
        found.append(
            Allocated(
                row["debit__source_number"],
                record_page(source_type, row["debit__source_id"]),
                row["total"],
            )
        )
    return found

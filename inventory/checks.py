"""Reads that prove the ledger right, beyond balance = Σ moves (``stock_drift``):
closed months' snapshots against the ledger, and a running balance that never
goes below zero. ``manage.py check_stock`` runs them all; tests run them after
every scenario."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    DateTimeField,
    ExpressionWrapper,
    F,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from inventory.models import (
    ClosedMonth,
    MonthSnapshot,
    ProductStock,
    StockLevel,
    StockMove,
)
from inventory.months import moment, next_month
from inventory.services import NOW_WINDOW

ZERO = Decimal("0")


@dataclass(frozen=True)
class SnapshotDrift:
    month: date
    product_id: int
    warehouse_id: int
    snapshot_quantity: Decimal
    ledger_quantity: Decimal
    snapshot_value: Decimal
    ledger_value: Decimal

    def __str__(self):
        return (
            f"closed month {self.month:%Y-%m}, product {self.product_id} warehouse "
            f"{self.warehouse_id}: snapshot {self.snapshot_quantity} / "
            f"{self.snapshot_value} vs ledger {self.ledger_quantity} / "
            f"{self.ledger_value}"
        )


def snapshot_drift() -> list[SnapshotDrift]:
    """Every closed month's snapshot row that disagrees with Σ moves up to that
    month's end, per product × warehouse (a missing row counts as zero).

    One query sums the moves per month, product and warehouse up to the latest
    closed month's end; the running totals and the comparison are done in Python
    (months × pairs rows, not moves).
    """
    months = list(ClosedMonth.objects.order_by("month").values_list("pk", "month"))
    if not months:
        return []
    end = moment(next_month(months[-1][1]))
    sums = (
        StockMove.objects.filter(occurred_at__lt=end)
        .annotate(
            month=TruncMonth("occurred_at", tzinfo=timezone.get_current_timezone())
        )
        .values("month", "product_id", "warehouse_id")
        .annotate(q=Sum("quantity"), v=Sum("value"))
        .order_by()
    )
    by_month: dict[date, list] = {}
    for row in sums:
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        by_month.setdefault(month.replace(day=1), []).append(row)
    snapshots: dict[int, dict[tuple[int, int], tuple[Decimal, Decimal]]] = {}
    for closed_id, p, w, q, v in MonthSnapshot.objects.values_list(
        "closed_month_id", "product_id", "warehouse_id", "quantity", "value"
    ):
        snapshots.setdefault(closed_id, {})[(p, w)] = (q, v)
    running: dict[tuple[int, int], list[Decimal]] = {}
    # Moves before the first closed month belong to its balance too.
    pending = sorted(by_month)
    drifts = []
    for closed_id, month in months:
        while pending and pending[0] <= month:
            for row in by_month[pending.pop(0)]:
                pair = (row["product_id"], row["warehouse_id"])
                total = running.setdefault(pair, [ZERO, ZERO])
                total[0] += row["q"]
                total[1] += row["v"]
        stored = snapshots.get(closed_id, {})
        for pair in set(stored) | set(running):
            snap_q, snap_v = stored.get(pair, (ZERO, ZERO))
            ledger_q, ledger_v = running.get(pair, (ZERO, ZERO))
            if snap_q != ledger_q or snap_v != ledger_v:
                drifts.append(
                    SnapshotDrift(month, *pair, snap_q, ledger_q, snap_v, ledger_v)
                )
    return drifts


@dataclass(frozen=True)
class NegativeRun:
    product_id: int
    warehouse_id: int
    occurred_at: object
    move_id: int
    balance: Decimal

    def __str__(self):
        return (
            f"product {self.product_id} warehouse {self.warehouse_id}: the running "
            f"balance is {self.balance} after move {self.move_id} on "
            f"{timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M}"
        )


def ledger_time_sql():
    """``inventory.services.ledger_time`` as an SQL expression."""
    return Case(
        When(
            created_at__gte=F("occurred_at"),
            created_at__lt=ExpressionWrapper(
                F("occurred_at") + Value(NOW_WINDOW), output_field=DateTimeField()
            ),
            then=F("created_at"),
        ),
        default=F("occurred_at"),
        output_field=DateTimeField(),
    )


def negative_running_balances(limit: int = 100) -> list[NegativeRun]:
    """Moves after which the balance of their product × warehouse, read in the
    ledger's time order (``inventory.services.ledger_time``, then posting order),
    is below zero. There should be none: the posting service refuses a backdated
    outbound move that would cause one."""
    running = (
        StockMove.objects.annotate(
            at=ledger_time_sql(),
        )
        .annotate(
            running=Window(
                Sum("quantity"),
                partition_by=[F("product_id"), F("warehouse_id")],
                order_by=[F("at").asc(), F("id").asc()],
            )
        )
        .filter(running__lt=0)
        .order_by("product_id", "warehouse_id", "occurred_at", "id")
        .values_list("product_id", "warehouse_id", "occurred_at", "id", "running")
    )
    return [NegativeRun(*row) for row in running[:limit]]


@dataclass(frozen=True)
class TotalDrift:
    product_id: int
    stored: tuple[Decimal, Decimal, Decimal]  # on hand, reserved, value
    levels: tuple[Decimal, Decimal, Decimal]  # Σ the product's StockLevel rows

    def __str__(self):
        return (
            f"product {self.product_id}: totals on hand / reserved / value "
            f"{' / '.join(map(str, self.stored))} vs Σ levels "
            f"{' / '.join(map(str, self.levels))}"
        )


def product_stock_drift() -> list[TotalDrift]:
    """Every product whose totals row (ProductStock) disagrees with Σ its levels
    (a missing row or no levels count as zero). There should be none: the
    posting service writes both in one transaction. Two queries."""
    zero = (ZERO, ZERO, ZERO)
    levels = {
        row[0]: tuple(row[1:])
        for row in StockLevel.objects.values("product_id")
        .annotate(q=Sum("on_hand"), r=Sum("reserved"), v=Sum("value"))
        .order_by()
        .values_list("product_id", "q", "r", "v")
    }
    drifts = []
    for product_id, *stored in ProductStock.objects.values_list(
        "product_id", "on_hand", "reserved", "value"
    ):
        summed = levels.pop(product_id, zero)
        if tuple(stored) != summed:
            drifts.append(TotalDrift(product_id, tuple(stored), summed))
    for product_id, summed in levels.items():
        if summed != zero:
            drifts.append(TotalDrift(product_id, zero, summed))
    return drifts

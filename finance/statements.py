"""Reads of the money ledger for the cash book and the owner's money reports: an
account's journal, a partner's statement (对账单), aging (账龄) and the profit
view. Periods are local dates, cut at local midnight (a payment at 23:30 on the
31st belongs to that month); a period's end is inclusive.

Running balances are summed from the entries in date order (not read from
``balance_after``, which follows posting order: a payment dated back sits in its
day here), so the closing balance of a period that ends today equals the
holder's balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Sum, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from finance.models import (
    Account,
    CashDirection,
    CashEntry,
    MoneyEntry,
    OpenItem,
    Transfer,
)
from inventory.months import moment, next_month
from sales import selectors as sales_selectors

ZERO = Decimal("0")
# Aging buckets: (label key, oldest age in days of the bucket or None for no end).
BUCKETS = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))


# --- ledgers: an account's journal, a partner's statement -----------------------------


def _holder(*, account_id=None, customer_id=None, supplier_id=None) -> dict:
    for name, value in (
        ("account_id", account_id),
        ("customer_id", customer_id),
        ("supplier_id", supplier_id),
    ):
        if value is not None:
            return {name: value}
    raise ValueError("a ledger needs a holder")


@dataclass
class Ledger:
    """One holder's entries in [start, end] with the balance before and after."""

    start: date | None
    end: date
    opening: Decimal
    entries: QuerySet  # in date order
    increase: Decimal  # Σ of the positive entries in the period
    decrease: Decimal  # Σ of the negative entries (a negative number)
    count: int

    @property
    def closing(self) -> Decimal:
        return self.opening + self.increase + self.decrease


def ledger(*, start: date | None, end: date, **holder) -> Ledger:
    """The holder's (``account_id=``, ``customer_id=`` or ``supplier_id=``) entries
    dated in [start, end] (local dates; ``start`` None: from the beginning)."""
    own = MoneyEntry.objects.filter(**_holder(**holder))
    until = moment(end + timedelta(days=1))
    opening = ZERO
    period = own.filter(occurred_at__lt=until)
    if start is not None:
        opening = (
            own.filter(occurred_at__lt=moment(start)).aggregate(total=Sum("amount"))[
                "total"
            ]
            or ZERO
        )
        period = period.filter(occurred_at__gte=moment(start))
    sums = period.aggregate(
        increase=Sum("amount", filter=Q(amount__gt=0)),
        decrease=Sum("amount", filter=Q(amount__lt=0)),
        count=Count("id"),
    )
    return Ledger(
        start=start,
        end=end,
        opening=opening,
        entries=period.select_related("source_type", "created_by").order_by(
            "occurred_at", "id"
        ),
        increase=sums["increase"] or ZERO,
        decrease=sums["decrease"] or ZERO,
        count=sums["count"],
    )


@dataclass(frozen=True)
class Line:
    entry: MoneyEntry
    balance: Decimal  # the holder's balance after this entry (date order)


def running(ledger_: Ledger, entries) -> list[Line]:
    """``entries`` (a slice of ``ledger_.entries``, in order) with their running
    balance: the opening plus every period entry before the first of them (one
    query) and each one's own amount."""
    entries = list(entries)
    if not entries:
        return []
    first = entries[0]
    before = (
        ledger_.entries.filter(
            Q(occurred_at__lt=first.occurred_at)
            | Q(occurred_at=first.occurred_at, id__lt=first.id)
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    balance = ledger_.opening + before
    lines = []
    for entry in entries:
        balance += entry.amount
        lines.append(Line(entry, balance))
    return lines


def all_lines(ledger_: Ledger) -> list[Line]:
    """Every line of the ledger (an export, a printed statement): one query."""
    balance = ledger_.opening
    lines = []
    for entry in ledger_.entries:
        balance += entry.amount
        lines.append(Line(entry, balance))
    return lines


def accounts() -> QuerySet[Account]:
    return Account.objects.order_by("-is_active", "id")


def accounts_total() -> Decimal:
    return Account.objects.aggregate(total=Sum("balance"))["total"] or ZERO


def transfers() -> QuerySet[Transfer]:
    return Transfer.objects.select_related("from_account", "to_account").order_by(
        "-occurred_at", "-id"
    )


# --- 日常收支 ---------------------------------------------------------------------


def cash_entries(
    *,
    start: date | None = None,
    end: date | None = None,
    direction: str = "",
    category_id=None,
    account_id=None,
    include_cancelled: bool = True,
) -> QuerySet[CashEntry]:
    rows = CashEntry.objects.select_related("category", "account")
    if start is not None:
        rows = rows.filter(occurred_at__gte=moment(start))
    if end is not None:
        rows = rows.filter(occurred_at__lt=moment(end + timedelta(days=1)))
    if direction:
        rows = rows.filter(direction=direction)
    if category_id:
        rows = rows.filter(category_id=category_id)
    if account_id:
        rows = rows.filter(account_id=account_id)
    if not include_cancelled:
        rows = rows.filter(status="posted")
    return rows.order_by("-occurred_at", "-id")


def cash_totals(rows: QuerySet[CashEntry]) -> dict:
    """Income, expenses and net of the posted rows among ``rows``."""
    sums = rows.filter(status="posted").aggregate(
        income=Sum("amount", filter=Q(direction=CashDirection.INCOME)),
        expense=Sum("amount", filter=Q(direction=CashDirection.EXPENSE)),
    )
    income, expense = sums["income"] or ZERO, sums["expense"] or ZERO
    return {"income": income, "expense": expense, "net": income - expense}


# --- aging ----------------------------------------------------------------------------


@dataclass
class AgingRow:
    partner_id: int
    name: str
    code: str
    buckets: list[Decimal]
    prepaid: Decimal  # open credits (a payment in advance, a return): ≤ 0

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO) + self.prepaid


@dataclass
class Aging:
    rows: list[AgingRow]
    today: date
    totals: list[Decimal] = field(default_factory=list)
    prepaid: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum(self.totals, ZERO) + self.prepaid


def aging(*, customers: bool, today: date | None = None) -> Aging:
    """Per partner, what is open by the age of its documents in days (today minus
    the document's local date): 0–30, 31–60, 61–90, over 90, and the open credits
    (prepayments, returns not yet set against a document). One grouped query."""
    today = today or timezone.localdate()
    key = "customer" if customers else "supplier"
    open_amount = F("amount") - F("settled")
    sums = {}
    for label, low, high in BUCKETS:
        # age ≥ low ⇔ dated before tomorrow − low days; age ≤ high ⇔ dated on or
        # after today − high.
        condition = Q(
            amount__gt=0, occurred_at__lt=moment(today - timedelta(days=low - 1))
        )
        if high is not None:
            condition &= Q(occurred_at__gte=moment(today - timedelta(days=high)))
        sums[label] = Sum(Case(When(condition, then=open_amount), default=Decimal(0)))
    rows = (
        OpenItem.objects.filter(is_open=True, **{f"{key}__isnull": False})
        .values(f"{key}_id", f"{key}__name", f"{key}__code")
        .annotate(
            prepaid=Sum(Case(When(amount__lt=0, then=open_amount), default=Decimal(0))),
            **sums,
        )
        .order_by(f"{key}__code")
    )
    found = [
        AgingRow(
            partner_id=row[f"{key}_id"],
            name=row[f"{key}__name"],
            code=row[f"{key}__code"],
            buckets=[row[label] or ZERO for label, _low, _high in BUCKETS],
            prepaid=row["prepaid"] or ZERO,
        )
        for row in rows
    ]
    found = [row for row in found if row.total or any(row.buckets) or row.prepaid]
    found.sort(key=lambda row: (-row.total, row.code))
    return Aging(
        rows=found,
        today=today,
        totals=[
            sum((row.buckets[i] for row in found), ZERO) for i in range(len(BUCKETS))
        ],
        prepaid=sum((row.prepaid for row in found), ZERO),
    )


# --- profit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfitMonth:
    month: date
    sales: Decimal
    cost: Decimal
    income: Decimal  # other income (日常收支)
    expense: Decimal  # expenses (日常收支)

    @property
    def gross(self) -> Decimal:
        return self.sales - self.cost

    @property
    def net(self) -> Decimal:
        return self.gross + self.income - self.expense

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")


def profit(*, first: date, last: date) -> list[ProfitMonth]:
    """Per local month from ``first`` to ``last`` (first days of months): net sales
    and their cost of goods (shipments − returns at their posted cost), gross
    profit, other income and expenses (posted 日常收支), net. Three grouped
    queries whatever the number of months."""
    end = next_month(last)
    sold = sales_selectors.monthly_sales(moment(first), moment(end))
    zone = timezone.get_current_timezone()
    cash: dict[date, dict[str, Decimal]] = {}
    for row in (
        CashEntry.objects.filter(
            status="posted", occurred_at__gte=moment(first), occurred_at__lt=moment(end)
        )
        .annotate(month=TruncMonth("occurred_at", tzinfo=zone))
        .values("month", "direction")
        .annotate(total=Sum("amount"))
        .order_by("month")
    ):
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        cash.setdefault(month, {})[row["direction"]] = row["total"]
    months = []
    month = first
    while month <= last:
        amount, cost = sold.get(month, (ZERO, ZERO))
        own = cash.get(month, {})
        months.append(
            ProfitMonth(
                month=month,
                sales=amount,
                cost=cost,
                income=own.get(CashDirection.INCOME, ZERO),
                expense=own.get(CashDirection.EXPENSE, ZERO),
            )
        )
        month = next_month(month)
    return months


def profit_totals(months: list[ProfitMonth]) -> ProfitMonth:
    return ProfitMonth(
        month=months[0].month if months else timezone.localdate().replace(day=1),
        sales=sum((m.sales for m in months), ZERO),
        cost=sum((m.cost for m in months), ZERO),
        income=sum((m.income for m in months), ZERO),
        expense=sum((m.expense for m in months), ZERO),
    )

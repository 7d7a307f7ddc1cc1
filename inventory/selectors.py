"""Reads of stock: balances, the ledger, drift checks. Fixed query counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from inventory.models import InventorySettings, ProductStock, StockLevel, StockMove
from inventory.months import latest_closed, next_month
from jxc.decimals import money

ZERO = Decimal("0")
QTY_FIELD = DecimalField(max_digits=14, decimal_places=3)
VALUE_FIELD = DecimalField(max_digits=14, decimal_places=2)
COST_FIELD = DecimalField(max_digits=16, decimal_places=4)


def inventory_settings() -> InventorySettings:
    """The owner's stock rules (the defaults until the owner saves them)."""
    return InventorySettings.objects.filter(pk=1).first() or InventorySettings(pk=1)


# Who may date a document into any open month; staff get the owner's allowance.
BACKDATE_PERMISSION = "inventory.change_inventorysettings"


def document_date_problem(*, user, day: date, was: date | None = None) -> str | None:
    """Why ``user`` may not date a document ``day``, or None when they may.

    Today is always fine, and so is keeping the date a saved draft already has
    (``was``). Staff may date back at most the owner's number of days (0: today
    only); the owner, any day of a month that is not closed. Future dates are the
    form's own business (a receipt cannot be in the future, an order may be).
    """
    today = timezone.localdate()
    if day >= today or day == was:
        return None
    latest = latest_closed()
    if latest is not None and day < next_month(latest):
        return _(
            "%(month)s is closed: a document cannot be dated %(day)s. Date it "
            "later, or ask the owner to reopen the month."
        ) % {"month": f"{latest:%Y-%m}", "day": f"{day:%Y-%m-%d}"}
    if user.has_perm(BACKDATE_PERMISSION):
        return None
    allowed = inventory_settings().staff_backdate_days
    if (today - day).days <= allowed:
        return None
    if allowed == 0:
        return _(
            "Documents are dated today. Only the owner can date one earlier (%(day)s)."
        ) % {"day": f"{day:%Y-%m-%d}"}
    return _(
        "Staff can date a document at most %(days)s day(s) back (%(earliest)s); "
        "ask the owner for an earlier date."
    ) % {"days": allowed, "earliest": f"{today - timedelta(days=allowed):%Y-%m-%d}"}


def exact(expression, output):
    """Round an aggregate to its field's places.

    PostgreSQL sums numerics exactly; SQLite sums them as floating point
    (21.233 comes back as 21.2330000000001), so every sum is rounded back to the
    places its column keeps, on both databases alike.
    """
    return Round(expression, output.decimal_places, output_field=output)


def total(field: str, output, **filters):
    """SUM(field), 0 when there are no rows, rounded to the field's places."""
    return exact(
        Coalesce(Sum(field, **filters), Value(ZERO), output_field=output), output
    )


def _balance(field: str, source: str):
    """One balance column read from a joined row (0 when the product has none)."""
    output = VALUE_FIELD if field == "value" else QTY_FIELD
    return Coalesce(F(f"{source}__{field}"), Value(ZERO), output_field=output)


def stock_overview(warehouse_id: int | None = None) -> QuerySet:
    """Products with on hand, reserved, available and value (in one warehouse or all).

    Each row carries ``on_hand``, ``reserved``, ``available``, ``value`` and
    ``below_safety``; filter and sort on those names. All warehouses: the
    product's totals row (ProductStock, kept by the posting service); one
    warehouse: its StockLevel row. Either way one joined row per product, no
    aggregate.
    """
    products = Product.objects.select_related("category")
    if warehouse_id:
        products = products.alias(
            here=FilteredRelation(
                "levels", condition=Q(levels__warehouse_id=warehouse_id)
            )
        )
        source = "here"
    else:
        source = "stock"
    return products.annotate(
        on_hand=_balance("on_hand", source),
        reserved=_balance("reserved", source),
        value=_balance("value", source),
    ).annotate(
        available=ExpressionWrapper(
            F("on_hand") - F("reserved"), output_field=QTY_FIELD
        ),
        below_safety=Case(
            When(
                Q(safety_stock__gt=0) & Q(on_hand__lt=F("safety_stock")),
                then=Value(True),
            ),
            default=Value(False),
        ),
        avg_cost=Case(
            When(on_hand=0, then=Value(ZERO)),
            default=exact(
                ExpressionWrapper(F("value") / F("on_hand"), output_field=COST_FIELD),
                COST_FIELD,
            ),
            output_field=COST_FIELD,
        ),
    )


def stock_overview_totals(queryset: QuerySet) -> dict:
    """Sums of the overview's columns over every filtered row (not just one page),
    and how many rows there are (``rows``: the pager's count, in the same scan)."""
    return queryset.aggregate(
        rows=Count("pk"),
        total_on_hand=total("on_hand", QTY_FIELD),
        total_reserved=total("reserved", QTY_FIELD),
        total_value=total("value", VALUE_FIELD),
    )


def levels_by_product(product_ids, warehouse_id: int | None = None) -> dict[int, list]:
    """StockLevel rows (with warehouse) for the products on one page."""
    levels = StockLevel.objects.filter(product_id__in=product_ids).select_related(
        "warehouse"
    )
    if warehouse_id:
        levels = levels.filter(warehouse_id=warehouse_id)
    grouped: dict[int, list] = {}
    for level in levels.order_by("warehouse__code"):
        grouped.setdefault(level.product_id, []).append(level)
    return grouped


def product_levels(product_id: int) -> QuerySet:
    return (
        StockLevel.objects.filter(product_id=product_id)
        .select_related("warehouse")
        .order_by("warehouse__code")
    )


def recent_moves(product_id: int, limit: int = 10) -> list[StockMove]:
    return list(
        StockMove.objects.filter(product_id=product_id)
        .select_related("warehouse", "source_type")
        .order_by("-occurred_at", "-id")[:limit]
    )


@dataclass
class StockCard:
    opening_quantity: Decimal
    opening_value: Decimal
    moves: QuerySet  # each with running ``balance`` and ``running_value``
    ledger: QuerySet | None = None  # the period's moves, plain (for paging)
    # Σ of every move the card can show (its balance row, kept by the posting
    # service), as a query; None when the period has an end.
    balance: QuerySet | None = None


CARD_ORDER = ("occurred_at", "id")


def _running(moves: QuerySet, quantity: Decimal, value: Decimal) -> QuerySet:
    """Moves in time order, each with the balance and value after it, starting
    from ``quantity`` and ``value``."""
    order = [F("occurred_at").asc(), F("id").asc()]
    return (
        moves.select_related("warehouse", "source_type", "created_by")
        .annotate(
            balance=ExpressionWrapper(
                exact(Window(Sum("quantity"), order_by=order), QTY_FIELD)
                + Value(quantity),
                output_field=QTY_FIELD,
            ),
            running_value=ExpressionWrapper(
                exact(Window(Sum("value"), order_by=order), VALUE_FIELD) + Value(value),
                output_field=VALUE_FIELD,
            ),
        )
        .order_by(*CARD_ORDER)
    )


def stock_card(
    *,
    product_id: int,
    warehouse_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> StockCard:
    """A product's moves in a period with the balance before it and after each move.

    ``moves`` runs the balance over the whole period (the Excel export);
    ``stock_card_page`` serves one page of it without reading the others.
    """
    moves = StockMove.objects.filter(product_id=product_id)
    if warehouse_id:
        moves = moves.filter(warehouse_id=warehouse_id)
    opening = {"q": ZERO, "v": ZERO}
    if start:
        opening = moves.filter(occurred_at__lt=start).aggregate(
            q=total("quantity", QTY_FIELD),
            v=total("value", VALUE_FIELD),
        )
        opening = {key: value or ZERO for key, value in opening.items()}
        moves = moves.filter(occurred_at__gte=start)
    if end:
        moves = moves.filter(occurred_at__lt=end)
    balance = None
    if not end:
        # No end: opening + the period's moves = every move = the balance now.
        balance = (
            StockLevel.objects.filter(product_id=product_id, warehouse_id=warehouse_id)
            if warehouse_id
            else ProductStock.objects.filter(product_id=product_id)
        )
    return StockCard(
        opening["q"],
        opening["v"],
        _running(moves, opening["q"], opening["v"]),
        moves.order_by(*CARD_ORDER),
        balance,
    )


def stock_card_page(card: StockCard, number, size: int = 100) -> Page:
    """One page of the card, with the same running balance as ``card.moves``.

    Fixed 4 queries on any page but the first (2 there): the count; the key
    (time, id) of the page's first move; the sum of the moves on one side of
    it; the page's moves. The covering index inventory_move_card answers the
    first three from the index alone, and the page reads from its key onwards
    (no OFFSET over the running balance of every move). A page in the first half
    sums the moves before it onto the opening; one in the second half, when the
    period is open-ended, takes the moves from it onwards off the balance now
    (read in the key's query), so the last page of 100,000 moves reads about 100
    index entries besides the count. A bad page number gives the first page,
    one past the end the last (like ``jxc.views.paginate``).
    """
    ledger = card.ledger
    paginator = Paginator(ledger, size)
    try:
        number = paginator.validate_number(number)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        number = paginator.num_pages
    offset = (number - 1) * size
    quantity, value = card.opening_quantity, card.opening_value
    rows = ledger
    if offset:
        from_end = card.balance is not None and offset > paginator.count // 2
        if from_end:
            # Uncorrelated subqueries: PostgreSQL reads the balance row once.
            at, pk, now_q, now_v = (
                ledger.order_by("-occurred_at", "-id")
                .annotate(
                    now_q=_balance_of(card.balance, "on_hand", QTY_FIELD),
                    now_v=_balance_of(card.balance, "value", VALUE_FIELD),
                )
                .values_list(*CARD_ORDER, "now_q", "now_v")[
                    paginator.count - offset - 1
                ]
            )
        else:
            at, pk = ledger.values_list(*CARD_ORDER)[offset]
        earlier = Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=pk)
        rows = ledger.exclude(earlier)
        sums = (rows if from_end else ledger.filter(earlier)).aggregate(
            q=total("quantity", QTY_FIELD), v=total("value", VALUE_FIELD)
        )
        if from_end:
            quantity, value = now_q - sums["q"], now_v - sums["v"]
        else:
            quantity += sums["q"]
            value += sums["v"]
    return Page(list(_running(rows, quantity, value)[:size]), number, paginator)


def _balance_of(balance: QuerySet, field: str, output):
    return Coalesce(
        Subquery(balance.values(field)[:1], output_field=output),
        Value(ZERO),
        output_field=output,
    )


@dataclass
class Drift:
    product_id: int
    warehouse_id: int
    level_quantity: Decimal
    ledger_quantity: Decimal
    level_value: Decimal
    ledger_value: Decimal


def stock_drift() -> list[Drift]:
    """Every balance that disagrees with the sum of its moves (there should be none).

    The ledger is summed in SQL per (product, warehouse); the comparison with the
    balances is a plain join in Python, run by `manage.py check_stock` and tests.
    """
    ledger = {
        (row["product_id"], row["warehouse_id"]): (row["q"], row["v"])
        for row in StockMove.objects.values("product_id", "warehouse_id")
        .annotate(q=total("quantity", QTY_FIELD), v=total("value", VALUE_FIELD))
        .order_by()
    }
    drifts = []
    for product_id, warehouse_id, on_hand, value in StockLevel.objects.values_list(
        "product_id", "warehouse_id", "on_hand", "value"
    ):
        quantity_sum, value_sum = ledger.pop((product_id, warehouse_id), (ZERO, ZERO))
        if on_hand != quantity_sum or value != value_sum:
            drifts.append(
                Drift(product_id, warehouse_id, on_hand, quantity_sum, value, value_sum)
            )
    for (product_id, warehouse_id), (quantity_sum, value_sum) in ledger.items():
        drifts.append(
            Drift(product_id, warehouse_id, ZERO, quantity_sum, ZERO, value_sum)
        )
    return drifts


def _moves_of(stocktake, line_product="product_id"):
    return StockMove.objects.filter(
        product_id=OuterRef(line_product), warehouse_id=stocktake.warehouse_id
    )


def _sum_of(moves):
    """The moves' total quantity as a subquery (0 when none), rounded like total()."""
    return exact(
        Coalesce(
            Subquery(
                moves.order_by()
                .values("product_id")
                .annotate(s=Sum("quantity"))
                .values("s")[:1],
                output_field=QTY_FIELD,
            ),
            Value(ZERO),
            output_field=QTY_FIELD,
        ),
        QTY_FIELD,
    )


def stocktake_lines_measured(stocktake, *, counted_only: bool = False) -> list:
    """The sheet's lines with what the ledger says about each, in two queries.

    ``moved_before``: the moves of the line's product × warehouse that the
    snapshot did not hold and that are dated no later than the line's count time:
    those dated between the snapshot and the count, plus those entered after the
    snapshot but dated before it (a late entry of an earlier sale). A line counted
    before count times were kept counts as counted at the snapshot.
    ``own``: what this sheet itself posted (and reversed), never a move made while
    counting. ``on_hand`` and ``level_cost``: the balance now.
    """
    snapshot_at = stocktake.snapshot_at
    own = Q(source_type_id=_stocktake_type_id(), source_id=stocktake.pk)
    after_snapshot = (
        Q(pk__gt=stocktake.snapshot_move_id)
        if stocktake.snapshot_move_id is not None
        else Q()
    )
    count_time = Coalesce(OuterRef("counted_at"), Value(snapshot_at))
    level = StockLevel.objects.filter(
        product_id=OuterRef("product_id"), warehouse_id=stocktake.warehouse_id
    )
    lines = stocktake.lines.select_related("product", "product__category")
    if counted_only:
        lines = lines.filter(counted_quantity__isnull=False)
    lines = list(
        lines.annotate(
            # Bounded below by the snapshot: the index on (product, warehouse,
            # occurred_at) reads only what moved while counting.
            moved_before=_sum_of(
                _moves_of(stocktake)
                .filter(
                    after_snapshot,
                    occurred_at__gt=snapshot_at,
                    occurred_at__lte=count_time,
                )
                .exclude(own)
            ),
            own=_sum_of(_moves_of(stocktake).filter(own)),
            on_hand=Coalesce(
                Subquery(level.values("on_hand")[:1], output_field=QTY_FIELD),
                Value(ZERO),
                output_field=QTY_FIELD,
            ),
            level_cost=Subquery(level.values("unit_cost")[:1], output_field=COST_FIELD),
        ).order_by("product__sku")
    )
    late = _entered_late(stocktake, own)
    for line in lines:
        line.moved_before += late.get(line.product_id, ZERO)
    return lines


def _entered_late(stocktake, own: Q) -> dict[int, Decimal]:
    """Moves entered after the snapshot but dated before it, per product.

    Every count comes after the snapshot, so each of these moved before every
    count. One query over the moves made since the snapshot (by id, which the
    primary key reads directly). Sheets started before the snapshot's last move
    was kept have none to find.
    """
    if stocktake.snapshot_move_id is None:
        return {}
    return dict(
        StockMove.objects.filter(
            warehouse_id=stocktake.warehouse_id,
            pk__gt=stocktake.snapshot_move_id,
            occurred_at__lte=stocktake.snapshot_at,
        )
        .exclude(own)
        .values("product_id")
        .annotate(q=total("quantity", QTY_FIELD))
        .order_by()
        .values_list("product_id", "q")
    )


def _stocktake_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    from inventory.models import Stocktake

    return ContentType.objects.get_for_model(Stocktake).pk


@dataclass
class StocktakeRow:
    line: object
    snapshot: Decimal
    moved_before: Decimal
    expected: Decimal
    counted: Decimal | None
    difference: Decimal | None
    moved_after: Decimal
    after: Decimal | None
    unit_cost: Decimal
    difference_value: Decimal
    large: bool = False


def stocktake_row(line, *, posted: bool) -> StocktakeRow:
    """One measured line (see stocktake_lines_measured) as the review shows it.

    Expected at count = snapshot + moved before count; difference = counted −
    expected; on hand after posting = counted + what moved after the count. Once
    posted, the expected quantity is the one the posting fixed.
    """
    snapshot = line.system_quantity
    if posted and line.expected_quantity is not None:
        expected = line.expected_quantity
    else:
        expected = snapshot + line.moved_before
    counted = line.counted_quantity
    difference = None if counted is None else counted - expected
    # The balance now, without this sheet's own moves: what the others moved.
    moved_since = line.on_hand - line.own - snapshot
    moved_after = moved_since - (expected - snapshot)
    cost = line.level_cost or line.product.purchase_price or ZERO
    return StocktakeRow(
        line=line,
        snapshot=snapshot,
        moved_before=expected - snapshot,
        expected=expected,
        counted=counted,
        difference=difference,
        moved_after=moved_after,
        after=None if counted is None else counted + moved_after,
        unit_cost=cost,
        difference_value=money(difference * cost) if difference else ZERO,
    )


def stocktake_is_large(row: StocktakeRow, settings: InventorySettings) -> bool:
    """A difference above the owner's threshold (share of expected, or value)."""
    if not row.difference:
        return False
    size = abs(row.difference)
    percent = settings.stocktake_threshold_percent
    if percent and size > abs(row.expected) * percent / Decimal(100):
        return True
    amount = settings.stocktake_threshold_amount
    return bool(amount) and abs(row.difference_value) > amount


def stocktake_review(stocktake) -> list[StocktakeRow]:
    """Every line of a sheet measured at its own count time, in a fixed 2 queries."""
    posted = stocktake.status == "posted"
    settings = inventory_settings()
    rows = [
        stocktake_row(line, posted=posted)
        for line in stocktake_lines_measured(stocktake)
    ]
    for row in rows:
        row.large = row.counted is not None and stocktake_is_large(row, settings)
    return rows


def product_levels_in(product_ids, warehouse_id: int) -> QuerySet:
    """The balances of some products in one warehouse (on hand, reserved)."""
    return StockLevel.objects.filter(
        product_id__in=list(product_ids), warehouse_id=warehouse_id
    )


def available(product_id: int, warehouse_id: int) -> Decimal:
    """What can be promised or sold now: on hand − reserved (never below 0)."""
    level = StockLevel.objects.filter(
        product_id=product_id, warehouse_id=warehouse_id
    ).first()
    return max(level.available, ZERO) if level else ZERO


SUMMARY_COLUMNS = [
    "opening_q", "opening_v", "receipt_q", "receipt_v", "sales_return_q",
    "sales_return_v", "other_in_q", "other_in_v", "shipment_q", "shipment_v",
    "purchase_return_q", "purchase_return_v", "other_out_q", "other_out_v",
    "closing_q", "closing_v",
]  # fmt: skip
# Cost corrections move value only (quantity 0): a rise is "other in", a fall
# "other out", with no quantity, so the closing value agrees with the balances.
OTHER = [
    "opening", "adjustment", "stocktake", "cost_adjustment", "transfer_in",
    "transfer_out",
]  # fmt: skip


def _summary_sums(moves, start, snapshot_month, warehouse_id):
    """SUM(...) FILTER (...) per product over the moves: one statement."""
    inside = Q(occurred_at__gte=start)
    other = Q(kind__in=OTHER) if warehouse_id else Q(kind__in=OTHER[:4])
    # In and out by sign of the quantity, or of the value for a value-only move.
    other_in = other & (Q(quantity__gt=0) | Q(quantity=0, value__gt=0))
    other_out = other & (Q(quantity__lt=0) | Q(quantity=0, value__lt=0))

    def s(field, condition, output):
        return total(field, output, filter=condition)

    columns = {
        "receipt_q": s("quantity", inside & Q(kind="receipt"), QTY_FIELD),
        "receipt_v": s("value", inside & Q(kind="receipt"), VALUE_FIELD),
        "sales_return_q": s("quantity", inside & Q(kind="sales_return"), QTY_FIELD),
        "sales_return_v": s("value", inside & Q(kind="sales_return"), VALUE_FIELD),
        "other_in_q": s("quantity", inside & other_in, QTY_FIELD),
        "other_in_v": s("value", inside & other_in, VALUE_FIELD),
        "shipment_q": s("quantity", inside & Q(kind="shipment"), QTY_FIELD),
        "shipment_v": s("value", inside & Q(kind="shipment"), VALUE_FIELD),
        "purchase_return_q": s(
            "quantity", inside & Q(kind="purchase_return"), QTY_FIELD
        ),
        "purchase_return_v": s(
            "value", inside & Q(kind="purchase_return"), VALUE_FIELD
        ),
        "other_out_q": s("quantity", inside & other_out, QTY_FIELD),
        "other_out_v": s("value", inside & other_out, VALUE_FIELD),
    }
    if snapshot_month is None:
        columns["opening_q"] = s("quantity", Q(occurred_at__lt=start), QTY_FIELD)
        columns["opening_v"] = s("value", Q(occurred_at__lt=start), VALUE_FIELD)
    return moves.values("product_id").order_by().annotate(**columns)


@dataclass(frozen=True, slots=True)
class ProductLabel:
    """What a report row shows of its product (no model instance per row)."""

    pk: int
    sku: str
    name: str
    unit: str
    category_name: str | None
    lead_time_days: int


def monthly_summary(
    *, start, end, warehouse_id=None, category_id=None, snapshot_month=None
):
    """进销存汇总: per product, opening + in − out = closing over [start, end).

    ``snapshot_month`` (a closed month ending at ``start``) gives the opening
    balances; otherwise they are summed from the ledger. Without a warehouse,
    transfers between warehouses cancel out and are left out; with one, they are
    "other in/out". Returns (rows, totals); outs are positive numbers.
    """
    from inventory.models import MonthSnapshot

    moves = StockMove.objects.filter(occurred_at__lt=end)
    snapshots = (
        MonthSnapshot.objects.filter(closed_month__month=snapshot_month)
        if snapshot_month
        else MonthSnapshot.objects.none()
    )
    if snapshot_month is not None:
        moves = moves.filter(occurred_at__gte=start)
    if warehouse_id:
        moves = moves.filter(warehouse_id=warehouse_id)
        snapshots = snapshots.filter(warehouse_id=warehouse_id)
    if category_id:
        moves = moves.filter(product__category_id=category_id)
        snapshots = snapshots.filter(product__category_id=category_id)
    rows = {
        row["product_id"]: row
        for row in _summary_sums(moves, start, snapshot_month, warehouse_id)
    }
    if snapshot_month is not None:
        opening = {
            row["product_id"]: row
            for row in snapshots.values("product_id")
            .annotate(
                opening_q=total("quantity", QTY_FIELD),
                opening_v=total("value", VALUE_FIELD),
            )
            .order_by()
        }
        empty = dict.fromkeys(SUMMARY_COLUMNS[2:14], ZERO)
        for product_id, row in opening.items():
            rows.setdefault(product_id, {"product_id": product_id, **empty}).update(row)
        for row in rows.values():
            row.setdefault("opening_q", ZERO)
            row.setdefault("opening_v", ZERO)
    products = {
        pk: ProductLabel(pk, *label)
        for pk, *label in Product.objects.filter(pk__in=list(rows)).values_list(
            "pk", "sku", "name", "unit", "category__name", "lead_time_days"
        )
    }
    # The totals add up the per-product sums SQL returned (exact: every sum is
    # already rounded to the column's places), rather than scanning the moves again.
    totals = dict.fromkeys(SUMMARY_COLUMNS[:14], ZERO)
    for row in rows.values():
        for key in totals:
            totals[key] += row.get(key) or ZERO
    result = []
    for data in (
        totals,
        *[rows[pk] for pk in sorted(rows, key=lambda pk: products[pk].sku)],
    ):
        data = {key: value or ZERO for key, value in data.items()}
        for key in ("shipment", "purchase_return", "other_out"):
            data[f"{key}_q"], data[f"{key}_v"] = -data[f"{key}_q"], -data[f"{key}_v"]
        data["closing_q"] = (
            data["opening_q"]
            + data["receipt_q"]
            + data["sales_return_q"]
            + data["other_in_q"]
            - data["shipment_q"]
            - data["purchase_return_q"]
            - data["other_out_q"]
        )
        data["closing_v"] = (
            data["opening_v"]
            + data["receipt_v"]
            + data["sales_return_v"]
            + data["other_in_v"]
            - data["shipment_v"]
            - data["purchase_return_v"]
            - data["other_out_v"]
        )
        if "product_id" in data:
            data["product"] = products[data["product_id"]]
        result.append(data)
    totals, rows = (
        result[0],
        [r for r in result[1:] if any(r[c] for c in SUMMARY_COLUMNS)],
    )
    return rows, totals


def sold_subquery(since, product_ref="pk"):
    """SQL for a product's net quantity sold since ``since`` (shipments − returns)."""
    sold = (
        StockMove.objects.filter(
            product_id=OuterRef(product_ref),
            occurred_at__gte=since,
            kind__in=["shipment", "sales_return"],
        )
        .values("product_id")
        .annotate(s=Sum("quantity"))
        .values("s")
    )
    return Coalesce(-Subquery(sold), Value(ZERO), output_field=QTY_FIELD)


def level_sum_subquery(field: str, product_ref="pk"):
    """SQL for the sum of a product's balances (on hand, reserved or value): its
    ProductStock row, which the posting service keeps equal to Σ its levels."""
    output = VALUE_FIELD if field == "value" else QTY_FIELD
    row = ProductStock.objects.filter(product_id=OuterRef(product_ref))
    return Coalesce(
        Subquery(row.values(field)[:1], output_field=output),
        Value(ZERO),
        output_field=output,
    )


def stock_value_total() -> Decimal:
    """Σ stock value over every product (their totals rows, not every level)."""
    return ProductStock.objects.aggregate(v=total("value", VALUE_FIELD))["v"] or ZERO


def below_safety_count() -> int:
    return stock_overview().filter(is_active=True, below_safety=True).count()


def slow_movers(since) -> QuerySet:
    """Products in stock that sold nothing since ``since``: capital tied up."""
    from django.db.models import Max

    last_sale = (
        StockMove.objects.filter(product_id=OuterRef("pk"), kind="shipment")
        .values("product_id")
        .annotate(m=Max("occurred_at"))
        .values("m")
    )
    return (
        Product.objects.select_related("category")
        .annotate(
            on_hand=level_sum_subquery("on_hand"),
            value=level_sum_subquery("value"),
            last_sale=Subquery(last_sale),
        )
        .filter(on_hand__gt=0)
        .filter(Q(last_sale__isnull=True) | Q(last_sale__lt=since))
        .order_by("-value")
    )

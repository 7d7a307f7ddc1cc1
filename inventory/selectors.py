"""Reads of stock: balances, the ledger, drift checks. Fixed query counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections, router
from django.db.models import (
    Case,
    Count,
    Exists,
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
from inventory.months import latest_closed, moment, next_month
from jxc.decimals import money
from jxc.formatting import plain
from jxc.models import cost_field, money_field, quantity_field

ZERO = Decimal("0")
QTY_FIELD = quantity_field()
VALUE_FIELD = money_field()
COST_FIELD = cost_field()


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


def stock_value_by_shop() -> dict[int, Decimal]:
    """Stock value on hand now per shop: {shop id: value} (one grouped sum)."""
    rows = StockLevel.objects.values("warehouse__shop_id").annotate(total=Sum("value"))
    return {row["warehouse__shop_id"]: row["total"] or ZERO for row in rows}


def product_levels(product_id: int) -> QuerySet:
    return (
        StockLevel.objects.filter(product_id=product_id)
        .select_related("warehouse")
        .order_by("warehouse__code")
    )


def posted_costs(source) -> dict[int | None, tuple[Decimal, Decimal]]:
    """{document line id: (unit cost, value)} of the moves a document posted (not
    its reversals): what the ledger decided, for the document to show. ``source``
    is a ``jxc.posting.SourceRef``; one query on the moves' source index."""
    return {
        line: (cost, value)
        for line, cost, value in StockMove.objects.filter(
            source_type_id=source.content_type_id,
            source_id=source.object_id,
            is_reversal=False,
        ).values_list("source_line", "unit_cost", "value")
    }


def recent_moves(
    product_id: int, limit: int = 10, warehouse_ids: list[int] | None = None
) -> list[StockMove]:
    moves = StockMove.objects.filter(product_id=product_id)
    if warehouse_ids is not None:
        moves = moves.filter(warehouse_id__in=warehouse_ids)
    return list(
        moves.select_related("warehouse", "source_type").order_by(
            "-occurred_at", "-id"
        )[:limit]
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


IN = "kind IN ({other}) AND (quantity > 0 OR quantity = 0 AND value > 0)"
OUT = "kind IN ({other}) AND (quantity < 0 OR quantity = 0 AND value < 0)"
# (column, condition on a move of the period, sign). Every SQL text the summary
# builds comes from these constants and column names; values are parameters.
FLOWS = [
    ("receipt", "kind = 'receipt'", ""),
    ("sales_return", "kind = 'sales_return'", ""),
    ("other_in", IN, ""),
    ("shipment", "kind = 'shipment'", "-"),
    ("purchase_return", "kind = 'purchase_return'", "-"),
    ("other_out", OUT, "-"),
]


def _summary_rows_sql(
    *, snapshot, warehouse, category, by_warehouse=False, before_start=True, shop=None
) -> str:
    """The summary's rows as SQL: one pass over the moves up to the period's end
    (from the end of the snapshot's month, when given, whose balances are added
    to the opening), one row per product (and warehouse), every column rounded to
    its places, outs positive, closing = opening + ins − outs. Cost corrections
    (quantity 0) are other in or out by the sign of their value. Parameters:
    start, end, snapshot, after_snapshot, warehouse, category, shop (a shop: its
    warehouses; transfers to other shops are other in/out). ``before_start``
    False: no move comes before start (the period starts where the snapshot
    ends), so the flows need no date condition and the moves no opening sums."""
    # Without a warehouse, transfers between warehouses cancel out: left out.
    kinds = OTHER if warehouse or shop or by_warehouse else OTHER[:4]
    other = ", ".join(f"'{kind}'" for kind in kinds)
    where = ["occurred_at < %(end)s"]
    snap_where = ["c.month = %(snapshot)s"]
    if snapshot is not None:
        # The moves after the snapshot's month: before start they add to the
        # opening, from start on they are the period's flows.
        where.append("occurred_at >= %(after_snapshot)s")
    if warehouse:
        where.append("warehouse_id = %(warehouse)s")
        snap_where.append("s.warehouse_id = %(warehouse)s")
    if shop:
        shop_warehouses = "SELECT id FROM catalog_warehouse WHERE shop_id = %(shop)s"
        where.append(f"warehouse_id IN ({shop_warehouses})")
        snap_where.append(f"s.warehouse_id IN ({shop_warehouses})")
    if category:
        products = "SELECT id FROM catalog_product WHERE category_id = %(category)s"
        where.append(f"product_id IN ({products})")
        snap_where.append(f"s.product_id IN ({products})")
    keys = ["product_id", "warehouse_id"] if by_warehouse else ["product_id"]
    sums = []
    inside = ""
    if before_start or snapshot is None:
        sums = [
            "SUM(quantity) FILTER (WHERE occurred_at < %(start)s) AS opening_q",
            "SUM(value) FILTER (WHERE occurred_at < %(start)s) AS opening_v",
        ]
        inside = "occurred_at >= %(start)s AND "
    for name, condition, _sign in FLOWS:
        condition = inside + condition.format(other=other)
        sums.append(f"SUM(quantity) FILTER (WHERE {condition}) AS {name}_q")
        sums.append(f"SUM(value) FILTER (WHERE {condition}) AS {name}_v")
    moves = (
        f"SELECT {', '.join(keys)}, {', '.join(sums)} "  # noqa: S608
        f"FROM inventory_stockmove WHERE {' AND '.join(where)} "
        f"GROUP BY {', '.join(keys)}"
    )
    places = {"q": 3, "v": 2}
    if snapshot is None:
        source = f"({moves}) m"
        key_columns = [f"m.{key}" for key in keys]
        opening = {part: f"m.opening_{part}" for part in places}
    else:
        balances = (
            f"SELECT {', '.join('s.' + key for key in keys)}, "  # noqa: S608
            "SUM(s.quantity) AS q, SUM(s.value) AS v "
            "FROM inventory_monthsnapshot s JOIN inventory_closedmonth c "
            f"ON c.id = s.closed_month_id WHERE {' AND '.join(snap_where)} "
            f"GROUP BY {', '.join('s.' + key for key in keys)}"
        )
        on = " AND ".join(f"m.{key} = b.{key}" for key in keys)
        source = f"({moves}) m FULL JOIN ({balances}) b ON {on}"
        key_columns = [f"COALESCE(m.{key}, b.{key}) AS {key}" for key in keys]
        opening = {
            part: f"COALESCE(m.opening_{part}, 0) + COALESCE(b.{part}, 0)"
            if inside
            else f"b.{part}"
            for part in places
        }
    columns = [
        f"ROUND(COALESCE({opening[part]}, 0), {places[part]}) AS opening_{part}"
        for part in places
    ]
    for name, _condition, sign in FLOWS:
        for part, digits in places.items():
            columns.append(
                f"{sign}ROUND(COALESCE(m.{name}_{part}, 0), {digits}) AS {name}_{part}"
            )
    closing = {
        part: f"opening_{part} + receipt_{part} + sales_return_{part} + "
        f"other_in_{part} - shipment_{part} - purchase_return_{part} - "
        f"other_out_{part}"
        for part in places
    }
    return (
        f"SELECT {', '.join(keys)}, {', '.join(SUMMARY_COLUMNS[:14])}, "  # noqa: S608
        f"{closing['q']} AS closing_q, {closing['v']} AS closing_v FROM ("
        f"SELECT {', '.join(key_columns)}, {', '.join(columns)} FROM {source}) f"
    )


NONZERO = " OR ".join(f"{c} <> 0" for c in SUMMARY_COLUMNS)


class SummaryRows(list):
    """The summary's rows (or one page of them: ``window``), with ``count``, the
    number of rows in the whole summary."""

    count_all: int = 0


def _summary_read(
    rows_sql: str,
    params: dict,
    stored: str = "TRUE",
    window=None,
    *,
    cheap=False,
    fields=None,
):
    """(rows, totals, stored) from SQL giving the summary's rows: one statement
    that adds the labels, leaves out rows of zeros, sorts by SKU, puts the totals
    (and the number of rows) first. ``stored``: an SQL truth the totals row
    carries. ``window``: (offset, limit), only those rows (a page): the totals
    still cover them all. ``cheap``: rows read from a table (a stored summary,
    no zero rows): read them again for the page, the count and the totals rather
    than materialize them. ``fields``: only these columns (fewer numbers to
    fetch and convert for a report that needs a few)."""
    fields = fields or SUMMARY_COLUMNS
    width = 7 + len(fields)
    totals = ", ".join(f"COALESCE(SUM({c}), 0)" for c in fields)
    columns = ", ".join(fields)
    limit = ""
    if window is not None:
        limit = " LIMIT %(_limit)s OFFSET %(_offset)s"
        params = {**params, "_offset": window[0], "_limit": window[1]}
    materialized = "NOT MATERIALIZED " if cheap else ""
    sql = (
        f"WITH r AS {materialized}({rows_sql}), "  # noqa: S608
        f"shown AS {materialized}("
        "SELECT p.id, p.sku, p.name, p.unit, g.name AS category, "
        f"p.lead_time_days, {columns} "
        "FROM r JOIN catalog_product p ON p.id = r.product_id "
        "LEFT JOIN catalog_category g ON g.id = p.category_id "
        f"WHERE {'TRUE' if cheap else NONZERO}) SELECT * FROM ("
        "SELECT 1 AS n, page.*, TRUE AS stored, NULL AS n_rows FROM ("
        f"SELECT * FROM shown ORDER BY sku{limit}) page "
        "UNION ALL SELECT 0, NULL, NULL, NULL, NULL, NULL, NULL, "
        f"{totals}, {stored}, (SELECT COUNT(*) FROM {'r' if cheap else 'shown'}) "
        "FROM r) u "
        "ORDER BY n, sku"
    )
    # The summary's one statement, on the database reads of the ledger go to (a
    # read replica on report pages, jxc/routers.py).
    connection = connections[router.db_for_read(StockMove)]
    with connection.cursor() as cursor:
        cursor.execute(sql, summary_params(params, connection))
        result = cursor.fetchall()
    head, *body = result
    if connection.vendor != "postgresql":
        # SQLite sums and rounds decimals as floating point: back to Decimal at
        # each column's places (PostgreSQL returns exact numerics already).
        head, body = (
            _decimals(head, fields, width),
            [_decimals(row, fields, width) for row in body],
        )
    totals = dict(zip(fields, head[7:width], strict=True))
    rows = SummaryRows()
    rows.count_all = head[width + 1]
    for row in body:
        data = dict(zip(fields, row[7:width], strict=True))
        data["product_id"] = row[1]
        data["product"] = ProductLabel(*row[1:7])
        rows.append(data)
    return rows, totals, bool(head[width])


def summary_params(params: dict, connection=None) -> dict:
    """Moments as the database stores them (SQLite: naive UTC text)."""
    connection = connection or connections[router.db_for_read(StockMove)]
    adapt = connection.ops.adapt_datetimefield_value
    return {
        key: adapt(value) if isinstance(value, datetime) else value
        for key, value in params.items()
    }


def _decimals(row, fields, width):
    figures = [
        Decimal(str(value or 0)).quantize(
            Decimal("0.001") if field.endswith("_q") else Decimal("0.01")
        )
        for field, value in zip(fields, row[7:width], strict=True)
    ]
    return (*row[:7], *figures, *row[width:])


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
    *,
    start,
    end,
    warehouse_id=None,
    category_id=None,
    snapshot_month=None,
    window=None,
    fields=None,
    shop_id=None,
):
    """进销存汇总: per product, opening + in − out = closing over [start, end).

    ``snapshot_month`` (a closed month ending at or before ``start``) gives the
    opening balances; otherwise they are summed from the ledger. Without a warehouse,
    transfers between warehouses cancel out and are left out; with one, they are
    "other in/out". Returns (rows, totals); outs are positive numbers; ``window``
    (offset, limit): only those rows, ``rows.count_all`` the whole count. One SQL
    statement: the sums, closing, labels, order and totals are all computed there.
    """
    after_snapshot = moment(next_month(snapshot_month)) if snapshot_month else None
    sql = _summary_rows_sql(
        snapshot=snapshot_month,
        warehouse=warehouse_id,
        category=category_id,
        before_start=after_snapshot is None or start != after_snapshot,
        shop=shop_id,
    )
    params = {
        "start": start,
        "end": end,
        "snapshot": snapshot_month,
        "after_snapshot": after_snapshot,
        "warehouse": warehouse_id,
        "category": category_id,
        "shop": shop_id,
    }
    rows, totals, _stored = _summary_read(sql, params, window=window, fields=fields)
    return rows, totals


def stored_summary(
    *, month: date, warehouse_id=None, category_id=None, window=None, fields=None
):
    """A closed month's summary as the close stored it: (rows, totals), or None
    when the month is not closed or was closed before summaries were stored."""
    sql = (
        "SELECT s.* FROM inventory_monthsummary s JOIN inventory_closedmonth c "  # noqa: S608
        "ON c.id = s.closed_month_id WHERE c.month = %(month)s AND "
        + (
            "s.warehouse_id = %(warehouse)s"
            if warehouse_id
            else "s.warehouse_id IS NULL"
        )
        + (
            " AND s.product_id IN (SELECT id FROM catalog_product "
            "WHERE category_id = %(category)s)"
            if category_id
            else ""
        )
    )
    params = {"month": month, "warehouse": warehouse_id, "category": category_id}
    stored = (
        "COALESCE((SELECT summary_stored FROM inventory_closedmonth "
        "WHERE month = %(month)s), FALSE)"
    )
    rows, totals, found = _summary_read(
        sql, params, stored, window, cheap=True, fields=fields
    )
    return (rows, totals) if found else None


def sold_subquery(since, product_ref="pk", shop_id=None):
    """SQL for a product's net quantity sold since ``since`` (shipments − returns;
    ``shop_id``: from that shop's warehouses)."""
    sold = (
        StockMove.objects.filter(
            product_id=OuterRef(product_ref),
            occurred_at__gte=since,
            kind__in=["shipment", "sales_return"],
            **({} if shop_id is None else {"warehouse__shop_id": shop_id}),
        )
        .values("product_id")
        .annotate(s=Sum("quantity"))
        .values("s")
    )
    return Coalesce(-Subquery(sold), Value(ZERO), output_field=QTY_FIELD)


def level_sum_subquery(field: str, product_ref="pk", shop_id=None):
    """SQL for the sum of a product's balances (on hand, reserved or value): its
    ProductStock row, which the posting service keeps equal to Σ its levels;
    ``shop_id``: Σ its levels in that shop's warehouses."""
    output = VALUE_FIELD if field == "value" else QTY_FIELD
    if shop_id is not None:
        levels = (
            StockLevel.objects.filter(
                product_id=OuterRef(product_ref), warehouse__shop_id=shop_id
            )
            .values("product_id")
            .annotate(s=Sum(field))
            .values("s")
        )
        return Coalesce(
            Subquery(levels, output_field=output), Value(ZERO), output_field=output
        )
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


def slow_movers(since, shop_id=None) -> QuerySet:
    """Products in stock that sold nothing since ``since``: capital tied up
    (``shop_id``: in stock in that shop and not sold from it).

    "Sold nothing" is a NOT EXISTS probe of the (product, kind, occurred_at) index;
    the last sale is read (one index row) only for the products that qualify."""
    where = {} if shop_id is None else {"warehouse__shop_id": shop_id}
    sold_since = StockMove.objects.filter(
        product_id=OuterRef("pk"), kind="shipment", occurred_at__gte=since, **where
    )
    last_sale = (
        StockMove.objects.filter(product_id=OuterRef("pk"), kind="shipment", **where)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return (
        Product.objects.select_related("category")
        .annotate(on_hand=level_sum_subquery("on_hand", shop_id=shop_id))
        .filter(on_hand__gt=0)
        .filter(~Exists(sold_since))
        .annotate(
            value=level_sum_subquery("value", shop_id=shop_id),
            last_sale=Subquery(last_sale),
        )
        .order_by("-value", "sku")
    )


def opening_import_plan(table, lines: list[tuple]):
    """The preview of an opening-stock import: its lines, quantity and value, the
    first rows, and products that already have stock where the file books more."""
    from jxc.import_flow import PREVIEW_ROWS, ImportPlan
    from jxc.tabular import RowError

    numbered = list(zip((number for number, _raw in table.rows), lines, strict=True))
    # Per the unit it was entered in (3 箱 × ¥50.00).
    value = sum((money(q * cost) for _p, _w, q, cost, *_u in lines), Decimal(0))
    plan = ImportPlan(
        counts=[
            (_("lines"), len(lines)),
            (_("products"), len({product.pk for product, *_rest in lines})),
            (_("value"), value),
        ],
        headers=[
            _("Row"),
            _("SKU"),
            _("Name"),
            _("Warehouse"),
            _("Quantity"),
            _("Unit cost"),
        ],  # fmt: skip
        rows=[
            [
                number,
                product.sku,
                product.name,
                warehouse.name,
                " ".join([plain(quantity), *(u.name for u in unit)]),
                plain(cost),
            ]  # fmt: skip
            for number, (product, warehouse, quantity, cost, *unit) in numbered[
                :PREVIEW_ROWS
            ]
        ],
        total=len(lines),
    )
    held = {
        (level.product_id, level.warehouse_id): level.on_hand
        for level in StockLevel.objects.filter(
            product_id__in={product.pk for product, *_rest in lines}, on_hand__gt=0
        )
    }
    column = next(c.header for c in table.columns if c.key == "sku")
    for number, (product, warehouse, *_rest) in numbered:
        on_hand = held.get((product.pk, warehouse.pk))
        if on_hand:
            plan.warnings.append(
                RowError(
                    number,
                    column,
                    _(
                        "“%(name)s” already has %(quantity)s in %(warehouse)s; "
                        "this adds to it"
                    )
                    % {
                        "name": product.name,
                        "quantity": on_hand.normalize(),
                        "warehouse": warehouse.name,
                    },  # fmt: skip
                )
            )
    return plan


# --- a style's stock by size and colour ---------------------------------------------


@dataclass
class StyleStock:
    """A style's variants as a grid: the last attribute's values across (sizes),
    the combinations of the others down (colours); each cell the variant's
    on hand and available, or None where no variant exists."""

    columns: list
    rows: list  # (label, [cell or None, ...], row totals)
    totals: list  # per column (on hand, available)
    total: tuple


def style_stock(style, warehouse_id: int | None = None) -> StyleStock:
    """The stock grid of a style in one warehouse or all (three queries: the
    style's values, its variants, their balances summed)."""
    import itertools

    from catalog.selectors import style_axes, variant_key

    axes = style_axes(style)
    variants = {p.variant_key: p for p in style.variants.all()}
    levels = StockLevel.objects.filter(product__style=style)
    if warehouse_id:
        levels = levels.filter(warehouse_id=warehouse_id)
    balances = {
        row["product_id"]: (row["on_hand"], row["on_hand"] - row["reserved"])
        for row in levels.values("product_id").annotate(
            on_hand=Sum("on_hand"), reserved=Sum("reserved")
        )
    }
    if not axes:
        return StyleStock([], [], [], (ZERO, ZERO))
    columns = axes[-1][1]
    down = list(itertools.product(*[values for _a, values in axes[:-1]]))
    rows, totals = [], [[ZERO, ZERO] for _ in columns]
    for combo in down:
        cells, row_total = [], [ZERO, ZERO]
        for index, column in enumerate(columns):
            product = variants.get(variant_key([*combo, column]))
            if product is None:
                cells.append(None)
                continue
            on_hand, available = balances.get(product.pk, (ZERO, ZERO))
            cells.append((product, on_hand, available))
            for part, amount in enumerate((on_hand, available)):
                row_total[part] += amount
                totals[index][part] += amount
        rows.append((" ".join(value.name for value in combo), cells, row_total))
    total = (sum(t[0] for t in totals), sum(t[1] for t in totals))
    return StyleStock(columns, rows, totals, total)

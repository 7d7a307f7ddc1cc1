"""The only writer of stock: every StockMove and StockLevel change passes here.

One posting runs in one transaction: it locks the StockLevel rows it touches in
(product, warehouse) order, so two documents touching the same products can never
deadlock; computes moving-average costs; writes all moves in one statement and all
levels in one statement. A short line raises InsufficientStock naming every short
line, and nothing is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import shops
from catalog.models import Product, Warehouse
from inventory.models import MoveKind, ProductStock, StockLevel, StockMove
from inventory.months import check_open
from inventory.signals import stock_changed
from jxc.bulk import rows_update
from jxc.decimals import (
    MAX_QUANTITY,
    MAX_VALUE,
    QUANTITY_PLACES,
    money,
    round_to,
    unit_cost,
)
from jxc.documents import posting
from jxc.formatting import qty
from jxc.posting import SourceRef

ZERO = Decimal("0")


@dataclass(frozen=True)
class Undo:
    """The move a reversal line takes back, as the ledger recorded it."""

    balance_after: Decimal
    value_after: Decimal
    value: Decimal
    unit_cost_before: Decimal


@dataclass(frozen=True)
class MoveLine:
    """One stock change a document asks for.

    ``quantity`` is signed: positive comes in, negative goes out. Inbound lines
    carry their ``unit_cost``; None means "at the current moving-average cost"
    (adjustments, stocktake surpluses). Outbound lines normally leave at the
    average cost (None); a purchase return or a reversal gives the cost the goods
    came in at. ``paired_with`` makes an inbound line take
    exactly the value that line index ``paired_with`` took out (transfers).
    """

    product_id: int
    warehouse_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None
    line: int | None = None
    kind: str | None = None
    paired_with: int | None = None
    value: Decimal | None = None  # inbound only: bring back exactly this value
    undo: Undo | None = None  # reversals: the move taken back (set by the ledger)


@dataclass
class Shortage:
    product: Product
    warehouse: Warehouse
    on_hand: Decimal
    requested: Decimal
    free_only: bool = False  # on_hand is what is free: the rest is reserved

    def __str__(self):
        if self.free_only:
            return _(
                "%(product)s in %(warehouse)s: %(on_hand)s %(unit)s available (the "
                "rest is reserved for orders), %(requested)s %(unit)s needed"
            ) % {
                "product": self.product.name,
                "warehouse": self.warehouse.name,
                "on_hand": qty(self.on_hand),
                "requested": qty(self.requested),
                "unit": self.product.unit,
            }
        return _(
            "%(product)s in %(warehouse)s: %(on_hand)s %(unit)s on hand, "
            "%(requested)s %(unit)s needed"
        ) % {
            "product": self.product.name,
            "warehouse": self.warehouse.name,
            "on_hand": qty(self.on_hand),
            "requested": qty(self.requested),
            "unit": self.product.unit,
        }


class InsufficientStock(ValidationError):
    """Some lines need more than is there; nothing was written. A refusal like any
    other (pages show its message), carrying the short lines for those that need
    them."""

    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages
        super().__init__(
            _("Not enough stock: %(lines)s")
            % {"lines": "; ".join(str(s) for s in shortages)}
        )


def stock_levels_lock(
    pairs: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], StockLevel]:
    """Lock (creating if missing) the StockLevel rows for (product, warehouse) pairs.

    Rows are locked with SELECT ... FOR UPDATE ordered by (product, warehouse), so
    every posting takes its locks in the same order and none waits on another in a
    cycle. Missing rows are inserted ignoring conflicts first: two first receipts
    of a new product cannot both create it, nor miss each other's row.
    """
    wanted = sorted(set(pairs))
    if not wanted:
        return {}
    products = {p for p, _w in wanted}
    warehouses = {w for _p, w in wanted}

    def locked():
        rows = (
            StockLevel.objects.select_for_update()
            .filter(product_id__in=products, warehouse_id__in=warehouses)
            .order_by("product_id", "warehouse_id")
        )
        return {(r.product_id, r.warehouse_id): r for r in rows}

    levels = locked()
    missing = [pair for pair in wanted if pair not in levels]
    if missing:
        StockLevel.objects.bulk_create(
            [StockLevel(product_id=p, warehouse_id=w) for p, w in missing],
            ignore_conflicts=True,
        )
        levels = locked()
    return {pair: levels[pair] for pair in wanted}


def product_stock_add(deltas: dict[int, tuple[Decimal, Decimal, Decimal]]) -> None:
    """Add (on hand, reserved, value) changes to the products' totals, in one
    statement, in the transaction that changed their levels.

    Called after the StockLevel rows are locked and written: the rows are
    inserted or updated in product order, so two postings lock the totals in
    the same order and cannot deadlock on them (every posting takes all its
    level locks first, then its total locks). A missing row is created.

    The totals are shared by every warehouse: a caller that reserves or
    releases several products in one transaction (sales: confirm, end, expire)
    must do so in product order, as it already does for the levels, so that no
    transaction waits for a total while holding a higher one.
    """
    rows = sorted(
        (product_id, *delta) for product_id, delta in deltas.items() if any(delta)
    )
    if not rows:
        return
    table = connection.ops.quote_name(ProductStock._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            # Only the table name and placeholders are formatted in.
            f"INSERT INTO {table} AS t (product_id, on_hand, reserved, value) "  # noqa: S608
            f"VALUES {values} ON CONFLICT (product_id) DO UPDATE SET "
            "on_hand = t.on_hand + EXCLUDED.on_hand, "
            "reserved = t.reserved + EXCLUDED.reserved, "
            "value = t.value + EXCLUDED.value",
            [field for row in rows for field in row],
        )


def _level_deltas(levels, before) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """What the levels changed by since ``before``, summed per product."""
    deltas: dict[int, tuple[Decimal, Decimal, Decimal]] = {}
    for pair, level in levels.items():
        on_hand, reserved, value = before[pair]
        q, r, v = deltas.get(pair[0], (ZERO, ZERO, ZERO))
        deltas[pair[0]] = (
            q + level.on_hand - on_hand,
            r + level.reserved - reserved,
            v + level.value - value,
        )
    return deltas


def _check_quantity(quantity: Decimal, *, value_only: bool = False) -> None:
    if value_only:
        if quantity != 0:
            raise ValidationError(_("A cost correction moves no quantity."))
        return
    if quantity == 0:
        raise ValidationError(_("A quantity cannot be zero."))
    if abs(quantity) > MAX_QUANTITY:
        raise ValidationError(_("The quantity %(q)s is too large.") % {"q": quantity})
    if round_to(quantity, QUANTITY_PLACES) != quantity:
        raise ValidationError(
            _("Quantities have at most 3 decimals (%(q)s has more).") % {"q": quantity}
        )


def _master_data(lines: Sequence[MoveLine], allow_inactive: bool, user=None):
    products = Product.objects.in_bulk({line.product_id for line in lines})
    warehouses = Warehouse.objects.all()
    checked = user is not None and not shops.sees_all_shops(user)
    if checked:
        # A clerk posts only into their shops' warehouses (read in the same query).
        warehouses = warehouses.annotate(
            allowed=ExpressionWrapper(
                # Transit (在途) is in no shop: transfer requests ship into it and
                # receive out of it, and no form offers it.
                shops.warehouse_rule(user) | Q(is_transit=True),
                output_field=BooleanField(),
            )
        )
    warehouses = warehouses.in_bulk({line.warehouse_id for line in lines})
    for line in lines:
        product = products.get(line.product_id)
        warehouse = warehouses.get(line.warehouse_id)
        if product is None or warehouse is None:
            raise ValidationError(_("Unknown product or warehouse."))
        if checked and not warehouse.allowed:
            raise PermissionDenied
        if not allow_inactive and not product.is_active:
            raise ValidationError(
                _("“%(name)s” is deactivated; activate it before moving its stock.")
                % {"name": product.name}
            )
        if not allow_inactive and not warehouse.is_active:
            raise ValidationError(
                _("The warehouse “%(name)s” is deactivated.") % {"name": warehouse.name}
            )
    return products, warehouses


@posting
def stock_moves_post(
    *,
    lines: Sequence[MoveLine],
    kind: str,
    source: SourceRef | None,
    occurred_at,
    user,
    reversal: bool = False,
    allow_inactive: bool = False,
    sale: bool = False,
    own_reserved: dict[tuple[int, int], Decimal] | None = None,
) -> list[StockMove]:
    """Post lines of one kind as ledger moves and update the balances, atomically.

    Raises ValidationError for bad lines and InsufficientStock when any outbound
    line needs more than is on hand; in both cases nothing is written.

    A ``sale`` never takes stock reserved for another order: it may use free
    stock (on hand − reserved) plus ``own_reserved``, the reservation the shipped
    order holds per (product, warehouse), which the sale consumes.
    """
    own_reserved = own_reserved or {}
    if not lines:
        raise ValidationError(_("A document needs at least one line."))
    lines = [line if line.kind else _with_kind(line, kind) for line in lines]
    for line in lines:
        _check_quantity(line.quantity, value_only=line.kind == MoveKind.COST_ADJUSTMENT)
        if line.unit_cost is not None and line.unit_cost < 0:
            raise ValidationError(_("A unit cost cannot be negative."))
    check_open(occurred_at)
    products, warehouses = _master_data(lines, allow_inactive or reversal, user)
    levels = stock_levels_lock((line.product_id, line.warehouse_id) for line in lines)
    before = {
        pair: (level.on_hand, level.reserved, level.value)
        for pair, level in levels.items()
    }

    # Shortages are checked over the whole document first, so the message names
    # every short line and nothing is half-posted.
    needed: dict[tuple[int, int], Decimal] = {}
    for line in lines:
        if line.quantity < 0:
            key = (line.product_id, line.warehouse_id)
            needed[key] = needed.get(key, ZERO) - line.quantity

    def usable(pair) -> Decimal:
        level = levels[pair]
        if not sale:
            return level.on_hand
        # Free stock plus the order's own promise; when promises exceed what is
        # on hand (an adjustment took some), the first order to ship gets it.
        own = min(own_reserved.get(pair, ZERO), level.reserved)
        return min(level.on_hand, max(level.on_hand - level.reserved, ZERO) + own)

    shortages = [
        Shortage(
            products[p],
            warehouses[w],
            usable((p, w)),
            amount,
            free_only=sale and usable((p, w)) < levels[(p, w)].on_hand,
        )
        for (p, w), amount in needed.items()
        if amount > usable((p, w))
    ]
    if shortages:
        raise InsufficientStock(shortages)
    if occurred_at < timezone.now() - NOW_WINDOW:
        _refuse_backdated_shortage(needed, levels, products, warehouses, occurred_at)
    for pair, amount in needed.items():
        if sale and own_reserved.get(pair):
            # The order's own promise is used up by what it ships.
            level = levels[pair]
            level.reserved -= min(own_reserved[pair], amount, level.reserved)

    if reversal and source is not None:
        lines = _undo_attached(lines, source)
    source_fields = {
        "source_type_id": source.content_type_id if source else None,
        "source_id": source.object_id if source else None,
        "source_number": source.number if source else "",
    }
    moves: list[StockMove] = []
    for line in lines:
        level = levels[(line.product_id, line.warehouse_id)]
        product = products[line.product_id]
        cost_before = level.unit_cost
        cost, delta = level_apply(
            level,
            line,
            fallback_cost=product.purchase_price,
            paired_value=(
                moves[line.paired_with].value if line.paired_with is not None else None
            ),
            name=product.name,
        )
        moves.append(
            StockMove(
                product_id=line.product_id,
                warehouse_id=line.warehouse_id,
                quantity=line.quantity,
                unit_cost=cost,
                value=delta,
                kind=line.kind,
                source_line=line.line,
                is_reversal=reversal,
                occurred_at=occurred_at,
                balance_after=level.on_hand,
                value_after=level.value,
                unit_cost_before=cost_before,
                created_by=user,
                **source_fields,
            )
        )
    StockMove.objects.bulk_create(moves)
    now = timezone.now()
    for level in levels.values():
        level.updated_at = now
    rows_update(
        list(levels.values()),
        ["on_hand", "reserved", "unit_cost", "value", "updated_at"],
    )
    product_stock_add(_level_deltas(levels, before))
    changed = []
    for pair, level in levels.items():
        if level.on_hand != before[pair][0]:
            level.product = products[pair[0]]
            changed.append(level)
    if changed:
        stock_changed.send(
            StockLevel, levels=changed, source=source, occurred_at=occurred_at
        )
    return moves


# A posting dated within this window before now is a posting made now: its
# place in the ledger's time order is when it was written (see ledger_time).
NOW_WINDOW = timedelta(minutes=5)


def ledger_time(occurred_at, created_at):
    """Where a move stands in the ledger's time order.

    A move posted now stands where it was written (``created_at``, taken under the
    balance's lock, so in the order postings took the stock): a sale whose form
    was read at 10:00:00.1 and that waited for a receipt written at 10:00:00.2
    stands after that receipt, as it did on the shelf. A backdated move (written
    more than NOW_WINDOW after its date) stands at its date. ``inventory.checks``
    orders the running balance by the same rule in SQL.
    """
    if occurred_at <= created_at < occurred_at + NOW_WINDOW:
        return created_at
    return occurred_at


def _refuse_backdated_shortage(needed, levels, products, warehouses, occurred_at):
    """Refuse an outbound move dated before moves already posted when the running
    balance would fall below zero at its date or at any later move.

    Reads the later moves of the pairs in one query (their rows are locked, so
    nothing changes under it) and walks each pair's balance from the document's
    date forward: the lowest point must still hold what the document takes.
    """
    later: dict[tuple[int, int], list] = {}
    for product_id, warehouse_id, quantity, at, written, pk in StockMove.objects.filter(
        product_id__in={p for p, _w in needed},
        warehouse_id__in={w for _p, w in needed},
        # A superset: moves posted now whose date is just before this one's may
        # still stand after it in the ledger's time order.
        occurred_at__gt=occurred_at - NOW_WINDOW,
    ).values_list(
        "product_id", "warehouse_id", "quantity", "occurred_at", "created_at", "pk"
    ):
        at = ledger_time(at, written)
        if at > occurred_at and (product_id, warehouse_id) in needed:
            later.setdefault((product_id, warehouse_id), []).append((at, pk, quantity))
    worst: dict[tuple[int, int], tuple[Decimal, object]] = {}
    for pair, moves in later.items():
        moves.sort()  # the ledger's time order
        # The balance at the document's date, then after each later move.
        balance = levels[pair].on_hand - sum(q for _at, _pk, q in moves)
        lowest = (balance, occurred_at)
        for at, _pk, quantity in moves:
            balance += quantity
            if balance < lowest[0]:
                lowest = (balance, at)
        worst[pair] = lowest
    problems = []
    for pair, (lowest, at) in worst.items():
        amount = needed[pair]
        if amount > lowest:
            problems.append(
                _(
                    "%(product)s in %(warehouse)s: dated %(day)s, this takes "
                    "%(requested)s %(unit)s, but stock on %(low_day)s would be "
                    "%(lowest)s %(unit)s (%(short)s %(unit)s short): later "
                    "documents already used it."
                )
                % {
                    "product": products[pair[0]].name,
                    "warehouse": warehouses[pair[1]].name,
                    "day": f"{timezone.localtime(occurred_at):%Y-%m-%d}",
                    "low_day": f"{timezone.localtime(at):%Y-%m-%d}",
                    "requested": qty(amount),
                    "lowest": qty(max(lowest, ZERO)),
                    "short": qty(amount - max(lowest, ZERO)),
                    "unit": products[pair[0]].unit,
                }
            )
    if problems:
        raise ValidationError(
            _("Not enough stock at that date: %(lines)s")
            % {"lines": "; ".join(problems)}
        )


def level_apply(
    level,
    line: MoveLine,
    *,
    fallback_cost: Decimal,
    paired_value: Decimal | None = None,
    name: str = "",
) -> tuple[Decimal, Decimal]:
    """Apply one line to a balance in memory; return the move's (unit cost, value).

    Moving weighted average: inbound at its cost (or the current average, else
    ``fallback_cost``); outbound at the average, or, for a return or a reversal,
    at the cost the goods came in at when the stock still holds that much value
    (else at the average: what remains must not be left at no cost). The last
    unit out takes whatever value is left, so no rounding residue stays.
    ``level`` is anything with on_hand, value and unit_cost (a StockLevel, or the
    benchmark loader's rows, which must come out exactly as posted here).

    A reversal whose balance is still exactly where its move left it (nothing
    moved since) takes back exactly that move's value and puts the unit cost back
    as it was. A cost correction (quantity 0) revalues what is on hand at its cost.
    """
    undo = line.undo
    if undo is not None and (level.on_hand, level.value) == (
        undo.balance_after,
        undo.value_after,
    ):
        cost = level.unit_cost if line.unit_cost is None else unit_cost(line.unit_cost)
        delta = -undo.value
        level.on_hand += line.quantity
        level.value += delta
        level.unit_cost = undo.unit_cost_before
        return cost, delta
    if line.quantity == 0:
        return _value_only(level, line, name)
    if line.quantity < 0:
        new_on_hand = level.on_hand + line.quantity
        cost = level.unit_cost
        if line.unit_cost is not None:
            own = money(-line.quantity * unit_cost(line.unit_cost))
            if new_on_hand == 0 or own <= level.value:
                cost = unit_cost(line.unit_cost)
        delta = -level.value if new_on_hand == 0 else -money(-line.quantity * cost)
        delta = max(delta, -level.value)
    else:
        if line.value is not None:
            # The exact value that left earlier comes back (cancelled returns).
            delta = money(line.value)
            cost = unit_cost(delta / line.quantity)
        elif paired_value is not None:
            delta = -paired_value
            cost = unit_cost(delta / line.quantity)
        else:
            cost = line.unit_cost
            if cost is None:
                cost = level.unit_cost or fallback_cost
            cost = unit_cost(cost)
            delta = money(line.quantity * cost)
        new_on_hand = level.on_hand + line.quantity
    if (
        abs(delta) > MAX_VALUE
        or level.value + delta > MAX_VALUE
        or (new_on_hand > MAX_QUANTITY)
    ):
        raise ValidationError(
            _(
                "%(name)s: the stock value or quantity would be larger than the "
                "system can hold. Check the quantity and the unit cost."
            )
            % {"name": name}
        )
    level.on_hand = new_on_hand
    level.value = level.value + delta
    if new_on_hand == 0:
        level.value = ZERO
    elif line.quantity > 0 or line.unit_cost is not None:
        level.unit_cost = unit_cost(level.value / new_on_hand)
    return cost, delta


def _value_only(level, line: MoveLine, name: str) -> tuple[Decimal, Decimal]:
    """A cost correction: what is on hand is worth on hand × the new unit cost."""
    if level.on_hand == 0 or line.unit_cost is None:
        raise ValidationError(
            _("%(name)s: nothing is on hand here, so there is no cost to correct.")
            % {"name": name}
        )
    cost = unit_cost(line.unit_cost)
    new_value = money(level.on_hand * cost)
    if new_value > MAX_VALUE:
        raise ValidationError(
            _(
                "%(name)s: the stock value or quantity would be larger than the "
                "system can hold. Check the quantity and the unit cost."
            )
            % {"name": name}
        )
    delta = new_value - level.value
    level.value = new_value
    level.unit_cost = cost
    return cost, delta


def _undo_attached(lines: list[MoveLine], source: SourceRef) -> list[MoveLine]:
    """Reversal lines with the move each takes back (same document line, product
    and warehouse, opposite sign), read in one query."""
    originals = {
        (m.source_line, m.product_id, m.warehouse_id, m.quantity > 0): m
        for m in StockMove.objects.filter(
            source_type_id=source.content_type_id,
            source_id=source.object_id,
            is_reversal=False,
            unit_cost_before__isnull=False,
        ).exclude(quantity=0)
    }
    attached = []
    for line in lines:
        move = originals.get(
            (line.line, line.product_id, line.warehouse_id, line.quantity < 0)
        )
        if move is not None and move.quantity == -line.quantity:
            line = dataclasses.replace(
                line,
                undo=Undo(
                    move.balance_after,
                    move.value_after,
                    move.value,
                    move.unit_cost_before,
                ),
            )
        attached.append(line)
    return attached


def _with_kind(line: MoveLine, kind: str) -> MoveLine:
    return dataclasses.replace(line, kind=kind)


# --- reservations ------------------------------------------------------------------


@posting
def stock_reserve(
    *, product_id: int, warehouse_id: int, quantity: Decimal
) -> StockLevel:
    """Promise stock to a sales order: at most on hand − reserved."""
    _check_quantity(quantity)
    level = stock_levels_lock([(product_id, warehouse_id)])[(product_id, warehouse_id)]
    if quantity > level.available:
        product = Product.objects.get(pk=product_id)
        raise InsufficientStock(
            [
                Shortage(
                    product,
                    Warehouse.objects.get(pk=warehouse_id),
                    max(level.available, ZERO),
                    quantity,
                )
            ]
        )
    level.reserved += quantity
    level.save(update_fields=["reserved", "updated_at"])
    product_stock_add({product_id: (ZERO, quantity, ZERO)})
    return level


@posting
def stock_release(
    *, product_id: int, warehouse_id: int, quantity: Decimal
) -> StockLevel:
    """Give back a promise (order shipped, cancelled or closed short)."""
    _check_quantity(quantity)
    level = stock_levels_lock([(product_id, warehouse_id)])[(product_id, warehouse_id)]
    if quantity > level.reserved:
        raise ValidationError(
            _("Cannot release %(q)s: only %(reserved)s is reserved.")
            % {"q": qty(quantity), "reserved": qty(level.reserved)}
        )
    level.reserved -= quantity
    level.save(update_fields=["reserved", "updated_at"])
    product_stock_add({product_id: (ZERO, -quantity, ZERO)})
    return level


def stock_document_reverse(
    *, source: SourceRef, occurred_at, user, free_only: bool = False
) -> list[StockMove]:
    """Post the reverse of every move a document posted (cancelling it).

    What came in goes out again at the cost it came in at (refused with
    InsufficientStock when it is no longer there; with ``free_only`` also when it
    would take stock reserved for a sales order, as a purchase or sales document's
    cancel must not); what went out comes back at the cost it left with. A transfer's
    two sides stay paired, so its value moves back exactly.
    """
    moves = list(
        StockMove.objects.filter(
            source_type_id=source.content_type_id,
            source_id=source.object_id,
            is_reversal=False,
        ).order_by("pk")
    )
    if not moves:
        return []  # e.g. a stocktake that found no difference
    lines: list[MoveLine] = []
    taken_out: dict[tuple, int] = {}
    for move in moves:
        if move.quantity > 0:
            taken_out[(move.source_line, move.product_id)] = len(lines)
            lines.append(
                MoveLine(
                    move.product_id,
                    move.warehouse_id,
                    -move.quantity,
                    move.unit_cost,
                    move.source_line,
                    move.kind,
                )
            )
    for move in moves:
        if move.quantity < 0:
            paired = (
                taken_out.get((move.source_line, move.product_id))
                if (move.kind == "transfer_out")
                else None
            )
            lines.append(
                MoveLine(
                    move.product_id,
                    move.warehouse_id,
                    -move.quantity,
                    move.unit_cost,
                    move.source_line,
                    move.kind,
                    paired,
                    # What left comes back with exactly the value it took out.
                    None if paired is not None else -move.value,
                )
            )
    return stock_moves_post(
        lines=lines,
        kind="",
        source=source,
        occurred_at=occurred_at,
        user=user,
        reversal=True,
        sale=free_only,
    )

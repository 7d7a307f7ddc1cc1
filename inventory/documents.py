"""Writes of inventory documents: adjustments, transfers, stocktakes, opening stock
(and the owner's stock settings).

Each posts its stock through inventory.services (the ledger's only writer) in the
same transaction as the document, and is cancelled by posting the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from audit.services import Action, audit_record
from catalog.models import PackageUnit, Product, Warehouse
from catalog.selectors import product_by_code, sellable_by_code
from inventory.models import (
    Adjustment,
    AdjustmentLine,
    CostAdjustment,
    InventorySettings,
    MoveKind,
    OpeningStock,
    OpeningStockLine,
    StockLevel,
    StockMove,
    Stocktake,
    StocktakeLine,
    Transfer,
    TransferLine,
)
from inventory.selectors import (
    inventory_settings,
    stocktake_is_large,
    stocktake_lines_measured,
    stocktake_row,
)
from inventory.services import (
    MoveLine,
    SourceRef,
    stock_document_reverse,
    stock_moves_post,
)
from jxc.decimals import MAX_PRICE, MAX_QUANTITY, money, unit_cost
from jxc.documents import StaleDocument, by_submission, lock, posting
from jxc.formatting import qty
from jxc.models import DocumentStatus
from jxc.numbering import document_number_later
from jxc.orders import cancel_entry
from jxc.units import entered_lines, entry, line_entry


@dataclass(frozen=True)
class AdjustmentInput:
    product: Product
    quantity: Decimal  # negative: written off; positive: found
    reason: str
    note: str = ""
    unit: PackageUnit | None = None  # ``quantity`` typed in it (None: the base unit)
    entered: Decimal | None = None  # set by jxc.units.entered_lines


def _refuse_duplicates(products: list[Product]) -> None:
    seen = set()
    for product in products:
        if product.pk in seen:
            raise ValidationError(
                _("“%(name)s” appears on two lines; put it on one line.")
                % {"name": product.name}
            )
        seen.add(product.pk)


def _posted(document, user, now) -> None:
    document.status = DocumentStatus.POSTED
    document.posted_by = user
    document.posted_at = now


@posting
def adjustment_post(
    *,
    warehouse: Warehouse,
    lines: list[AdjustmentInput],
    note: str,
    user,
    submission=None,
) -> Adjustment:
    """Write stock off (报损) or book found stock (报溢); found stock enters at cost.

    A second submit of the same form (``submission``) returns the first document.
    """
    if existing := by_submission(Adjustment, submission):
        return existing
    if not lines:
        raise ValidationError(_("A document needs at least one line."))
    _refuse_duplicates([line.product for line in lines])
    lines = entered_lines(lines)  # 箱 → 瓶 exactly, or refused before any write
    now = timezone.now()
    adjustment = Adjustment(
        submission=submission,
        warehouse=warehouse,
        note=note,
        created_by=user,
    )
    document_number_later(adjustment, prefix="ADJ")
    _posted(adjustment, user, now)
    adjustment.save()
    rows = AdjustmentLine.objects.bulk_create(
        [
            AdjustmentLine(
                adjustment=adjustment,
                product=line.product,
                reason=line.reason,
                **line_entry(line).fields(),
                note=line.note,
            )
            for line in lines
        ]
    )
    stock_moves_post(
        lines=[
            MoveLine(row.product_id, warehouse.pk, row.quantity, line=row.pk)
            for row in rows
        ],
        kind=MoveKind.ADJUSTMENT,
        source=SourceRef.of(adjustment),
        occurred_at=now,
        user=user,
    )
    audit_record(
        user=user,
        action=Action.POST,
        record=adjustment,
        changes={"warehouse": [None, str(warehouse)], "lines": [None, len(rows)]},
    )
    return adjustment


@posting
def cost_adjustment_post(
    *,
    warehouse: Warehouse,
    product: Product,
    new_unit_cost: Decimal,
    reason: str,
    user,
    submission=None,
    occurred_at=None,
) -> CostAdjustment:
    """成本调整: set the unit cost of what is on hand; one value-only ledger move
    (quantity 0) carries new value − old value, so Σ moves = balance still holds.

    Refused when nothing is on hand, for a negative, absurd or over-precise cost,
    without a reason, or into a closed month; nothing is written then.
    """
    if existing := by_submission(CostAdjustment, submission):
        return existing
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the cost is corrected."))
    if (
        not new_unit_cost.is_finite()
        or new_unit_cost < 0
        or new_unit_cost > MAX_PRICE
        or unit_cost(new_unit_cost) != new_unit_cost
    ):
        raise ValidationError(
            _("A unit cost is between 0 and 99,999,999.99, with at most 4 decimals.")
        )
    now = timezone.now()
    document = CostAdjustment(
        submission=submission,
        warehouse=warehouse,
        product=product,
        new_unit_cost=new_unit_cost,
        reason=reason,
        created_by=user,
    )
    document_number_later(document, prefix="CST")
    _posted(document, user, now)
    document.save()
    (move,) = stock_moves_post(
        lines=[MoveLine(product.pk, warehouse.pk, Decimal(0), new_unit_cost)],
        kind=MoveKind.COST_ADJUSTMENT,
        source=SourceRef.of(document),
        occurred_at=occurred_at or now,
        user=user,
    )
    document.on_hand = move.balance_after
    document.old_unit_cost = move.unit_cost_before
    document.value_change = move.value
    document.save(update_fields=["on_hand", "old_unit_cost", "value_change"])
    audit_record(
        user=user,
        action=Action.POST,
        record=document,
        summary=reason,
        changes={
            "product": [None, str(product)],
            "warehouse": [None, str(warehouse)],
            "unit_cost": [str(move.unit_cost_before), str(new_unit_cost)],
            "value": [str(move.value_after - move.value), str(move.value_after)],
        },
    )
    return document


@posting
def transfer_post(
    *,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    lines: list[tuple],
    note: str,
    user,
    submission=None,
) -> Transfer:
    """Move stock between warehouses: out at the source's cost, in at that value.

    A line is (product, quantity) or (product, quantity, unit): the quantity
    typed in a package unit (1 箱 = 24 瓶; None: the base unit), converted
    exactly or refused with nothing written."""
    if existing := by_submission(Transfer, submission):
        return existing
    if from_warehouse.pk == to_warehouse.pk:
        raise ValidationError(_("A transfer needs two different warehouses."))
    if not lines:
        raise ValidationError(_("A document needs at least one line."))
    _refuse_duplicates([line[0] for line in lines])
    steps = [(line[0], entry(*line)) for line in lines]
    for product, step in steps:
        if step.base <= 0:
            raise ValidationError(
                _("The quantity of “%(name)s” must be greater than zero.")
                % {"name": product.name}
            )
    now = timezone.now()
    transfer = Transfer(
        submission=submission,
        from_warehouse=from_warehouse,
        to_warehouse=to_warehouse,
        note=note,
        created_by=user,
    )
    document_number_later(transfer, prefix="TRF")
    _posted(transfer, user, now)
    transfer.save()
    rows = TransferLine.objects.bulk_create(
        [
            TransferLine(transfer=transfer, product=product, **step.fields())
            for product, step in steps
        ]
    )
    outs = [
        MoveLine(
            r.product_id,
            from_warehouse.pk,
            -r.quantity,
            line=r.pk,
            kind=MoveKind.TRANSFER_OUT,
        )
        for r in rows
    ]
    ins = [
        MoveLine(
            r.product_id,
            to_warehouse.pk,
            r.quantity,
            line=r.pk,
            kind=MoveKind.TRANSFER_IN,
            paired_with=index,
        )
        for index, r in enumerate(rows)
    ]
    stock_moves_post(
        lines=outs + ins,
        kind=MoveKind.TRANSFER_OUT,
        source=SourceRef.of(transfer),
        occurred_at=now,
        user=user,
    )
    audit_record(
        user=user,
        action=Action.POST,
        record=transfer,
        changes={
            "from_warehouse": [None, str(from_warehouse)],
            "to_warehouse": [None, str(to_warehouse)],
            "lines": [None, len(rows)],
        },
    )
    return transfer


@posting
def opening_stock_post(
    *,
    lines: list[tuple],
    note: str,
    user,
    submission=None,
    occurred_at=None,
) -> OpeningStock:
    """Book the stock a shop starts with (product, warehouse, quantity, unit cost
    [, unit]): with a package unit (箱) the quantity and the cost are per 箱, the
    ledger gets base units exactly (an inexact conversion is refused, nothing
    written) and exactly the line's value (2 箱 × ¥50.00 = ¥100.00).

    Uploading the same form twice (a double click, a retry) posts it once.
    """
    if existing := by_submission(OpeningStock, submission):
        return existing
    if not lines:
        raise ValidationError(_("A document needs at least one line."))
    steps = [(p, w, c, entry(p, q, *unit)) for p, w, q, c, *unit in lines]
    now = occurred_at or timezone.now()
    opening = OpeningStock(
        submission=submission,
        note=note,
        created_by=user,
    )
    document_number_later(opening, prefix="OPN")
    _posted(opening, user, now)
    opening.save()
    rows = OpeningStockLine.objects.bulk_create(
        [
            OpeningStockLine(
                opening=opening, product=p, warehouse=w, unit_cost=c, **step.fields()
            )
            for p, w, c, step in steps
        ]
    )
    stock_moves_post(
        lines=[
            MoveLine(
                r.product_id,
                r.warehouse_id,
                r.quantity,
                unit_cost(r.unit_cost / r.unit_factor),
                r.pk,
                # A line in 箱 brings in exactly its value, not 24 × ¥2.0833.
                value=money(r.entered * r.unit_cost) if r.unit_id else None,
            )
            for r in rows
        ],
        kind=MoveKind.OPENING,
        source=SourceRef.of(opening),
        occurred_at=now,
        user=user,
    )
    audit_record(
        user=user,
        action=Action.POST,
        record=opening,
        summary=note,
        changes={"lines": [None, len(rows)]},
    )
    return opening


@posting
def document_cancel(*, document, user, reason: str):
    """Cancel a posted document by posting the reverse of its moves, if stock allows."""
    document = lock(type(document), document.pk)
    if document.status != DocumentStatus.POSTED:
        raise ValidationError(
            _("%(number)s is %(status)s; only a posted document can be cancelled.")
            % {"number": document.number, "status": document.get_status_display()}
        )
    if not reason.strip():
        raise ValidationError(_("Say why the document is cancelled."))
    now = timezone.now()
    stock_document_reverse(source=SourceRef.of(document), occurred_at=now, user=user)
    document.save(
        update_fields=document.mark_cancelled(user=user, reason=reason, at=now)
    )
    cancel_entry(audit, document, user).save()
    return document


# --- stocktake ---------------------------------------------------------------------


@posting
def stocktake_start(
    *,
    warehouse: Warehouse,
    categories,
    note: str,
    user,
    submission=None,
    blind: bool = False,
) -> Stocktake:
    """Open a count sheet: every active product in scope with its quantity right now.

    One count at a time per warehouse: two open sheets would post the same
    difference twice. The warehouse row is locked while checking. A blind sheet
    (盲盘) hides the system quantity from whoever counts.
    """
    if existing := by_submission(Stocktake, submission):
        return existing
    # FOR NO KEY UPDATE: two starts line up on the warehouse, while postings (whose
    # moves refer to it, taking a key-share lock) are not held up by it; a plain
    # FOR UPDATE here would wait on the balances a posting holds while that
    # posting waits on the warehouse.
    warehouse = Warehouse.objects.select_for_update(no_key=True).get(pk=warehouse.pk)
    if not warehouse.is_active:
        raise ValidationError(
            _("The warehouse “%(name)s” is deactivated.") % {"name": warehouse.name}
        )
    open_count = Stocktake.objects.filter(
        warehouse=warehouse, status=DocumentStatus.COUNTING
    ).first()
    if open_count:
        raise ValidationError(
            _(
                "%(number)s is still counting %(warehouse)s. Post or abandon it before "
                "starting another count there."
            )
            % {"number": open_count.number, "warehouse": warehouse.name}
        )
    products = Product.objects.filter(is_active=True)
    if categories:
        products = products.filter(category__in=categories)
    product_ids = list(products.order_by("sku").values_list("pk", flat=True))
    if not product_ids:
        raise ValidationError(_("No active products to count in this selection."))
    # One statement reads every quantity at the same instant: the snapshot. It
    # locks the balances in the postings' order, so a posting in flight commits
    # first (and is in the snapshot) and one that starts later writes its moves
    # with ids above snapshot_move_id (moved while counting): none falls between.
    on_hand = {
        level.product_id: level.on_hand
        for level in StockLevel.objects.select_for_update()
        .filter(warehouse=warehouse, product_id__in=product_ids)
        .order_by("product_id", "warehouse_id")
        .only("product_id", "on_hand")
    }
    now = timezone.now()
    last_move = StockMove.objects.aggregate(last=Max("pk"))["last"] or 0
    stocktake = Stocktake(
        submission=submission,
        warehouse=warehouse,
        note=note,
        status=DocumentStatus.COUNTING,
        snapshot_at=now,
        snapshot_move_id=last_move,
        blind=blind,
        created_by=user,
    )
    document_number_later(stocktake, prefix="STK")
    stocktake.save()
    if categories:
        stocktake.categories.set(categories)
    StocktakeLine.objects.bulk_create(
        [
            StocktakeLine(
                stocktake=stocktake,
                product_id=pk,
                system_quantity=on_hand.get(pk, Decimal("0")),
            )
            for pk in product_ids
        ],
        batch_size=1000,
    )
    audit_record(
        user=user,
        action=Action.CREATE,
        record=stocktake,
        changes={
            "warehouse": [None, str(warehouse)],
            "lines": [None, len(product_ids)],
            **({"blind": [None, True]} if blind else {}),
        },
    )
    return stocktake


def _lock_counting(stocktake: Stocktake, version: int) -> Stocktake:
    locked = lock(type(stocktake), stocktake.pk)
    if locked.status != DocumentStatus.COUNTING:
        raise ValidationError(
            _("%(number)s is already %(status)s; it cannot change any more.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    if locked.version != version:
        raise StaleDocument(
            _(
                "Someone else saved counts on %(number)s since you opened it. "
                "The sheet "
                "now shows the current counts; enter yours again."
            )
            % {"number": locked.number}
        )
    return locked


def _count_time(stocktake: Stocktake, counted_at: datetime | None, now: datetime):
    """The moment a count was taken: now, or the time the clerk gives for it."""
    if counted_at is None:
        return now
    if not stocktake.snapshot_at <= counted_at <= now:
        raise ValidationError(
            _(
                "The count time must lie between the snapshot (%(snapshot)s) and "
                "now (%(now)s)."
            )
            % {
                "snapshot": timezone.localtime(stocktake.snapshot_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "now": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
            }
        )
    return counted_at


@posting
def stocktake_counts_save(
    *,
    stocktake: Stocktake,
    counts: dict[int, Decimal | None],
    version: int,
    user,
    counted_at: datetime | None = None,
) -> Stocktake:
    """Record counted quantities (line id → quantity, None clears a count).

    Each changed line records when it was counted: now, or ``counted_at`` for
    counts copied from the printed sheet (between the snapshot and now).
    Clearing a count clears its time.
    """
    stocktake = _lock_counting(stocktake, version)
    when = _count_time(stocktake, counted_at, timezone.now())
    lines = {
        line.pk: line
        for line in stocktake.lines.filter(pk__in=counts).select_related("product")
    }
    changed, audited = [], {}
    for pk, counted in counts.items():
        line = lines.get(pk)
        if line is None:
            raise ValidationError(_("A line does not belong to this stocktake."))
        if counted is not None and counted < 0:
            raise ValidationError(_("A counted quantity cannot be negative."))
        if line.counted_quantity != counted:
            # Keyed by the product's label ("SKU name"): never a field's name.
            audited[str(line.product)] = [
                _counted(line.counted_quantity),
                _counted(counted),
            ]
            _count_set(line, counted, user, when)
            changed.append(line)
    StocktakeLine.objects.bulk_update(
        changed, ["counted_quantity", "counted_by", "counted_at"]
    )
    stocktake.version += 1
    stocktake.save(update_fields=["version"])
    if audited:
        audit_record(user=user, action=Action.CHANGE, record=stocktake, changes=audited)
    return stocktake


def _count_set(line: StocktakeLine, counted: Decimal | None, user, when) -> None:
    line.counted_quantity = counted
    line.counted_by = user if counted is not None else None
    line.counted_at = when if counted is not None else None


@dataclass(frozen=True)
class ScanResult:
    line: StocktakeLine
    stocktake: Stocktake


def scan_code_parse(text: str) -> tuple[str, Decimal | None]:
    """ "6901234567890" → (code, None: add one); "A001*5" → (code, 5: set to 5)."""
    code, star, amount = text.strip().partition("*")
    code = code.strip()
    if not code:
        raise ValidationError(_("Scan a barcode or type a SKU."))
    if not star:
        return code, None
    try:
        quantity = Decimal(amount.strip())
    except ArithmeticError:
        quantity = None
    if quantity is None or not quantity.is_finite() or quantity < 0:
        raise ValidationError(
            _("After “*” type the quantity counted, e.g. %(example)s.")
            % {"example": f"{code}*5"}
        )
    return code, quantity


@posting
def stocktake_count_scan(
    *, stocktake: Stocktake, code: str, quantity: Decimal | None, user
) -> ScanResult:
    """Count one line by its barcode or SKU: +1 per scan, or set ``quantity``.

    Counts are added to what the server holds (not to a number on someone's
    screen), so two clerks scanning the same sheet never lose a scan.
    """
    stocktake = lock(type(stocktake), stocktake.pk)
    if stocktake.status != DocumentStatus.COUNTING:
        raise ValidationError(
            _("%(number)s is already %(status)s; it cannot change any more.")
            % {"number": stocktake.number, "status": stocktake.get_status_display()}
        )
    code = code.strip()
    product, factor = product_by_code(code), 1  # several matching: refused
    if product is None and (found := sellable_by_code(code)):
        # A package's barcode (箱) counts its factor of base units (24 瓶).
        product, factor = found.product, found.factor
    line = (
        stocktake.lines.select_for_update(of=("self",))
        .select_related("product")
        .filter(product=product)
        .first()
        if product is not None
        else None
    )
    if line is None:
        raise ValidationError(
            _("No product on this count sheet has the barcode or SKU “%(code)s”.")
            % {"code": code[:60]}
        )
    if quantity is not None and quantity < 0:
        raise ValidationError(_("A counted quantity cannot be negative."))
    was = line.counted_quantity
    counted = (
        quantity * factor if quantity is not None else (was or Decimal("0")) + factor
    )
    _check_count(counted, line)
    _count_set(line, counted, user, timezone.now())
    line.save(update_fields=["counted_quantity", "counted_by", "counted_at"])
    stocktake.version += 1
    stocktake.save(update_fields=["version"])
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=stocktake,
        changes={str(line.product): [_counted(was), _counted(counted)]},
    )
    return ScanResult(line=line, stocktake=stocktake)


@posting
def stocktake_counts_add(
    *, stocktake: Stocktake, quantities: dict[int, Decimal], user
) -> tuple[Stocktake, list[StocktakeLine]]:
    """Add counted quantities (product id → quantity above zero) to the sheet's
    lines, as a scan adds to what the server holds; a product not on the sheet
    refuses them all. Returns the sheet (its new version) and the lines counted."""
    stocktake = lock(type(stocktake), stocktake.pk)
    if stocktake.status != DocumentStatus.COUNTING:
        raise ValidationError(
            _("%(number)s is already %(status)s; it cannot change any more.")
            % {"number": stocktake.number, "status": stocktake.get_status_display()}
        )
    lines = {
        line.product_id: line
        for line in stocktake.lines.select_for_update(of=("self",))
        .select_related("product")
        .filter(product_id__in=list(quantities))
        .order_by("product_id")
    }
    missing = [pk for pk in quantities if pk not in lines]
    if missing:
        names = Product.objects.filter(pk__in=missing).values_list("name", flat=True)
        raise ValidationError(
            _("Not on this count sheet: %(names)s. Nothing was counted.")
            % {"names": "、".join(sorted(names))}
        )
    now = timezone.now()
    changes = {}
    for product_id, quantity in quantities.items():
        if quantity <= 0:
            raise ValidationError(_("A counted quantity cannot be negative."))
        line = lines[product_id]
        was = line.counted_quantity
        counted = (was or Decimal("0")) + quantity
        _check_count(counted, line)
        _count_set(line, counted, user, now)
        changes[str(line.product)] = [_counted(was), _counted(counted)]
    StocktakeLine.objects.bulk_update(
        lines.values(), ["counted_quantity", "counted_by", "counted_at"]
    )
    stocktake.version += 1
    stocktake.save(update_fields=["version"])
    audit_record(user=user, action=Action.CHANGE, record=stocktake, changes=changes)
    return stocktake, list(lines.values())


def _check_count(counted: Decimal, line: StocktakeLine) -> None:
    if counted != counted.quantize(Decimal("0.001")) or counted > MAX_QUANTITY:
        raise ValidationError(
            _("“%(name)s”: a count of %(quantity)s cannot be recorded.")
            % {"name": line.product.name, "quantity": counted}
        )


def _counted(quantity: Decimal | None) -> str | None:
    return None if quantity is None else qty(quantity)


class LargeDifferences(ValidationError):
    """Posting needs the owner to confirm exactly these lines (ids in ``lines``)."""

    def __init__(self, message, lines: frozenset[int]):
        super().__init__(message)
        self.lines = lines


@posting
def stocktake_post(
    *, stocktake: Stocktake, version: int, user, confirmed=()
) -> Stocktake:
    """Post, per counted line, counted − the system quantity at its count time.

    The system quantity at count time is the snapshot plus what moved between the
    snapshot and the moment that line was counted (measured in SQL, the same for
    every line). Lines without a difference post nothing; moves after the count
    stay as they are. A difference above the owner's threshold is posted only
    when ``confirmed`` names exactly the lines that have one.
    """
    stocktake = _lock_counting(stocktake, version)
    # Postings in flight on the counted products commit before the measuring
    # below (locks in the postings' order), so a sale dated before a count is
    # never missed by it.
    list(
        StockLevel.objects.select_for_update()
        .filter(
            warehouse_id=stocktake.warehouse_id,
            product_id__in=stocktake.lines.filter(
                counted_quantity__isnull=False
            ).values("product_id"),
        )
        .order_by("product_id", "warehouse_id")
        .values_list("pk", flat=True)
    )
    settings = inventory_settings()
    rows = [
        stocktake_row(line, posted=False)
        for line in stocktake_lines_measured(stocktake, counted_only=True)
    ]
    large = frozenset(r.line.pk for r in rows if stocktake_is_large(r, settings))
    if large and frozenset(int(pk) for pk in confirmed) != large:
        names = "; ".join(str(r.line.product) for r in rows if r.line.pk in large)
        raise LargeDifferences(
            _(
                "These differences are above the confirmation threshold: %(lines)s. "
                "Check them and tick the confirmation to post."
            )
            % {"lines": names},
            large,
        )
    now = timezone.now()
    differing = [r for r in rows if r.difference]
    if differing:
        stock_moves_post(
            lines=[
                MoveLine(
                    r.line.product_id,
                    stocktake.warehouse_id,
                    r.difference,
                    line=r.line.pk,
                )
                for r in differing
            ],
            kind=MoveKind.STOCKTAKE,
            source=SourceRef.of(stocktake),
            occurred_at=now,
            user=user,
        )
    for row in rows:
        row.line.expected_quantity = row.expected
    StocktakeLine.objects.bulk_update([r.line for r in rows], ["expected_quantity"])
    _posted(stocktake, user, now)
    stocktake.version += 1
    stocktake.save(update_fields=["status", "posted_by", "posted_at", "version"])
    changes = {"lines": [None, len(differing)]}
    if large:
        changes["confirmed"] = [None, len(large)]
    audit_record(user=user, action=Action.POST, record=stocktake, changes=changes)
    return stocktake


@posting
def stocktake_abandon(*, stocktake: Stocktake, user, reason: str) -> Stocktake:
    """Drop a count that will not be posted; nothing moves."""
    stocktake = lock(type(stocktake), stocktake.pk)
    if stocktake.status != DocumentStatus.COUNTING:
        raise ValidationError(_("Only a count in progress can be abandoned."))
    stocktake.save(update_fields=stocktake.mark_cancelled(user=user, reason=reason))
    audit_record(
        user=user,
        action=Action.CANCEL,
        record=stocktake,
        summary=stocktake.cancel_reason,
        changes={"status": [DocumentStatus.COUNTING, DocumentStatus.CANCELLED]},
    )
    return stocktake


@posting
def inventory_settings_save(
    *,
    staff_backdate_days: int,
    stocktake_threshold_percent: int,
    stocktake_threshold_amount: Decimal,
    user=None,
) -> InventorySettings:
    """Save the owner's stock rules; the audit log keeps what changed."""
    current, _created = InventorySettings.objects.select_for_update().get_or_create(
        pk=1
    )
    wanted = {
        "staff_backdate_days": staff_backdate_days,
        "stocktake_threshold_percent": stocktake_threshold_percent,
        "stocktake_threshold_amount": stocktake_threshold_amount,
    }
    changes = {
        name: [str(getattr(current, name)), str(value)]
        for name, value in wanted.items()
        if getattr(current, name) != value
    }
    if not changes:
        return current
    for name, value in wanted.items():
        setattr(current, name, value)
    current.save(update_fields=list(wanted))
    audit_record(
        user=user, action=Action.CHANGE, record=current, label="", changes=changes
    )
    return current

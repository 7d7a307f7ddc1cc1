"""Writes of inventory documents: adjustments, transfers, stocktakes, opening stock.

Each posts its stock through inventory.services (the ledger's only writer) in the
same transaction as the document, and is cancelled by posting the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, audit_record
from catalog.models import Product, Warehouse
from inventory.models import (
    Adjustment,
    AdjustmentLine,
    CostAdjustment,
    DocumentStatus,
    MoveKind,
    OpeningStock,
    OpeningStockLine,
    StockLevel,
    Stocktake,
    StocktakeLine,
    Transfer,
    TransferLine,
)
from inventory.services import (
    MoveLine,
    SourceRef,
    stock_document_reverse,
    stock_moves_post,
)
from jxc.decimals import MAX_PRICE, unit_cost
from jxc.documents import StaleDocument, by_submission, lock, posting
from jxc.numbering import document_number_next
from jxc.templatetags.jxc_format import qty


@dataclass(frozen=True)
class AdjustmentInput:
    product: Product
    quantity: Decimal  # negative: written off; positive: found
    reason: str
    note: str = ""


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
    now = timezone.now()
    adjustment = Adjustment(
        number=document_number_next(prefix="ADJ"),
        submission=submission,
        warehouse=warehouse,
        note=note,
        created_by=user,
    )
    _posted(adjustment, user, now)
    adjustment.save()
    rows = AdjustmentLine.objects.bulk_create(
        [
            AdjustmentLine(
                adjustment=adjustment,
                product=line.product,
                quantity=line.quantity,
                reason=line.reason,
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
        number=document_number_next(prefix="CST"),
        submission=submission,
        warehouse=warehouse,
        product=product,
        new_unit_cost=new_unit_cost,
        reason=reason,
        created_by=user,
    )
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
    lines: list[tuple[Product, Decimal]],
    note: str,
    user,
    submission=None,
) -> Transfer:
    """Move stock between warehouses: out at the source's cost, in at that value."""
    if existing := by_submission(Transfer, submission):
        return existing
    if from_warehouse.pk == to_warehouse.pk:
        raise ValidationError(_("A transfer needs two different warehouses."))
    if not lines:
        raise ValidationError(_("A document needs at least one line."))
    _refuse_duplicates([product for product, _q in lines])
    for product, quantity in lines:
        if quantity <= 0:
            raise ValidationError(
                _("The quantity of “%(name)s” must be greater than zero.")
                % {"name": product.name}
            )
    now = timezone.now()
    transfer = Transfer(
        number=document_number_next(prefix="TRF"),
        submission=submission,
        from_warehouse=from_warehouse,
        to_warehouse=to_warehouse,
        note=note,
        created_by=user,
    )
    _posted(transfer, user, now)
    transfer.save()
    rows = TransferLine.objects.bulk_create(
        [
            TransferLine(transfer=transfer, product=product, quantity=quantity)
            for product, quantity in lines
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
    lines: list[tuple[Product, Warehouse, Decimal, Decimal]],
    note: str,
    user,
    submission=None,
    occurred_at=None,
) -> OpeningStock:
    """Book the stock a shop starts with (product, warehouse, quantity, unit cost).

    Uploading the same form twice (a double click, a retry) posts it once.
    """
    if existing := by_submission(OpeningStock, submission):
        return existing
    if not lines:
        raise ValidationError(_("A document needs at least one line."))
    now = occurred_at or timezone.now()
    opening = OpeningStock(
        number=document_number_next(prefix="OPN"),
        submission=submission,
        note=note,
        created_by=user,
    )
    _posted(opening, user, now)
    opening.save()
    rows = OpeningStockLine.objects.bulk_create(
        [
            OpeningStockLine(
                opening=opening, product=p, warehouse=w, quantity=q, unit_cost=c
            )
            for p, w, q, c in lines
        ]
    )
    stock_moves_post(
        lines=[
            MoveLine(r.product_id, r.warehouse_id, r.quantity, r.unit_cost, r.pk)
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
    document.status = DocumentStatus.CANCELLED
    document.cancelled_by = user
    document.cancelled_at = now
    document.cancel_reason = reason.strip()
    document.save(
        update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"]
    )
    audit_record(
        user=user,
        action=Action.CANCEL,
        record=document,
        summary=document.cancel_reason,
        changes={"status": [DocumentStatus.POSTED, DocumentStatus.CANCELLED]},
    )
    return document


# --- stocktake ---------------------------------------------------------------------


@posting
def stocktake_start(
    *, warehouse: Warehouse, categories, note: str, user, submission=None
) -> Stocktake:
    """Open a count sheet: every active product in scope with its quantity right now.

    One count at a time per warehouse: two open sheets would post the same
    difference twice. The warehouse row is locked while checking.
    """
    if existing := by_submission(Stocktake, submission):
        return existing
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
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
    now = timezone.now()
    # One statement reads every quantity at the same instant: the snapshot.
    on_hand = dict(
        StockLevel.objects.filter(
            warehouse=warehouse, product_id__in=product_ids
        ).values_list("product_id", "on_hand")
    )
    stocktake = Stocktake.objects.create(
        number=document_number_next(prefix="STK"),
        submission=submission,
        warehouse=warehouse,
        note=note,
        status=DocumentStatus.COUNTING,
        snapshot_at=now,
        created_by=user,
    )
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


@posting
def stocktake_counts_save(
    *, stocktake: Stocktake, counts: dict[int, Decimal | None], version: int, user
) -> Stocktake:
    """Record counted quantities (line id → quantity, None clears a count)."""
    stocktake = _lock_counting(stocktake, version)
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
            line.counted_quantity = counted
            line.counted_by = user if counted is not None else None
            changed.append(line)
    StocktakeLine.objects.bulk_update(changed, ["counted_quantity", "counted_by"])
    stocktake.version += 1
    stocktake.save(update_fields=["version"])
    if audited:
        audit_record(user=user, action=Action.CHANGE, record=stocktake, changes=audited)
    return stocktake


def _counted(quantity: Decimal | None) -> str | None:
    return None if quantity is None else qty(quantity)


@posting
def stocktake_post(*, stocktake: Stocktake, version: int, user) -> Stocktake:
    """Post counted − snapshot for every counted line, on top of what moved since.

    Sales and receipts go on during a count: a line's difference is measured
    against the snapshot, and added to the current stock, so moves made since the
    snapshot are neither lost nor counted twice. Uncounted lines change nothing.
    """
    stocktake = _lock_counting(stocktake, version)
    lines = [
        line
        for line in stocktake.lines.all()
        if line.counted_quantity is not None and line.difference != 0
    ]
    now = timezone.now()
    if lines:
        stock_moves_post(
            lines=[
                MoveLine(
                    line.product_id,
                    stocktake.warehouse_id,
                    line.difference,
                    line=line.pk,
                )
                for line in lines
            ],
            kind=MoveKind.STOCKTAKE,
            source=SourceRef.of(stocktake),
            occurred_at=now,
            user=user,
        )
    _posted(stocktake, user, now)
    stocktake.version += 1
    stocktake.save(update_fields=["status", "posted_by", "posted_at", "version"])
    audit_record(
        user=user,
        action=Action.POST,
        record=stocktake,
        changes={"lines": [None, len(lines)]},
    )
    return stocktake


@posting
def stocktake_abandon(*, stocktake: Stocktake, user, reason: str) -> Stocktake:
    """Drop a count that will not be posted; nothing moves."""
    stocktake = lock(type(stocktake), stocktake.pk)
    if stocktake.status != DocumentStatus.COUNTING:
        raise ValidationError(_("Only a count in progress can be abandoned."))
    stocktake.status = DocumentStatus.CANCELLED
    stocktake.cancelled_by = user
    stocktake.cancelled_at = timezone.now()
    stocktake.cancel_reason = reason.strip()
    stocktake.save(
        update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"]
    )
    audit_record(
        user=user,
        action=Action.CANCEL,
        record=stocktake,
        summary=stocktake.cancel_reason,
        changes={"status": [DocumentStatus.COUNTING, DocumentStatus.CANCELLED]},
    )
    return stocktake

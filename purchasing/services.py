"""Every write of purchasing: orders, receipts, returns. Stock moves are posted by
inventory, through the signals these services send inside their transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.changes import changes, snapshot
from audit.services import Action, audit_entry, audit_record, audit_record_many
from catalog.models import Product, Supplier, Warehouse
from inventory.services import MoveLine, SourceRef
from jxc.decimals import MAX_QUANTITY, MAX_VALUE, money, unit_cost
from jxc.decimals import quantity as round_quantity
from jxc.documents import by_submission, check_version, lock, posting
from jxc.models import DocumentStatus
from jxc.numbering import document_number_next
from jxc.templatetags.jxc_format import qty
from purchasing import selectors
from purchasing.models import (
    OPEN_ORDER_STATUSES,
    GoodsReceipt,
    GoodsReceiptLine,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReturn,
    PurchaseReturnLine,
    PurchasingSettings,
)
from purchasing.signals import purchase_return_posted, receipt_posted

ZERO = Decimal("0")
# A draft's header as the audit trail compares it on an edit.
ORDER_AUDIT_FIELDS = [
    "supplier", "warehouse", "order_date", "expected_date", "note", "total",
]  # fmt: skip


@dataclass(frozen=True)
class OrderLineInput:
    product: Product
    quantity: Decimal
    unit_price: Decimal | None = None  # None: the last price paid, else the reference


@dataclass(frozen=True)
class ReceiptLineInput:
    product: Product
    quantity: Decimal  # accepted into stock
    rejected_quantity: Decimal = ZERO
    reject_reason: str = ""
    unit_cost: Decimal | None = None  # None: the order's price (or the last price paid)


@dataclass(frozen=True)
class ReturnLineInput:
    product: Product
    quantity: Decimal
    receipt_line_id: int | None = None


def _check_parties(supplier: Supplier, warehouse: Warehouse) -> None:
    if not supplier.is_active:
        raise ValidationError(
            _("The supplier “%(name)s” is deactivated.") % {"name": supplier.name}
        )
    if not warehouse.is_active:
        raise ValidationError(
            _("The warehouse “%(name)s” is deactivated.") % {"name": warehouse.name}
        )


def _check_products(products: list[Product]) -> None:
    if not products:
        raise ValidationError(_("A document needs at least one line."))
    seen = set()
    for product in products:
        if product.pk in seen:
            raise ValidationError(
                _("“%(name)s” appears on two lines; put it on one line.")
                % {"name": product.name}
            )
        seen.add(product.pk)
        if not product.is_active:
            raise ValidationError(
                _("“%(name)s” is deactivated.") % {"name": product.name}
            )


def _check_quantities(lines) -> None:
    """Quantities a document line holds: above zero, at most 3 decimals."""
    for line in lines:
        held = line.quantity.is_finite() and 0 < line.quantity <= MAX_QUANTITY
        if not held or round_quantity(line.quantity) != line.quantity:
            raise ValidationError(
                _(
                    "The quantity of “%(name)s” must be between 0.001 and "
                    "999,999,999.999, with at most 3 decimals."
                )
                % {"name": line.product.name}
            )


def _check_amounts(rows, total: Decimal) -> None:
    """Amounts the ledger and the lists can hold (¥999,999,999,999.99 at most)."""
    if total > MAX_VALUE or any(row.amount > MAX_VALUE for row in rows):
        raise ValidationError(
            _(
                "The amounts are larger than the system can hold. Check the quantities "
                "and prices."
            )
        )


# --- purchase orders ------------------------------------------------------------


@posting
def purchase_order_save(
    *,
    order: PurchaseOrder | None = None,
    supplier: Supplier,
    warehouse: Warehouse,
    order_date,
    expected_date,
    note: str,
    lines: list[OrderLineInput],
    user,
    submission=None,
    version: int | None = None,
) -> PurchaseOrder:
    """Create a draft order, or rewrite a draft; prices default to the last paid."""
    if order is None and (existing := by_submission(PurchaseOrder, submission)):
        return existing
    _check_parties(supplier, warehouse)
    _check_products([line.product for line in lines])
    _check_quantities(lines)
    if expected_date and expected_date < order_date:
        raise ValidationError(_("The expected date is before the order date."))
    before = None
    if order is not None:
        order = lock(PurchaseOrder, order.pk)
        check_version(order, version)
        order.version += 1
        if order.status != OrderStatus.DRAFT:
            raise ValidationError(
                _("%(number)s is %(status)s: only a draft can be edited.")
                % {"number": order.number, "status": order.get_status_display()}
            )
        before = snapshot(order, ORDER_AUDIT_FIELDS)
        order.lines.all().delete()
    else:
        order = PurchaseOrder(
            number=document_number_next(prefix="PO", day=order_date),
            submission=submission,
            created_by=user,
        )
    order.supplier, order.warehouse = supplier, warehouse
    order.order_date, order.expected_date, order.note = order_date, expected_date, note
    prices = selectors.last_prices(
        supplier_id=supplier.pk, product_ids=[line.product.pk for line in lines]
    )
    rows = []
    for line in lines:
        price = line.unit_price
        if price is None:
            price = prices.get(line.product.pk, line.product.purchase_price)
        rows.append(
            PurchaseOrderLine(
                product=line.product,
                quantity=line.quantity,
                unit_price=price,
                amount=money(line.quantity * price),
            )
        )
    order.total = sum((row.amount for row in rows), ZERO)
    _check_amounts(rows, order.total)
    order.save()
    for row in rows:
        row.order = order
    PurchaseOrderLine.objects.bulk_create(rows)
    found = changes(before, order, ORDER_AUDIT_FIELDS)
    if before is None:
        found["lines"] = [None, len(rows)]
    audit_record(
        user=user,
        action=Action.CREATE if before is None else Action.CHANGE,
        record=order,
        changes=found,
    )
    return order


@posting
def purchase_order_confirm(*, order: PurchaseOrder, user) -> PurchaseOrder:
    """Send the draft to the supplier: from now on it is received against."""
    order = lock(PurchaseOrder, order.pk)
    if order.status != OrderStatus.DRAFT:
        raise ValidationError(
            _("%(number)s is already %(status)s.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    order.status = OrderStatus.ORDERED
    order.ordered_by, order.ordered_at = user, timezone.now()
    order.save(update_fields=["status", "ordered_by", "ordered_at"])
    audit_record(
        user=user,
        action=Action.CONFIRM,
        record=order,
        changes={"status": [OrderStatus.DRAFT, OrderStatus.ORDERED]},
    )
    return order


@posting
def purchase_order_end(
    *, order: PurchaseOrder, user, reason: str, may_end_placed: bool = True
) -> PurchaseOrder:
    """Cancel an order nothing arrived for, or close one short (the rest won't come).

    Ending a placed order needs ``may_end_placed`` (the owner); a draft anyone may
    drop. Checked under the order's lock, so a concurrent "place" is seen.
    """
    order = lock(PurchaseOrder, order.pk)
    was = order.status
    if order.status != OrderStatus.DRAFT and not may_end_placed:
        raise ValidationError(
            _("%(number)s is already placed; only the owner can cancel or close it.")
            % {"number": order.number}
        )
    received = order.lines.filter(received_quantity__gt=0).exists()
    if order.status == OrderStatus.DRAFT or (
        order.status == OrderStatus.ORDERED and not received
    ):
        order.status = OrderStatus.CANCELLED
    elif order.status in OPEN_ORDER_STATUSES:
        order.status = OrderStatus.CLOSED
    else:
        raise ValidationError(
            _("%(number)s is %(status)s and cannot be ended.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    if not reason.strip():
        raise ValidationError(_("Say why the order ends."))
    order.closed_by, order.closed_at, order.close_reason = (
        user,
        timezone.now(),
        reason.strip(),
    )
    order.save(update_fields=["status", "closed_by", "closed_at", "close_reason"])
    audit_record(
        user=user,
        action=Action.CANCEL if order.status == OrderStatus.CANCELLED else Action.CLOSE,
        record=order,
        summary=order.close_reason,
        changes={"status": [was, order.status]},
    )
    return order


def _order_entry(order: PurchaseOrder, was: str, document, user):
    """The order's audit entry when a receipt against it is posted or cancelled."""
    return audit_entry(
        user=user,
        action=Action.CHANGE,
        record=order,
        summary=document.number,
        changes={"status": [was, order.status]} if was != order.status else {},
    )


def _refresh_order_status(order: PurchaseOrder) -> None:
    if order.status not in (*OPEN_ORDER_STATUSES, OrderStatus.RECEIVED):
        return
    lines = list(order.lines.all())
    if all(line.received_quantity >= line.quantity for line in lines):
        order.status = OrderStatus.RECEIVED
    elif any(line.received_quantity > 0 for line in lines):
        order.status = OrderStatus.PARTIAL
    else:
        order.status = OrderStatus.ORDERED
    order.save(update_fields=["status"])


# --- goods receipts ------------------------------------------------------------------


@posting
def receipt_post(
    *,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: list[ReceiptLineInput],
    occurred_at,
    note: str,
    user,
    order: PurchaseOrder | None = None,
    submission=None,
    over_receipt_percent: int = 0,
) -> GoodsReceipt:
    """Book what arrived: accepted goods into stock (through ``receipt_posted``),
    rejected ones recorded only; the order's received quantities and status follow.

    A second submit of the same form returns the first receipt.
    """
    if existing := by_submission(GoodsReceipt, submission):
        return existing
    _check_products([line.product for line in lines])
    order_lines = {}
    if order is not None:
        order = lock(PurchaseOrder, order.pk)
        if order.status not in OPEN_ORDER_STATUSES:
            raise ValidationError(
                _("%(number)s is %(status)s: nothing can be received against it.")
                % {"number": order.number, "status": order.get_status_display()}
            )
        supplier, warehouse = order.supplier, order.warehouse
        order_lines = {
            line.product_id: line
            for line in order.lines.select_for_update().order_by("pk")
        }
    _check_parties(supplier, warehouse)
    prices = selectors.last_prices(
        supplier_id=supplier.pk, product_ids=[line.product.pk for line in lines]
    )
    receipt = GoodsReceipt(
        number=document_number_next(
            prefix="GR", day=timezone.localtime(occurred_at).date()
        ),
        submission=submission,
        supplier=supplier,
        warehouse=warehouse,
        order=order,
        occurred_at=occurred_at,
        note=note,
        created_by=user,
    )
    rows = []
    for line in lines:
        if line.quantity < 0 or line.rejected_quantity < 0:
            raise ValidationError(_("Quantities cannot be negative."))
        if line.quantity == 0 and line.rejected_quantity == 0:
            raise ValidationError(
                _("“%(name)s” has neither an accepted nor a rejected quantity.")
                % {"name": line.product.name}
            )
        if line.rejected_quantity and not line.reject_reason.strip():
            raise ValidationError(
                _("Say why “%(name)s” was rejected.") % {"name": line.product.name}
            )
        order_line = None
        if order is not None:
            order_line = order_lines.get(line.product.pk)
            if order_line is None:
                raise ValidationError(
                    _("“%(name)s” is not on %(number)s.")
                    % {"name": line.product.name, "number": order.number}
                )
            allowed = order_line.quantity * (1 + Decimal(over_receipt_percent) / 100)
            if order_line.received_quantity + line.quantity > allowed:
                raise ValidationError(
                    _(
                        "“%(name)s”: %(ordered)s ordered, %(received)s already "
                        "received; %(now)s more is over the order."
                    )
                    % {
                        "name": line.product.name,
                        "ordered": qty(order_line.quantity),
                        "received": qty(order_line.received_quantity),
                        "now": qty(line.quantity),
                    }
                )
        cost = line.unit_cost
        if cost is None:
            cost = (
                order_line.unit_price
                if order_line
                else prices.get(line.product.pk, line.product.purchase_price)
            )
        cost = unit_cost(cost)
        rows.append(
            GoodsReceiptLine(
                order_line=order_line,
                product=line.product,
                quantity=line.quantity,
                rejected_quantity=line.rejected_quantity,
                reject_reason=line.reject_reason.strip(),
                unit_cost=cost,
                amount=money(line.quantity * cost),
            )
        )
    receipt.total = sum((row.amount for row in rows), ZERO)
    _check_amounts(rows, receipt.total)
    receipt.save()
    for row in rows:
        row.receipt = receipt
    GoodsReceiptLine.objects.bulk_create(rows)
    for row in rows:
        if row.order_line is not None and row.quantity:
            row.order_line.received_quantity += row.quantity
            row.order_line.save(update_fields=["received_quantity"])
    entries = [
        audit_entry(
            user=user,
            action=Action.POST,
            record=receipt,
            summary=order.number if order is not None else "",
            changes={
                "supplier": [None, str(supplier)],
                "warehouse": [None, str(warehouse)],
                "total": [None, receipt.total],
                "lines": [None, len(rows)],
            },
        )
    ]
    if order is not None:
        was = order.status
        _refresh_order_status(order)
        entries.append(_order_entry(order, was, receipt, user))
    audit_record_many(entries)
    stock_lines = [
        MoveLine(row.product_id, warehouse.pk, row.quantity, row.unit_cost, row.pk)
        for row in rows
        if row.quantity > 0
    ]
    if stock_lines:
        receipt_posted.send(
            sender=GoodsReceipt,
            lines=stock_lines,
            source=SourceRef.of(receipt),
            occurred_at=occurred_at,
            user=user,
        )
    return receipt


@posting
def receipt_cancel(*, receipt: GoodsReceipt, user, reason: str) -> GoodsReceipt:
    """Take a receipt back: its stock leaves again (if still there) and the order
    waits for those quantities again."""
    receipt = lock(GoodsReceipt, receipt.pk)
    if receipt.status != DocumentStatus.POSTED:
        raise ValidationError(
            _("%(number)s is already cancelled.") % {"number": receipt.number}
        )
    if not reason.strip():
        raise ValidationError(_("Say why the document is cancelled."))
    if receipt.returns.filter(status=DocumentStatus.POSTED).exists():
        raise ValidationError(
            _(
                "Goods of %(number)s were returned to the supplier; "
                "cancel those returns first."
            )
            % {"number": receipt.number}
        )
    now = timezone.now()
    lines = list(receipt.lines.select_related("order_line"))
    # Lock order first, stock second, as receipt_post does: no deadlock between them.
    order = lock(PurchaseOrder, receipt.order_id) if receipt.order_id else None
    order_lines = {
        line.pk: line
        for line in PurchaseOrderLine.objects.select_for_update()
        .filter(pk__in=[line.order_line_id for line in lines if line.order_line_id])
        .order_by("pk")
    }
    stock_lines = [
        MoveLine(
            line.product_id,
            receipt.warehouse_id,
            -line.quantity,
            line.unit_cost,
            line.pk,
        )
        for line in lines
        if line.quantity > 0
    ]
    if stock_lines:
        receipt_posted.send(
            sender=GoodsReceipt,
            lines=stock_lines,
            source=SourceRef.of(receipt),
            occurred_at=now,
            user=user,
            reversal=True,
        )
    entries = []
    if order is not None:
        for line in lines:
            if line.order_line_id and line.quantity:
                order_line = order_lines[line.order_line_id]
                order_line.received_quantity -= line.quantity
                order_line.save(update_fields=["received_quantity"])
        was = order.status
        _refresh_order_status(order)
        entries.append(_order_entry(order, was, receipt, user))
    receipt.status = DocumentStatus.CANCELLED
    receipt.cancelled_by, receipt.cancelled_at = user, now
    receipt.cancel_reason = reason.strip()
    receipt.save(
        update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"]
    )
    entries.insert(0, _cancel_entry(receipt, user))
    audit_record_many(entries)
    return receipt


def _cancel_entry(document, user):
    return audit_entry(
        user=user,
        action=Action.CANCEL,
        record=document,
        summary=document.cancel_reason,
        changes={"status": [DocumentStatus.POSTED, DocumentStatus.CANCELLED]},
    )


# --- purchase returns ---------------------------------------------------------------


@posting
def purchase_return_post(
    *,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: list[ReturnLineInput],
    occurred_at,
    note: str,
    user,
    receipt: GoodsReceipt | None = None,
    submission=None,
) -> PurchaseReturn:
    """Send goods back: from a receipt (at most what it accepted and was not yet
    returned, at its cost) or directly (at the average cost)."""
    if existing := by_submission(PurchaseReturn, submission):
        return existing
    _check_products([line.product for line in lines])
    receipt_lines = {}
    if receipt is not None:
        receipt = lock(GoodsReceipt, receipt.pk)
        if receipt.status != DocumentStatus.POSTED:
            raise ValidationError(
                _("%(number)s is cancelled; nothing can be returned from it.")
                % {"number": receipt.number}
            )
        supplier, warehouse = receipt.supplier, receipt.warehouse
        receipt_lines = {line.product_id: line for line in receipt.lines.all()}
        returned = dict(
            PurchaseReturnLine.objects.filter(
                receipt_line__receipt=receipt,
                purchase_return__status=DocumentStatus.POSTED,
            )
            .values_list("receipt_line_id")
            .annotate(total=Sum("quantity"))
        )
    _check_parties(supplier, warehouse)
    document = PurchaseReturn(
        number=document_number_next(
            prefix="PR", day=timezone.localtime(occurred_at).date()
        ),
        submission=submission,
        supplier=supplier,
        warehouse=warehouse,
        receipt=receipt,
        occurred_at=occurred_at,
        note=note,
        created_by=user,
    )
    rows = []
    for line in lines:
        if line.quantity <= 0:
            raise ValidationError(
                _("The quantity of “%(name)s” must be greater than zero.")
                % {"name": line.product.name}
            )
        receipt_line = None
        cost = None
        if receipt is not None:
            receipt_line = receipt_lines.get(line.product.pk)
            if receipt_line is None:
                raise ValidationError(
                    _("“%(name)s” is not on %(number)s.")
                    % {"name": line.product.name, "number": receipt.number}
                )
            left = receipt_line.quantity - returned.get(receipt_line.pk, ZERO)
            if line.quantity > left:
                raise ValidationError(
                    _("“%(name)s”: only %(left)s of %(number)s can still be returned.")
                    % {
                        "name": line.product.name,
                        "left": qty(left),
                        "number": receipt.number,
                    }
                )
            cost = receipt_line.unit_cost
        rows.append((line, receipt_line, cost))
    document.save()
    saved = PurchaseReturnLine.objects.bulk_create(
        [
            PurchaseReturnLine(
                purchase_return=document,
                receipt_line=receipt_line,
                product=line.product,
                quantity=line.quantity,
                unit_cost=cost or ZERO,
                amount=ZERO,
            )
            for line, receipt_line, cost in rows
        ]
    )
    responses = purchase_return_posted.send(
        sender=PurchaseReturn,
        lines=[
            MoveLine(row.product_id, warehouse.pk, -row.quantity, cost, row.pk)
            for row, (_line, _receipt_line, cost) in zip(saved, rows, strict=True)
        ],
        source=SourceRef.of(document),
        occurred_at=occurred_at,
        user=user,
    )
    # The ledger decided the value that left; the document shows the same.
    moves = {
        move.source_line: move for _receiver, result in responses for move in result
    }
    for row in saved:
        move = moves[row.pk]
        row.unit_cost, row.amount = move.unit_cost, -move.value
    PurchaseReturnLine.objects.bulk_update(saved, ["unit_cost", "amount"])
    document.total = sum((row.amount for row in saved), ZERO)
    document.save(update_fields=["total"])
    audit_record(
        user=user,
        action=Action.POST,
        record=document,
        summary=receipt.number if receipt is not None else "",
        changes={
            "supplier": [None, str(supplier)],
            "warehouse": [None, str(warehouse)],
            "total": [None, document.total],
            "lines": [None, len(saved)],
        },
    )
    return document


@posting
def purchase_return_cancel(*, purchase_return: PurchaseReturn, user, reason: str):
    """Undo a return: the goods come back into stock at the value they left with."""
    document = lock(PurchaseReturn, purchase_return.pk)
    if document.status != DocumentStatus.POSTED:
        raise ValidationError(
            _("%(number)s is already cancelled.") % {"number": document.number}
        )
    if not reason.strip():
        raise ValidationError(_("Say why the document is cancelled."))
    now = timezone.now()
    purchase_return_posted.send(
        sender=PurchaseReturn,
        lines=[
            MoveLine(
                line.product_id,
                document.warehouse_id,
                line.quantity,
                line.unit_cost,
                line.pk,
                value=line.amount,  # exactly what left comes back
            )
            for line in document.lines.all()
        ],
        source=SourceRef.of(document),
        occurred_at=now,
        user=user,
        reversal=True,
    )
    document.status = DocumentStatus.CANCELLED
    document.cancelled_by, document.cancelled_at = user, now
    document.cancel_reason = reason.strip()
    document.save(
        update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"]
    )
    _cancel_entry(document, user).save()
    return document


@transaction.atomic
def purchasing_settings_save(*, over_receipt_percent: int, user=None) -> None:
    """Set the owner's over-receipt tolerance."""
    current, _created = PurchasingSettings.objects.select_for_update().get_or_create(
        pk=1
    )
    was = current.over_receipt_percent
    if was == over_receipt_percent:
        return
    current.over_receipt_percent = over_receipt_percent
    current.save(update_fields=["over_receipt_percent"])
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=current,
        label="",
        changes={"over_receipt_percent": [was, over_receipt_percent]},
    )

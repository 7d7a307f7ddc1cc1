"""Every write of purchasing: orders, receipts, returns. Stock moves are posted by
inventory, through the signals these services send inside their transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from audit.services import Action, audit_entry, audit_record, audit_record_many
from catalog.models import PackageUnit, Product, Supplier, Warehouse
from inventory.selectors import posted_costs
from jxc.decimals import MAX_VALUE, money, unit_cost
from jxc.documents import by_submission, check_version, lock, posting
from jxc.formatting import qty
from jxc.lines import line_amount
from jxc.models import DocumentStatus
from jxc.numbering import document_number_later
from jxc.orders import (
    OrderLifecycle,
    OrderStatuses,
    cancel_entry,
    check_cancel,
    check_products,
    check_quantities,
)
from jxc.posting import Partner, Posting, PostingLine, PostingPayment, SourceRef
from jxc.units import entered_lines, entry, line_entry
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
APPROVE_PRICE = "purchasing.approve_price"
# A draft's header as the audit trail compares it on an edit.
ORDER_AUDIT_FIELDS = [
    "supplier", "warehouse", "order_date", "expected_date", "note", "total",
]  # fmt: skip


ORDERS = OrderLifecycle(
    PurchaseOrder, OrderStatuses.of(OrderStatus), "received_quantity", "ordered", audit
)


@dataclass(frozen=True)
class OrderLineInput:
    product: Product
    quantity: Decimal  # in ``unit``
    unit_price: Decimal | None = None  # None: the last price paid, else the reference
    unit: PackageUnit | None = None  # None: the product's base unit
    entered: Decimal | None = None  # set by jxc.units.entered_lines


@dataclass(frozen=True)
class ReceiptLineInput:
    product: Product
    quantity: Decimal  # accepted into stock, in ``unit``
    rejected_quantity: Decimal = ZERO  # in ``unit``
    reject_reason: str = ""
    unit_cost: Decimal | None = None  # None: the order's price (or the last price paid)
    unit: PackageUnit | None = None  # None: the product's base unit
    entered: Decimal | None = None  # set by jxc.units.entered_lines


@dataclass(frozen=True)
class ReturnLineInput:
    product: Product
    quantity: Decimal  # in ``unit``
    receipt_line_id: int | None = None
    unit: PackageUnit | None = None  # None: the product's base unit
    entered: Decimal | None = None  # set by jxc.units.entered_lines


def _check_parties(supplier: Supplier, warehouse: Warehouse) -> None:
    if not supplier.is_active:
        raise ValidationError(
            _("The supplier “%(name)s” is deactivated.") % {"name": supplier.name}
        )
    if not warehouse.is_active:
        raise ValidationError(
            _("The warehouse “%(name)s” is deactivated.") % {"name": warehouse.name}
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


# --- the price band ---------------------------------------------------------------


def _price_text(line_product, price, reference, factor) -> str:
    low, high = selectors.price_band(reference, factor)
    return _(
        "“%(name)s” at ¥%(price)s (last paid or reference ¥%(reference)s; "
        "¥%(low)s – ¥%(high)s needs no approval)"
    ) % {
        "name": line_product.name,
        "price": f"{price:,.2f}",
        "reference": f"{reference:,.2f}",
        "low": f"{low:,.2f}",
        "high": f"{high:,.2f}",
    }


def _flag_prices(rows, price_of, user, inherited=None) -> tuple[list, list]:
    """Mark rows whose price is outside the owner's band; approve them when the
    user may (the owner entering the price himself) or when ``inherited`` (row →
    an approved line at the same price) says so. Returns (approved now, waiting).
    """
    factor = selectors.purchasing_settings().price_band_factor
    references = selectors.price_references([row.product_id for row in rows])
    may_approve = user is not None and user.has_perm(APPROVE_PRICE)
    now = timezone.now()
    approved, waiting = [], []
    for row in rows:
        reference = references.get(row.product_id)
        if not selectors.out_of_band(price_of(row), reference, factor):
            continue
        row.price_reference = reference
        earlier = inherited(row) if inherited else None
        if earlier is not None:
            row.price_approved_by_id = earlier.price_approved_by_id
            row.price_approved_at = earlier.price_approved_at
        elif may_approve:
            row.price_approved_by, row.price_approved_at = user, now
            approved.append(row)
        else:
            waiting.append(row)
    return approved, waiting


def _approval_entry(record, rows, price_of, user):
    """The audit entry of prices outside the band the owner approved: who, and
    per product the price compared with → the price approved."""
    found = {"price_approved_by": [None, str(user)]}
    for row in rows:
        found[str(row.product)] = [
            f"{row.price_reference:,.2f}",
            f"{price_of(row):,.2f}",
        ]
    return audit_entry(user=user, action=Action.CHANGE, record=record, changes=found)


def _order_price(row):
    """The price per base unit, as the band's reference is (a line in 箱 at ¥48
    of 24 is ¥2 a 瓶)."""
    return row.unit_price / row.unit_factor


def _receipt_price(row):
    return row.unit_cost / row.unit_factor


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
    check_products(line.product for line in lines)
    check_quantities(lines)
    lines = entered_lines(lines)
    if expected_date and expected_date < order_date:
        raise ValidationError(_("The expected date is before the order date."))
    order, before = ORDERS.draft(
        order,
        version=version,
        user=user,
        submission=submission,
        prefix="PO",
        day=order_date,
        audit_fields=ORDER_AUDIT_FIELDS,
    )
    # An approval holds for its product at its price: a changed price is flagged
    # again.
    approvals = {}
    if before is not None:
        approvals = {
            line.product_id: line
            for line in order.lines.filter(price_approved_by__isnull=False)
        }
        order.lines.all().delete()
    order.supplier, order.warehouse = supplier, warehouse
    order.order_date, order.expected_date, order.note = order_date, expected_date, note
    prices = selectors.last_prices(
        supplier_id=supplier.pk, product_ids=[line.product.pk for line in lines]
    )
    rows = []
    for line in lines:
        step = line_entry(line)
        price = line.unit_price
        if price is None:
            price = money(
                prices.get(line.product.pk, line.product.purchase_price) * step.factor
            )
        rows.append(
            PurchaseOrderLine(
                product=line.product,
                **step.fields(),
                unit_price=price,
                amount=line_amount(step.entered, price),
            )
        )
    order.total = sum((row.amount for row in rows), ZERO)
    _check_amounts(rows, order.total)
    approved, _waiting = _flag_prices(
        rows,
        _order_price,
        user,
        inherited=lambda row: (
            earlier
            if (earlier := approvals.get(row.product_id)) is not None
            and earlier.unit_price == row.unit_price
            else None
        ),
    )
    ORDERS.draft_save(order, rows)
    if approved:
        _approval_entry(order, approved, _order_price, user).save()
    ORDERS.draft_audit(
        order, before=before, rows=rows, user=user, audit_fields=ORDER_AUDIT_FIELDS
    )
    return order


@posting
def purchase_order_confirm(*, order: PurchaseOrder, user) -> PurchaseOrder:
    """Send the draft to the supplier: from now on it is received against."""
    order = lock(PurchaseOrder, order.pk)
    ORDERS.refuse_unless(
        order, OrderStatus.DRAFT, message=_("%(number)s is already %(status)s.")
    )
    waiting = [
        line
        for line in selectors.order_prices_checked(selectors.order_lines(order))
        if line.price_waiting
    ]
    if waiting:
        factor = selectors.purchasing_settings().price_band_factor
        raise ValidationError(
            _(
                "%(number)s cannot be placed yet: %(lines)s. These prices are far "
                "from what was paid before; the owner approves them on the order "
                "(“Approve prices”), then place it again."
            )
            % {
                "number": order.number,
                "lines": "; ".join(
                    _price_text(
                        line.product, line.unit_price, line.price_reference, factor
                    )
                    for line in waiting
                ),
            }
        )
    return ORDERS.place(order, user=user)


@posting
def purchase_order_prices_approve(
    *, order: PurchaseOrder, user, version: int | None = None
) -> PurchaseOrder:
    """The owner approves the prices outside the band on a draft or open order, as
    they stand (``version``: the order the owner saw); recorded in the audit trail.
    """
    if not user.has_perm(APPROVE_PRICE):
        raise ValidationError(_("Only the owner can approve purchase prices."))
    order = lock(PurchaseOrder, order.pk)
    check_version(order, version)
    if order.status not in (OrderStatus.DRAFT, *OPEN_ORDER_STATUSES):
        raise ValidationError(
            _("%(number)s is %(status)s: its prices no longer matter.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    waiting = [
        line
        for line in selectors.order_prices_checked(selectors.order_lines(order))
        if line.price_waiting
    ]
    if not waiting:
        raise ValidationError(
            _("%(number)s has no price waiting for approval.")
            % {"number": order.number}
        )
    now = timezone.now()
    for line in waiting:
        line.price_approved_by, line.price_approved_at = user, now
    PurchaseOrderLine.objects.bulk_update(
        waiting, ["price_reference", "price_approved_by", "price_approved_at"]
    )
    _approval_entry(order, waiting, _order_price, user).save()
    return order


@posting
def purchase_order_end(
    *, order: PurchaseOrder, user, reason: str, may_end_placed: bool = True
) -> PurchaseOrder:
    """Cancel an order nothing arrived for, or close one short (the rest won't come).

    Ending a placed order needs ``may_end_placed`` (the owner); a draft anyone may
    drop. Checked under the order's lock, so a concurrent "place" is seen.
    """
    return ORDERS.end(
        order=order,
        user=user,
        reason=reason,
        may_end=lambda _order: may_end_placed,
        refusal=_(
            "%(number)s is already placed; only the owner can cancel or close it."
        ),
    )


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
    payments: list[tuple[int, Decimal]] = (),
) -> GoodsReceipt:
    """Book what arrived: accepted goods into stock (through ``receipt_posted``),
    rejected ones recorded only; the order's received quantities and status follow.
    ``payments`` ((money account id, amount)) is 本次付款: paid to the supplier
    as the receipt posts, in the same transaction (the money ledger).

    A second submit of the same form returns the first receipt.
    """
    if existing := by_submission(GoodsReceipt, submission):
        return existing
    check_products(line.product for line in lines)
    if any(line.quantity < 0 or line.rejected_quantity < 0 for line in lines):
        raise ValidationError(_("Quantities cannot be negative."))
    lines = [
        replace(
            line,
            rejected_quantity=entry(
                line.product, line.rejected_quantity, line.unit
            ).base,
        )
        for line in entered_lines(lines)
    ]
    order_lines = {}
    if order is not None:
        order = lock(PurchaseOrder, order.pk)
        # Another tab of the same form may have received the order while this
        # one waited for its lock: show that receipt, not "already received".
        if existing := by_submission(GoodsReceipt, submission):
            return existing
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
        submission=submission,
        supplier=supplier,
        warehouse=warehouse,
        order=order,
        occurred_at=occurred_at,
        note=note,
        created_by=user,
    )
    document_number_later(
        receipt, prefix="GR", day=timezone.localtime(occurred_at).date()
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
        step = line_entry(line)
        cost = line.unit_cost
        if cost is None:
            if order_line and order_line.unit_id == step.unit_pk:
                cost = order_line.unit_price  # the order's price in the same unit
            elif order_line:
                cost = order_line.unit_price / order_line.unit_factor * step.factor
            else:
                cost = (
                    prices.get(line.product.pk, line.product.purchase_price)
                    * step.factor
                )
        cost = unit_cost(cost)
        rows.append(
            GoodsReceiptLine(
                order_line=order_line,
                product=line.product,
                **step.fields(),
                rejected_quantity=line.rejected_quantity,
                reject_reason=line.reject_reason.strip(),
                unit_cost=cost,
                amount=line_amount(step.entered, cost),
            )
        )
    receipt.total = sum((row.amount for row in rows), ZERO)
    _check_amounts(rows, receipt.total)
    approved, waiting = _flag_prices(
        [row for row in rows if row.quantity > 0],
        _receipt_price,
        user,
        # A line of an order the owner approved at this very price: no second
        # approval.
        inherited=lambda row: (
            row.order_line
            if row.order_line is not None
            and row.order_line.price_approved_by_id is not None
            and row.order_line.unit_price == row.unit_cost
            and row.order_line.unit_id == row.unit_id
            else None
        ),
    )
    if waiting:
        factor = selectors.purchasing_settings().price_band_factor
        raise ValidationError(
            _(
                "Not posted: %(lines)s. These prices are far from what was paid "
                "before and need the owner: the owner approves them on the "
                "purchase order (“Approve prices”) or posts this receipt. Your "
                "lines are kept below; post again once approved."
            )
            % {
                "lines": "; ".join(
                    _price_text(row.product, row.unit_cost, row.price_reference, factor)
                    for row in waiting
                )
            }
        )
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
    if approved:
        entries.append(_approval_entry(receipt, approved, _receipt_price, user))
    if order is not None:
        was = order.status
        ORDERS.status_refresh(order)
        entries.append(
            ORDERS.document_applied(order, was=was, document=receipt, user=user)
        )
    audit_record_many(entries)
    stock_lines = tuple(
        PostingLine(
            row.pk,
            row.product_id,
            warehouse.pk,
            row.quantity,
            unit_cost(row.unit_cost / row.unit_factor),
            # A line in 箱 brings in exactly its amount (¥50.00 a 箱 of 24, not
            # 24 × ¥2.0833).
            value=row.amount if row.unit_id else None,
            amount=row.amount,
        )
        for row in rows
        if row.quantity > 0
    )
    if stock_lines:
        receipt_posted.send(
            sender=GoodsReceipt,
            posting=Posting(
                source=SourceRef.of(receipt),
                occurred_at=occurred_at,
                user=user,
                lines=stock_lines,
                partner=Partner.of(receipt),
                payments=tuple(
                    PostingPayment(Decimal(amount), account_id=account_id)
                    for account_id, amount in payments
                ),
            ),
        )
    elif payments:
        raise ValidationError(_("Nothing was received: there is nothing to pay for."))
    return receipt


@posting
def receipt_cancel(*, receipt: GoodsReceipt, user, reason: str) -> GoodsReceipt:
    """Take a receipt back: its stock leaves again (if still there) and the order
    waits for those quantities again."""
    receipt = lock(GoodsReceipt, receipt.pk)
    check_cancel(receipt, reason)
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
    receipt_posted.send(
        sender=GoodsReceipt,
        posting=Posting.cancel_of(receipt, occurred_at=now, user=user),
    )
    entries = []
    if order is not None:
        for line in lines:
            if line.order_line_id and line.quantity:
                order_line = order_lines[line.order_line_id]
                order_line.received_quantity -= line.quantity
                order_line.save(update_fields=["received_quantity"])
        was = order.status
        ORDERS.status_refresh(order)
        entries.append(
            ORDERS.document_applied(order, was=was, document=receipt, user=user)
        )
    receipt.save(update_fields=receipt.mark_cancelled(user=user, reason=reason, at=now))
    entries.insert(0, cancel_entry(audit, receipt, user))
    audit_record_many(entries)
    return receipt


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
    check_products(line.product for line in lines)
    lines = entered_lines(lines)
    receipt_lines = {}
    if receipt is not None:
        receipt = lock(GoodsReceipt, receipt.pk)
        # A double click waited for the first click's lock: show what it posted.
        if existing := by_submission(PurchaseReturn, submission):
            return existing
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
        submission=submission,
        supplier=supplier,
        warehouse=warehouse,
        receipt=receipt,
        occurred_at=occurred_at,
        note=note,
        created_by=user,
    )
    document_number_later(
        document, prefix="PR", day=timezone.localtime(occurred_at).date()
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
            # Per base unit: the receipt's cost is per the unit it was entered in.
            cost = unit_cost(receipt_line.unit_cost / receipt_line.unit_factor)
        rows.append((line, receipt_line, cost))
    document.save()
    saved = PurchaseReturnLine.objects.bulk_create(
        [
            PurchaseReturnLine(
                purchase_return=document,
                receipt_line=receipt_line,
                product=line.product,
                **line_entry(line).fields(),
                unit_cost=cost or ZERO,
                amount=ZERO,
            )
            for line, receipt_line, cost in rows
        ]
    )
    source = SourceRef.of(document)
    purchase_return_posted.send(
        sender=PurchaseReturn,
        posting=Posting(
            source=source,
            occurred_at=occurred_at,
            user=user,
            # A return from a receipt leaves at the receipt's cost; a direct one at
            # the average cost, which the stock ledger decides: its amount is known
            # only afterwards (the document's total below).
            lines=tuple(
                PostingLine(
                    row.pk,
                    row.product_id,
                    warehouse.pk,
                    -row.quantity,
                    cost,
                    amount=money(row.quantity * cost) if cost is not None else ZERO,
                )
                for row, (_line, _receipt_line, cost) in zip(saved, rows, strict=True)
            ),
            partner=Partner("supplier", supplier.pk),
        ),
    )
    # The ledger decided the value that left; the document shows the same.
    costs = posted_costs(source)
    for row in saved:
        cost, value = costs[row.pk]
        row.unit_cost = unit_cost(cost * row.unit_factor)  # per the entered unit
        row.amount = -value
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
    check_cancel(document, reason)
    now = timezone.now()
    # Exactly what left comes back (the stock ledger's reverse-by-source).
    purchase_return_posted.send(
        sender=PurchaseReturn,
        posting=Posting.cancel_of(document, occurred_at=now, user=user),
    )
    document.save(
        update_fields=document.mark_cancelled(user=user, reason=reason, at=now)
    )
    cancel_entry(audit, document, user).save()
    return document


@transaction.atomic
def purchasing_settings_save(
    *,
    over_receipt_percent: int,
    price_band_factor: Decimal | None = None,
    user=None,
) -> None:
    """Set the owner's over-receipt tolerance and purchase price band.

    The band is 0 (no check) or a factor above 1 and at most 100.
    """
    if price_band_factor is not None and not (
        price_band_factor == 0 or 1 < price_band_factor <= 100
    ):
        raise ValidationError(
            _("The price band is 0 (no check) or a factor above 1, at most 100.")
        )
    current, _created = PurchasingSettings.objects.select_for_update().get_or_create(
        pk=1
    )
    found = {}
    if current.over_receipt_percent != over_receipt_percent:
        found["over_receipt_percent"] = [
            current.over_receipt_percent,
            over_receipt_percent,
        ]
        current.over_receipt_percent = over_receipt_percent
    if price_band_factor is not None and current.price_band_factor != price_band_factor:
        found["price_band_factor"] = [
            str(current.price_band_factor),
            str(price_band_factor),
        ]
        current.price_band_factor = price_band_factor
    if not found:
        return
    current.save(update_fields=["over_receipt_percent", "price_band_factor"])
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=current,
        label="",
        changes=found,
    )

"""Every write of sales: orders and their reservations, shipments, retail sales,
returns. Stock moves are posted by inventory through the signals sent here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField as DateTimeOutput
from django.db.models import Exists, ExpressionWrapper, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from audit.services import Action, audit_entry, audit_record, audit_record_many
from catalog.models import Customer, PackageUnit, Product, Warehouse
from finance import selectors as finance_selectors
from inventory.selectors import posted_costs
from inventory.services import (
    stock_levels_lock,
    stock_release,
    stock_reserve,
)
from jxc.bulk import rows_update
from jxc.decimals import MAX_VALUE, money
from jxc.documents import by_submission, check_version, lock, posting
from jxc.formatting import qty
from jxc.inputs import OUT_OF_DATE
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
from jxc.units import entered_lines, entry_of_base, line_entry, package_price
from sales import authority
from sales.models import (
    OPEN_STATUSES,
    OrderStatus,
    PaymentMethod,
    SalePayment,
    SalesOrder,
    SalesOrderLine,
    SalesReturn,
    SalesReturnLine,
    SalesSettings,
    Shipment,
    ShipmentLine,
)
from sales.signals import payments_recorded, sales_return_posted, shipment_posted

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CANCEL = "sales.cancel_posted"
RELEASE = "sales.release_reservation"
# A draft's header as the audit trail compares it on an edit.
ORDER_AUDIT_FIELDS = ["customer", "warehouse", "order_date", "note", "total"]


ORDERS = OrderLifecycle(
    SalesOrder, OrderStatuses.of(OrderStatus), "shipped_quantity", "confirmed", audit
)


@dataclass(frozen=True)
class SaleLineInput:
    product: Product
    quantity: Decimal  # in ``unit``
    unit_price: Decimal | None = None  # None: the product's (or package's) sale price
    discount: Decimal = ZERO  # percent
    unit: PackageUnit | None = None  # None: the product's base unit
    entered: Decimal | None = None  # set by jxc.units.entered_lines


@dataclass
class ShortRow:
    line: SalesOrderLine
    available: Decimal

    @property
    def missing(self):
        return self.line.quantity - self.available


class OrderShortage(ValidationError):
    """Some lines want more than is available; the clerk chooses what to do."""

    def __init__(self, rows: list[ShortRow]):
        self.rows = rows
        super().__init__(_("Not enough stock available for every line."))


def _check_lines(customer: Customer, warehouse: Warehouse, lines) -> None:
    if not customer.is_active:
        raise ValidationError(
            _("The customer “%(name)s” is deactivated.") % {"name": customer.name}
        )
    if not warehouse.is_active:
        raise ValidationError(
            _("The warehouse “%(name)s” is deactivated.") % {"name": warehouse.name}
        )
    check_products(lines)  # one line per product and unit
    check_quantities(lines)
    if any(not ZERO <= line.discount <= HUNDRED for line in lines):
        raise ValidationError(_("A discount is between 0 and 100 %."))


def _order_lines(lines: list[SaleLineInput]) -> list[SalesOrderLine]:
    rows = []
    for line in entered_lines(lines):
        step = line_entry(line)
        price = (
            package_price(line.product, line.unit)
            if line.unit_price is None
            else line.unit_price
        )
        rows.append(
            SalesOrderLine(
                product=line.product,
                **step.fields(),
                unit_price=price,
                discount=line.discount,
                amount=line_amount(step.entered, price, line.discount),
            )
        )
    if sum((row.amount for row in rows), ZERO) > MAX_VALUE:
        raise ValidationError(
            _(
                "The amounts are larger than the system can hold. Check "
                "the quantities and prices."
            )
        )
    return rows


# --- sales orders ------------------------------------------------------------------


@posting
def sales_order_save(
    *,
    order: SalesOrder | None = None,
    customer: Customer,
    warehouse: Warehouse,
    order_date,
    note: str,
    lines: list[SaleLineInput],
    user,
    submission=None,
    version: int | None = None,
    price_approver=None,
) -> SalesOrder:
    """Create a draft order, or rewrite a draft; prices default to the sale price.
    Prices beyond a clerk's authority need ``price_approver`` (sales.authority)."""
    if order is None and (existing := by_submission(SalesOrder, submission)):
        return existing
    _check_lines(customer, warehouse, lines)
    lines = entered_lines(lines)
    approved, approver = authority.prices_authorize(
        lines=lines, user=user, approver=price_approver, order=order
    )
    order, before = ORDERS.draft(
        order,
        version=version,
        user=user,
        submission=submission,
        prefix="SO",
        day=order_date,
        audit_fields=ORDER_AUDIT_FIELDS,
    )
    if before is not None:
        order.lines.all().delete()
    order.customer, order.warehouse, order.order_date, order.note = (
        customer,
        warehouse,
        order_date,
        note,
    )
    rows = _order_lines(lines)
    order.total = sum((row.amount for row in rows), ZERO)
    ORDERS.draft_save(order, rows)
    ORDERS.draft_audit(
        order, before=before, rows=rows, user=user, audit_fields=ORDER_AUDIT_FIELDS
    )
    authority.approval_record(
        record=order, approved=approved, approver=approver, user=user
    )
    return order


@posting
def sales_order_confirm(
    *,
    order: SalesOrder,
    user,
    on_shortage: str = "refuse",
    version: int | None = None,
    credit_approver=None,
) -> SalesOrder:
    """Confirm a draft and reserve its stock.

    When a line wants more than is available (on hand − reserved): ``refuse``
    raises OrderShortage with the short lines; ``reduce`` cuts each line to what
    is available; ``backorder`` reserves what is available and the rest waits.
    Reservations that are due to expire are released first, so their stock counts
    as available.
    """
    reservations_expire()
    order = lock(SalesOrder, order.pk)
    check_version(order, version)
    ORDERS.refuse_unless(
        order, OrderStatus.DRAFT, message=_("%(number)s is already %(status)s.")
    )
    lines = list(order.lines.select_related("product").order_by("product_id"))
    _check_lines(
        order.customer,
        order.warehouse,
        [
            SaleLineInput(line.product, line.quantity, line.unit_price, line.discount)
            for line in lines
        ],
    )
    if order.customer.credit_limit is not None and not order.is_retail:
        # What the customer owes now and this order: over the limit needs an owner.
        authority.credit_authorize(
            customer=order.customer,
            balance=finance_selectors.partner_balance(customer_id=order.customer_id)
            + order.total,
            user=user,
            approver=credit_approver,
            record=order,
        )
    levels = stock_levels_lock((line.product_id, order.warehouse_id) for line in lines)
    available = {
        line.pk: max(levels[(line.product_id, order.warehouse_id)].available, ZERO)
        for line in lines
    }
    short = [
        ShortRow(line, available[line.pk])
        for line in lines
        if line.quantity > available[line.pk]
    ]
    if short and on_shortage == "refuse":
        raise OrderShortage(short)
    kept = []
    for line in lines:
        free = available[line.pk]
        if on_shortage == "reduce" and line.quantity > free:
            # A line in 箱 keeps its unit: the whole packages available.
            packages = (free // line.unit_factor) if line.unit_id else free
            if packages == 0:
                line.delete()
                continue
            line.entered_quantity = packages
            line.quantity = free = packages * line.unit_factor
            line.amount = line_amount(packages, line.unit_price, line.discount)
        line.reserved_quantity = min(line.quantity, free)
        if line.reserved_quantity > 0:
            stock_reserve(
                product_id=line.product_id,
                warehouse_id=order.warehouse_id,
                quantity=line.reserved_quantity,
            )
        line.save(
            update_fields=[
                "quantity",
                "entered_quantity",
                "amount",
                "reserved_quantity",
            ]
        )
        kept.append(line)
    if not kept:
        raise ValidationError(
            _("None of the products is available; nothing to confirm.")
        )
    total = sum((line.amount for line in kept), ZERO)
    found = {"status": [OrderStatus.DRAFT, OrderStatus.CONFIRMED]}
    if total != order.total:
        found["total"] = [order.total, total]
    order.total = total
    order.reserved_until = None
    now = timezone.now()
    days = _expiry_days()
    if days and any(line.reserved_quantity > 0 for line in kept):
        order.reserved_until = now + timedelta(days=days)
    return ORDERS.place(
        order, user=user, at=now, changes=found, fields=["total", "reserved_until"]
    )


def _release_all(order: SalesOrder) -> list[str]:
    for line in order.lines.filter(reserved_quantity__gt=0).order_by("product_id"):
        stock_release(
            product_id=line.product_id,
            warehouse_id=order.warehouse_id,
            quantity=line.reserved_quantity,
        )
        line.reserved_quantity = ZERO
        line.save(update_fields=["reserved_quantity"])
    order.reserved_until = None
    return ["reserved_until"]


def order_own(order: SalesOrder, user) -> bool:
    """The user entered or confirmed the order."""
    return user.pk is not None and user.pk in (
        order.created_by_id,
        order.confirmed_by_id,
    )


def order_may_end(order: SalesOrder, user) -> bool:
    """Who may cancel or close an order: anyone a draft; the owner any open order;
    a clerk their own confirmed order while nothing of it has shipped."""
    if order.status == OrderStatus.DRAFT or user.has_perm(CANCEL):
        return True
    if order.status != OrderStatus.CONFIRMED or not order_own(order, user):
        return False
    return not order.lines.filter(shipped_quantity__gt=0).exists()


@posting
def sales_order_end(*, order: SalesOrder, user, reason: str) -> SalesOrder:
    """Cancel an order nothing shipped for, or close one short; reservations go back.

    A clerk may cancel a draft, or their own confirmed order of which nothing has
    shipped; everything else is the owner's (checked here, under the lock)."""
    return ORDERS.end(
        order=order,
        user=user,
        reason=reason,
        may_end=lambda locked: (
            locked.status not in OPEN_STATUSES or order_may_end(locked, user)
        ),
        refusal=_(
            "%(number)s is already confirmed; only the owner, or the clerk who "
            "entered it while nothing of it has shipped, can cancel it."
        ),
        release=_release_all,
    )


# --- reservations: the owner's release, expiry ----------------------------------


def _expiry_days() -> int | None:
    settings = SalesSettings.objects.filter(pk=1).first()
    return (settings.reservation_expiry_days or None) if settings else None


@posting
def sales_order_reservation_release(
    *, order: SalesOrder, product: Product, user
) -> Decimal:
    """The owner gives back what one open order holds of one product: the stock
    becomes free, the order line waits without a reservation (it ships later from
    free stock). Returns the quantity released."""
    if not user.has_perm(RELEASE):
        raise ValidationError(_("Only the owner can release a reservation."))
    order = lock(SalesOrder, order.pk)
    line = (
        order.lines.select_for_update().filter(product_id=product.pk).first()
        if order.status in OPEN_STATUSES
        else None
    )
    if line is None or line.reserved_quantity <= 0:
        raise ValidationError(
            _("%(number)s holds no reserved “%(name)s” any more; nothing released.")
            % {"number": order.number, "name": product.name}
        )
    quantity = line.reserved_quantity
    stock_release(
        product_id=product.pk, warehouse_id=order.warehouse_id, quantity=quantity
    )
    line.reserved_quantity = ZERO
    line.save(update_fields=["reserved_quantity"])
    if not order.lines.filter(reserved_quantity__gt=0).exists():
        order.reserved_until = None
    order.version += 1
    order.save(update_fields=["reserved_until", "version"])
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=order,
        summary=_("Reservation released: %(name)s %(quantity)s %(unit)s")
        % {"name": product.name, "quantity": qty(quantity), "unit": product.unit},
    )
    return quantity


@posting
def sales_order_reserve_again(*, order: SalesOrder, user) -> Decimal:
    """Reserve again, from free stock, what an open order still waits for without a
    reservation (after its reservation expired or was released, or a backorder
    whose goods came in). Returns the quantity reserved; the expiry days count
    again from now."""
    reservations_expire()
    order = lock(SalesOrder, order.pk)
    if order.status not in OPEN_STATUSES:
        raise ValidationError(
            _("%(number)s is %(status)s: nothing to reserve.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    lines = [
        line
        for line in order.lines.select_for_update().order_by("product_id")
        if line.remaining > line.reserved_quantity
    ]
    levels = stock_levels_lock((line.product_id, order.warehouse_id) for line in lines)
    reserved = ZERO
    for line in lines:
        free = max(levels[(line.product_id, order.warehouse_id)].available, ZERO)
        take = min(line.remaining - line.reserved_quantity, free)
        if take <= 0:
            continue
        stock_reserve(
            product_id=line.product_id, warehouse_id=order.warehouse_id, quantity=take
        )
        line.reserved_quantity += take
        line.save(update_fields=["reserved_quantity"])
        reserved += take
    if not reserved:
        raise ValidationError(
            _("No free stock to reserve for %(number)s now; it keeps waiting.")
            % {"number": order.number}
        )
    days = _expiry_days()
    order.reserved_until = timezone.now() + timedelta(days=days) if days else None
    order.reservation_expired_at = None
    order.version += 1
    order.save(update_fields=["reserved_until", "reservation_expired_at", "version"])
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=order,
        summary=_("Reserved again: %(quantity)s") % {"quantity": qty(reserved)},
    )
    return reserved


def _orders_due(now):
    # Served by the partial index sales_order_reserved_until.
    return SalesOrder.objects.filter(status__in=OPEN_STATUSES, reserved_until__lte=now)


def reservations_expire(*, now=None) -> list[SalesOrder]:
    """Release the reservations of open orders confirmed longer ago than the owner's
    expiry days (what is still reserved; shipped goods stay shipped) and mark them
    “reservation expired”. One indexed query, and no transaction, when nothing is
    due. Two runs at once release once: the orders are locked and checked again
    under the lock."""
    now = now or timezone.now()
    due = list(_orders_due(now).order_by("pk").values_list("pk", flat=True))
    if not due:
        return []
    return _reservations_release(due=due, now=now)


@posting
def _reservations_release(*, due: list[int], now) -> list[SalesOrder]:
    orders = [
        order
        for order in SalesOrder.objects.select_for_update()
        .filter(pk__in=due)
        .order_by("pk")
        if order.status in OPEN_STATUSES
        and order.reserved_until is not None
        and order.reserved_until <= now
    ]
    lines = list(
        SalesOrderLine.objects.filter(order__in=orders, reserved_quantity__gt=0)
        .select_related("product")
        .order_by("product_id", "pk")
    )
    by_id = {order.pk: order for order in orders}
    # Every balance first, in (product, warehouse) order like every posting, so
    # this run never deadlocks with a sale touching the same products.
    stock_levels_lock(
        {(line.product_id, by_id[line.order_id].warehouse_id) for line in lines}
    )
    released: dict[int, list[str]] = {}
    for line in lines:
        order = by_id[line.order_id]
        stock_release(
            product_id=line.product_id,
            warehouse_id=order.warehouse_id,
            quantity=line.reserved_quantity,
        )
        released.setdefault(order.pk, []).append(
            f"{line.product.name} {qty(line.reserved_quantity)} {line.product.unit}"
        )
        line.reserved_quantity = ZERO
    rows_update(lines, ["reserved_quantity"])
    expired = []
    for order in orders:
        order.reserved_until = None
        if order.pk in released:
            order.reservation_expired_at = now
            order.version += 1
            expired.append(order)
    rows_update(orders, ["reserved_until", "reservation_expired_at", "version"])
    shown = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    audit_record_many(
        audit_entry(
            user=None,
            action=Action.CHANGE,
            record=order,
            summary=_("Reservation expired, released: %(lines)s")
            % {"lines": "、".join(released[order.pk])},
            changes={"reservation_expired_at": [None, shown]},
        )
        for order in expired
    )
    return expired


@transaction.atomic
def sales_settings_save(*, reservation_expiry_days: int | None, user=None) -> None:
    """Set the owner's reservation expiry; open orders get their new expiry date
    (counted from their confirmation) at once."""
    current, _created = SalesSettings.objects.select_for_update().get_or_create(pk=1)
    days = reservation_expiry_days or None
    was = current.reservation_expiry_days or None
    if was == days:
        return
    current.reservation_expiry_days = days
    current.save(update_fields=["reservation_expiry_days"])
    holding = SalesOrder.objects.filter(
        status__in=OPEN_STATUSES, confirmed_at__isnull=False
    ).filter(
        Exists(
            SalesOrderLine.objects.filter(
                order_id=OuterRef("pk"), reserved_quantity__gt=0
            )
        )
    )
    holding.update(
        reserved_until=ExpressionWrapper(
            F("confirmed_at") + timedelta(days=days), output_field=DateTimeOutput()
        )
        if days
        else None
    )
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=current,
        label="",
        changes={"reservation_expiry_days": [was, days]},
    )


def _posted_entry(document, user, *, lines: int, summary: str = ""):
    """The audit entry of a posted shipment, return or retail sale."""
    return audit_entry(
        user=user,
        action=Action.POST,
        record=document,
        summary=summary,
        changes={
            "customer": [None, str(document.customer)],
            "warehouse": [None, str(document.warehouse)],
            "total": [None, document.total],
            "lines": [None, lines],
        },
    )


# --- shipments ----------------------------------------------------------------------


def _ship(
    *,
    order: SalesOrder,
    quantities: dict[int, Decimal],
    occurred_at,
    user,
    note: str = "",
    submission=None,
    lines: dict[int, SalesOrderLine] | None = None,
    payments: tuple[PostingPayment, ...] = (),
) -> Shipment:
    """Post a shipment of ``quantities`` (order line id → quantity) of a locked
    order. ``lines``: the order's lines when this transaction just made them (a
    counter sale), so no other can see them and nothing is read or locked."""
    if lines is None:
        # The order's lines alone, locked: no join, so no product row is locked
        # (other postings lock those, in another order: deadlocks) and the
        # product table is not scanned for the join.
        lines = {
            line.pk: line
            for line in order.lines.select_for_update(of=("self",)).order_by("pk")
        }
    shipment = Shipment(
        submission=submission,
        order=order,
        customer=order.customer,
        warehouse=order.warehouse,
        occurred_at=occurred_at,
        note=note,
        created_by=user,
    )
    document_number_later(
        shipment, prefix="SH", day=timezone.localtime(occurred_at).date()
    )
    rows, own = [], {}
    for line_id, quantity in quantities.items():
        line = lines[line_id]
        if quantity <= 0:
            raise ValidationError(
                _("The quantity of “%(name)s” must be greater than zero.")
                % {"name": line.product.name}
            )
        if quantity > line.remaining:
            raise ValidationError(
                _("“%(name)s”: %(remaining)s still to ship, not %(quantity)s.")
                % {
                    "name": line.product.name,
                    "remaining": qty(line.remaining),
                    "quantity": qty(quantity),
                }
            )
        # The last shipment of a line takes what is left of its amount: the
        # shipments of an order always add up to the order; a part (5 瓶 of a
        # 箱 line) its share rounded half-up, never more than is left.
        amount = line.amount - line.shipped_amount
        if quantity != line.remaining:
            amount = min(amount, money(line.amount * quantity / line.quantity))
        rows.append(
            ShipmentLine(
                order_line=line,
                product_id=line.product_id,
                # In the order line's unit when it divides (1 箱 of 2), else 瓶.
                **entry_of_base(quantity, line.unit_id, line.unit_factor).fields(),
                amount=amount,
            )
        )
        used = min(line.reserved_quantity, quantity)
        if used:
            key = (line.product_id, order.warehouse_id)
            own[key] = own.get(key, ZERO) + used
    if not rows:
        raise ValidationError(_("A document needs at least one line."))
    shipment.total = sum((row.amount for row in rows), ZERO)
    shipment.save()
    for row in rows:
        row.shipment = shipment
    ShipmentLine.objects.bulk_create(rows)
    # The order lines' counters before the moves: they do not depend on them, and
    # after the moves every statement runs while the stock balances are locked.
    for row in rows:
        line = row.order_line
        line.reserved_quantity -= min(line.reserved_quantity, row.quantity)
        line.shipped_quantity += row.quantity
        line.shipped_amount += row.amount
    rows_update(
        [row.order_line for row in rows],
        ["reserved_quantity", "shipped_quantity", "shipped_amount"],
    )
    source = SourceRef.of(shipment)
    shipment_posted.send(
        sender=Shipment,
        posting=Posting(
            source=source,
            occurred_at=occurred_at,
            user=user,
            lines=tuple(
                PostingLine(
                    row.pk,
                    row.product_id,
                    order.warehouse_id,
                    -row.quantity,
                    amount=row.amount,
                )
                for row in rows
            ),
            partner=_money_partner(order),
            reservations=own,
            payments=payments,
        ),
    )
    # The stock ledger decided the cost the goods left at; the shipment shows it.
    costs = posted_costs(source)
    for row in rows:
        row.unit_cost, value = costs[row.pk]
        row.cost_amount = -value
    rows_update(rows, ["unit_cost", "cost_amount"])
    shipment.cost_total = sum((row.cost_amount for row in rows), ZERO)
    shipment.save(update_fields=["cost_total"])
    return shipment


@posting
def shipment_post(
    *,
    order: SalesOrder,
    quantities: dict[int, Decimal],
    occurred_at,
    user,
    note: str = "",
    submission=None,
    version: int | None = None,
    payments: list[tuple[int, Decimal]] = (),
    credit_approver=None,
) -> Shipment:
    """Ship (part of) a confirmed order: its own reservation plus free stock, never
    stock reserved for another order. A second submit of the same form posts once.
    ``payments`` ((money account id, amount)) is 本次收款: money the customer
    pays as the goods leave, in the same transaction (the money ledger)."""
    if existing := by_submission(Shipment, submission):
        return existing
    order = lock(SalesOrder, order.pk)
    # A double click waited for the first click's lock: show what it posted.
    if existing := by_submission(Shipment, submission):
        return existing
    check_version(order, version)
    if order.status not in OPEN_STATUSES:
        raise ValidationError(
            _("%(number)s is %(status)s: nothing can be shipped from it.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    shipment = _ship(
        order=order,
        quantities=quantities,
        occurred_at=occurred_at,
        user=user,
        note=note,
        submission=submission,
        payments=tuple(
            PostingPayment(Decimal(amount), account_id=account_id)
            for account_id, amount in payments
        ),
    )
    _credit_check(order, user=user, approver=credit_approver, record=shipment)
    was = order.status
    ORDERS.status_refresh(order)
    audit_record_many(
        [
            _posted_entry(shipment, user, lines=len(quantities), summary=order.number),
            ORDERS.document_applied(order, was=was, document=shipment, user=user),
        ]
    )
    return shipment


@posting
def retail_sale_post(
    *,
    warehouse: Warehouse,
    lines: list[SaleLineInput],
    amount_received: Decimal,
    user,
    customer: Customer | None = None,
    submission=None,
    occurred_at=None,
    price_approver=None,
    payments: list[tuple[str, Decimal, Decimal | None]] | None = None,
) -> SalesOrder:
    """零售开单: a confirmed order and its shipment in one go, from free stock only.

    ``payments`` ((method, amount, tendered) per payment method, as for
    ``sale_payments_record``) records the sale's payment rows in the same
    transaction; without them the sale is paid in cash (the money ledger takes
    the total into the cash account; no rows are written).

    ``occurred_at`` books a sale made earlier (yesterday's paper receipts); now by
    default. Reservations due to expire are released first: their stock is free.
    """
    if existing := by_submission(SalesOrder, submission):
        if not existing.is_retail:
            # The token of a sales order's form, sent by a tampered page.
            raise ValidationError(OUT_OF_DATE)
        return existing
    reservations_expire()
    customer = customer or Customer.objects.get(code="RETAIL")
    _check_lines(customer, warehouse, lines)
    lines = entered_lines(lines)
    approved, approver = authority.prices_authorize(
        lines=lines, user=user, approver=price_approver
    )
    rows = _order_lines(lines)
    total = sum((row.amount for row in rows), ZERO)
    if amount_received < total:
        raise ValidationError(
            _("Received %(received)s is less than the total %(total)s.")
            % {"received": f"¥{amount_received:,.2f}", "total": f"¥{total:,.2f}"}
        )
    now = occurred_at or timezone.now()
    order = SalesOrder(
        submission=submission,
        customer=customer,
        warehouse=warehouse,
        order_date=timezone.localtime(now).date(),
        # Shipped whole below, in this transaction: no status update afterwards.
        status=OrderStatus.SHIPPED,
        is_retail=True,
        total=total,
        amount_received=amount_received,
        created_by=user,
        confirmed_by=user,
        confirmed_at=now,
    )
    document_number_later(order, prefix="SO", day=timezone.localtime(now).date())
    order.save()
    for row in rows:
        row.order = order
    SalesOrderLine.objects.bulk_create(rows)
    if payments is None:
        paid = [PostingPayment(total, method=PaymentMethod.CASH)] if total else []
    else:
        records = _payment_rows(order, payments, user)
        SalePayment.objects.bulk_create(records)
        paid = _posting_payments(records)
    # The money paid travels with the shipment's posting: one visit to the
    # money ledger for the sale and its payment.
    shipment = _ship(
        order=order,
        quantities={row.pk: row.quantity for row in rows},
        occurred_at=now,
        user=user,
        lines={row.pk: row for row in rows},
        payments=tuple(paid),
    )
    if any(payment.method == PaymentMethod.ACCOUNT for payment in paid):
        _credit_check(order, user=user, approver=price_approver, record=order)
    audit_record_many(
        [
            _posted_entry(order, user, lines=len(rows), summary=shipment.number),
            _posted_entry(shipment, user, lines=len(rows), summary=order.number),
        ]
    )
    authority.approval_record(
        record=order, approved=approved, approver=approver, user=user
    )
    return order


def _credit_check(order, *, user, approver, record) -> None:
    """After a sale on account posted: refuse it (rolling it back) when it leaves
    the customer owing more than the credit limit, unless an owner approves. The
    money ledger's balance row is locked by this transaction: two clerks selling
    to one customer at once cannot both slip under the limit."""
    customer = order.customer
    if customer.credit_limit is None or _walk_in(order):
        return
    authority.credit_authorize(
        customer=customer,
        balance=finance_selectors.partner_balance(customer_id=customer.pk),
        user=user,
        approver=approver,
        record=record,
    )


def _refund_rows(document: SalesReturn, refunds) -> list[SalePayment] | None:
    """The refund rows of a return whose refund the counter split by method."""
    if refunds is None:
        return None
    rows = [
        SalePayment(
            sales_return=document,
            method=method,
            amount=-amount,
            created_by=document.created_by,
        )
        for method, amount in refunds(document.total).items()
        if amount
    ]
    SalePayment.objects.bulk_create(rows)
    return rows


def _return_money(shipment: Shipment, total, refunds=None) -> dict:
    """Whom the money ledger books a return to: the customer, who owes that much
    less; a walk-in customer's counter sale is paid back in cash from the till at
    once (its sale kept no customer balance either), or by the methods the
    counter's refund rows name."""
    if refunds is not None:
        return {
            "partner": _money_partner(shipment.order),
            "payments": tuple(
                PostingPayment(-row.amount, method=row.method) for row in refunds
            ),
        }
    if not total or not _walk_in(shipment.order):
        return {"partner": Partner.of(shipment)}
    return {
        "partner": None,
        "payments": (PostingPayment(total, method=PaymentMethod.CASH),),
    }


def _walk_in(order: SalesOrder) -> bool:
    """A counter sale to the walk-in customer (RETAIL): paid at once, nobody owes
    anything, so the money ledger keeps no balance for it."""
    return order.is_retail and order.customer.code == "RETAIL"


def _money_partner(order: SalesOrder) -> Partner | None:
    """Whom the money ledger books a sale to: none for a walk-in."""
    return None if _walk_in(order) else Partner.of(order)


def _posting_payments(records: list[SalePayment]) -> list[PostingPayment]:
    return [
        PostingPayment(row.amount, method=row.method, tendered=row.tendered)
        for row in records
    ]


def _payment_rows(order, payments, user) -> list[SalePayment]:
    """The checked, unsaved payment rows of a counter sale."""
    methods = set(PaymentMethod.values)
    rows = []
    for method, amount, tendered in payments:
        amount = Decimal(amount)
        if method not in methods:
            raise ValidationError(_("Choose how the customer pays."))
        if method == PaymentMethod.ACCOUNT and order.customer.code == "RETAIL":
            raise ValidationError(
                _("Only a named customer can buy on account: choose the customer.")
            )
        if amount <= 0 or amount != money(amount):
            raise ValidationError(
                _("A payment must be greater than zero, with at most 2 decimals.")
            )
        if tendered is not None:
            tendered = Decimal(tendered)
            if method != PaymentMethod.CASH:
                raise ValidationError(_("Only cash is tendered."))
            if tendered < amount or tendered != money(tendered) or tendered > MAX_VALUE:
                raise ValidationError(
                    _("The cash tendered must cover the cash payment.")
                )
        rows.append(
            SalePayment(
                order=order,
                method=method,
                amount=amount,
                tendered=tendered,
                created_by=user,
            )
        )
    paid = sum((row.amount for row in rows), ZERO)
    if paid != order.total:
        raise ValidationError(
            _("The payments add up to %(paid)s, not the total %(total)s.")
            % {"paid": f"¥{paid:,.2f}", "total": f"¥{order.total:,.2f}"}
        )
    return rows


@posting
def sale_payments_record(
    *, order: SalesOrder, payments: list[tuple[str, Decimal, Decimal | None]], user
) -> list[SalePayment]:
    """Record how a counter sale was paid: one ``sales.SalePayment`` row per
    (method, amount, tendered) — method a ``PaymentMethod`` value, amount > 0,
    tendered (cash handed over) for cash only — adding up to the sale's total,
    and ``payments_recorded`` in the same transaction: the money ledger settles
    the sale's receivable from every row but 挂账 (``account``), which stays
    owed. A sale's payments are recorded once."""
    order = lock(SalesOrder, order.pk)
    if not order.is_retail or order.status != OrderStatus.SHIPPED:
        raise ValidationError(OUT_OF_DATE)
    if order.payments.exists():
        raise ValidationError(
            _("The payment of %(number)s is already recorded.")
            % {"number": order.number}
        )
    shipment = order.shipments.get(status=DocumentStatus.POSTED)
    rows = _payment_rows(order, payments, user)
    SalePayment.objects.bulk_create(rows)
    payments_recorded.send(
        sender=SalePayment,
        posting=Posting(
            source=SourceRef.of(shipment),
            occurred_at=shipment.occurred_at,
            user=user,
            partner=_money_partner(order),
            payments=tuple(_posting_payments(rows)),
        ),
    )
    return rows


@posting
def shipment_cancel(*, shipment: Shipment, user, reason: str) -> Shipment:
    """Take a shipment back: its goods return at the value they left with, and the
    order waits for those quantities again (from free stock)."""
    shipment = lock(Shipment, shipment.pk)
    check_cancel(shipment, reason)
    if shipment.returns.filter(status=DocumentStatus.POSTED).exists():
        raise ValidationError(
            _("Goods of %(number)s were returned; cancel those returns first.")
            % {"number": shipment.number}
        )
    order = lock(SalesOrder, shipment.order_id)
    rows = list(shipment.lines.select_related("order_line"))
    now = timezone.now()
    # The goods come back at the value they left with (reverse by source).
    shipment_posted.send(
        sender=Shipment, posting=Posting.cancel_of(shipment, occurred_at=now, user=user)
    )
    for row in rows:
        line = row.order_line
        line.shipped_quantity -= row.quantity
        line.shipped_amount -= row.amount
        line.save(update_fields=["shipped_quantity", "shipped_amount"])
    was = order.status
    if order.is_retail:
        # A counter sale taken back is undone whole; it never waits to ship again.
        order.status = OrderStatus.CANCELLED
        order.closed_by, order.closed_at = user, now
        order.close_reason = reason.strip()
    else:
        ORDERS.status_refresh(order)
    order_entry = ORDERS.document_applied(
        order,
        was=was,
        document=shipment,
        user=user,
        # A counter sale taken back is cancelled whole.
        action=Action.CANCEL if order.is_retail else Action.CHANGE,
        fields=["closed_by", "closed_at", "close_reason"],
    )
    shipment.save(
        update_fields=shipment.mark_cancelled(user=user, reason=reason, at=now)
    )
    audit_record_many([cancel_entry(audit, shipment, user), order_entry])
    return shipment


# --- returns ------------------------------------------------------------------------


@posting
def sales_return_post(
    *,
    shipment: Shipment,
    quantities: dict[int, Decimal],
    reason: str,
    occurred_at,
    user,
    submission=None,
    refunds: Callable[[Decimal], dict[str, Decimal]] | None = None,
) -> SalesReturn:
    """Goods back from a customer (shipment line id → quantity), at most what was
    shipped and not yet returned; into stock at the cost they left with.

    ``refunds`` (the counter's) splits the return's total among payment methods
    once it is known, under the shipment's lock: the refund is written as
    negative SalePayment rows of the return and paid out of those methods'
    accounts in the same posting (挂账's part lowers what the customer owes).
    Without it a walk-in sale's return is paid back in cash."""
    if existing := by_submission(SalesReturn, submission):
        return existing
    shipment = lock(Shipment, shipment.pk)
    # A double click waited for the first click's lock: show what it posted (it
    # may have returned everything, which this click would be refused).
    if existing := by_submission(SalesReturn, submission):
        return existing
    if shipment.status != DocumentStatus.POSTED:
        raise ValidationError(
            _("%(number)s is cancelled; nothing can be returned from it.")
            % {"number": shipment.number}
        )
    lines = {
        row.pk: row
        for row in shipment.lines.select_for_update(of=("self",)).select_related(
            "product", "order_line"
        )
    }
    document = SalesReturn(
        submission=submission,
        shipment=shipment,
        customer=shipment.customer,
        warehouse=shipment.warehouse,
        occurred_at=occurred_at,
        reason=reason.strip(),
        created_by=user,
    )
    document_number_later(
        document, prefix="SR", day=timezone.localtime(occurred_at).date()
    )
    rows = []
    for line_id, quantity in quantities.items():
        line = lines.get(line_id)
        if line is None:
            raise ValidationError(
                _("A line does not belong to %(number)s.") % {"number": shipment.number}
            )
        left = line.quantity - line.returned_quantity
        if quantity <= 0 or quantity > left:
            raise ValidationError(
                _("“%(name)s”: only %(left)s of %(number)s can still be returned.")
                % {
                    "name": line.product.name,
                    "left": qty(left),
                    "number": shipment.number,
                }
            )
        # The last of a line takes what is left of its amount and cost, so
        # returning everything gives back exactly what was sold; a part takes its
        # share rounded half-up (1 瓶 of a 24-瓶 箱 line: amount × 1/24), never
        # more than is left, so a line's returns never exceed its amount.
        done = line.return_lines.filter(sales_return__status=DocumentStatus.POSTED)
        amount = line.amount - sum((r.amount for r in done), ZERO)
        cost = line.cost_amount - sum((r.cost_amount for r in done), ZERO)
        if quantity != left:
            share = quantity / line.quantity
            amount = min(amount, money(line.amount * share))
            cost = min(cost, money(line.cost_amount * share))
        rows.append(
            SalesReturnLine(
                shipment_line=line,
                product=line.product,
                **entry_of_base(quantity, line.unit_id, line.unit_factor).fields(),
                amount=amount,
                unit_cost=line.unit_cost,
                cost_amount=cost,
            )
        )
    if not rows:
        raise ValidationError(_("A document needs at least one line."))
    document.total = sum((row.amount for row in rows), ZERO)
    document.cost_total = sum((row.cost_amount for row in rows), ZERO)
    document.save()
    for row in rows:
        row.sales_return = document
    SalesReturnLine.objects.bulk_create(rows)
    sales_return_posted.send(
        sender=SalesReturn,
        posting=Posting(
            source=SourceRef.of(document),
            occurred_at=occurred_at,
            user=user,
            # Back at exactly the cost the shipment took out for them.
            lines=tuple(
                PostingLine(
                    row.pk,
                    row.product_id,
                    shipment.warehouse_id,
                    row.quantity,
                    row.unit_cost,
                    value=row.cost_amount,
                    amount=row.amount,
                )
                for row in rows
            ),
            **_return_money(shipment, document.total, _refund_rows(document, refunds)),
        ),
    )
    for row in rows:
        line = row.shipment_line
        line.returned_quantity += row.quantity
        line.save(update_fields=["returned_quantity"])
        SalesOrderLine.objects.filter(pk=line.order_line_id).update(
            returned_quantity=F("returned_quantity") + row.quantity
        )
    _posted_entry(document, user, lines=len(rows), summary=shipment.number).save()
    return document


@posting
def sales_return_cancel(*, sales_return: SalesReturn, user, reason: str) -> SalesReturn:
    """Undo a return: the goods leave stock again (if still there)."""
    document = lock(SalesReturn, sales_return.pk)
    check_cancel(document, reason)
    # The shipment and its lines first, as sales_return_post locks them: the
    # returned counters change under that lock only.
    shipment = lock(Shipment, document.shipment_id)
    shipment_lines = {
        line.pk: line for line in shipment.lines.select_for_update().order_by("pk")
    }
    rows = list(document.lines.all())
    now = timezone.now()
    sales_return_posted.send(
        sender=SalesReturn,
        posting=Posting.cancel_of(document, occurred_at=now, user=user),
    )
    for row in rows:
        line = shipment_lines[row.shipment_line_id]
        line.returned_quantity -= row.quantity
        line.save(update_fields=["returned_quantity"])
        SalesOrderLine.objects.filter(pk=line.order_line_id).update(
            returned_quantity=F("returned_quantity") - row.quantity
        )
    document.save(
        update_fields=document.mark_cancelled(user=user, reason=reason, at=now)
    )
    cancel_entry(audit, document, user).save()
    return document

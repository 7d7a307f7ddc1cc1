"""Every write of the counter: the sale on the screen (the cart), its payments and
posting, parked sales.

A counter sale posts through ``sales.services.retail_sale_post`` (one order, its
shipment, the stock moves) and writes its ``SalePayment`` rows in the same
transaction (``counter_sale_post``): the rows sum exactly to the sale's total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from audit.changes import changes, snapshot
from audit.services import Action, audit_record
from catalog import selectors as catalog_selectors
from catalog import shops
from catalog.models import (
    WALK_IN_CUSTOMER_CODE,
    Customer,
    PackageUnit,
    Product,
    Warehouse,
)
from counter import scale, selectors
from counter.models import Cart, CashPaidOut, CounterSettings, HeldSale, Shift
from finance import cashbook
from finance.cashbook import TillReason
from jxc.decimals import MAX_PRICE, MAX_QUANTITY, MAX_VALUE
from jxc.decimals import quantity as round_quantity
from jxc.documents import by_submission, lock, posting
from jxc.formatting import money as yuan
from jxc.inputs import OUT_OF_DATE
from jxc.lines import MAX_LINES, line_amount
from jxc.models import DocumentStatus
from jxc.orders import check_quantities
from jxc.units import package_price
from sales import services as sales_services
from sales.models import PaymentMethod, SalesOrder, SalesReturn
from sales.services import SaleLineInput, retail_sale_post

ZERO = Decimal("0")
ONE = Decimal("1")
CENT = Decimal("0.01")
# The most search matches the scan box offers.
MATCHES = 8
VIEW_ALL = "counter.view_all_shifts"


def _money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


# --- payments ---------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentInput:
    """One method's share of a sale; ``tendered``: the cash handed over (cash only)."""

    method: str
    amount: Decimal
    tendered: Decimal | None = None

    @property
    def change(self) -> Decimal:
        return ZERO if self.tendered is None else self.tendered - self.amount


def _is_money(value, *, most=MAX_VALUE) -> bool:
    return (
        isinstance(value, Decimal)
        and value.is_finite()
        and ZERO <= value <= most
        and value == value.quantize(CENT)
    )


def payments_check(
    *, total: Decimal, payments: list[PaymentInput], customer: Customer
) -> None:
    """Refuse payments that are not exactly the sale's total: each method at most
    once with an amount above zero in fen, cash handed over at least the cash
    amount (change comes from cash only), 挂账 only for a named customer."""
    seen = set()
    for payment in payments:
        if payment.method not in PaymentMethod.values or payment.method in seen:
            raise ValidationError(_("Each payment method can be used once."))
        seen.add(payment.method)
        if not _is_money(payment.amount) or payment.amount <= 0:
            raise ValidationError(
                _("A payment is an amount above ¥0.00 with at most 2 decimals.")
            )
        if payment.tendered is not None:
            if payment.method != PaymentMethod.CASH:
                raise ValidationError(_("Only cash gives change."))
            if not _is_money(payment.tendered, most=MAX_PRICE):
                raise ValidationError(
                    _("The cash received is an amount with at most 2 decimals.")
                )
            if payment.tendered < payment.amount:
                raise ValidationError(
                    _("Still to pay: %(missing)s.")
                    % {"missing": _money(payment.amount - payment.tendered)}
                )
        if payment.method == PaymentMethod.ACCOUNT and (
            customer.code == WALK_IN_CUSTOMER_CODE
        ):
            raise ValidationError(
                _(
                    "On account (挂账) needs a named customer: choose the customer "
                    "first."
                )
            )
    paid = sum((payment.amount for payment in payments), ZERO)
    if paid < total:
        raise ValidationError(
            _("Still to pay: %(missing)s.") % {"missing": _money(total - paid)}
        )
    if paid > total:
        raise ValidationError(
            _(
                "The payments come to %(paid)s, more than the total %(total)s; only "
                "cash gives change."
            )
            % {"paid": _money(paid), "total": _money(total)}
        )


@dataclass(frozen=True)
class PaymentEntry:
    """What the clerk typed in the payment area: an amount per method other than
    cash (None: not used) and the cash received (None: nothing typed)."""

    amounts: dict[str, Decimal | None]
    cash_received: Decimal | None = None


def payments_from_entry(*, total: Decimal, entry: PaymentEntry) -> list[PaymentInput]:
    """The payment rows of what was typed: the other methods as typed, cash pays
    the rest and the received cash above it is change. Nothing typed: the total
    in cash, exactly (实收 defaults to the total)."""
    rows = [
        PaymentInput(method, amount)
        for method, amount in entry.amounts.items()
        if method != PaymentMethod.CASH and amount
    ]
    others = sum((row.amount for row in rows), ZERO)
    received = entry.cash_received
    if received is None and not rows:
        received = total
    rest = total - others
    if rest < 0:
        raise ValidationError(
            _(
                "The payments come to %(paid)s, more than the total %(total)s; only "
                "cash gives change."
            )
            % {"paid": _money(others), "total": _money(total)}
        )
    if rest == 0:
        if received:
            raise ValidationError(
                _("Nothing is left to pay in cash: clear the cash received.")
            )
        return rows
    if received is None or received < rest:
        raise ValidationError(
            _("Still to pay: %(missing)s.")
            % {"missing": _money(rest - (received or ZERO))}
        )
    return [PaymentInput(PaymentMethod.CASH, rest, received), *rows]


# --- posting ------------------------------------------------------------------------


def _check_prices(lines: list[SaleLineInput]) -> None:
    for line in lines:
        price = line.unit_price
        if price is not None and not _is_money(price, most=MAX_PRICE):
            raise ValidationError(
                _(
                    "The price of “%(name)s” must be between ¥0.00 and "
                    "¥99,999,999.99, with at most 2 decimals."
                )
                % {"name": line.product.name}
            )


def sale_total(lines: list[SaleLineInput]) -> Decimal:
    """The total a sale of these lines posts with (each line rounded, as posted)."""
    return sum(
        (
            line_amount(
                line.quantity,
                (
                    package_price(line.product, getattr(line, "unit", None))
                    if line.unit_price is None
                    else line.unit_price
                ),
                line.discount,
            )
            for line in lines
        ),
        ZERO,
    )


@posting
def counter_sale_post(
    *,
    warehouse: Warehouse,
    lines: list[SaleLineInput],
    payments: list[PaymentInput],
    user,
    customer: Customer | None = None,
    submission=None,
    price_approver=None,
) -> SalesOrder:
    """A counter sale: the retail sale (order, shipment, stock) and its payment
    rows in one transaction; the rows sum exactly to the total. A second submit
    of the same form returns the first sale and writes nothing."""
    if existing := by_submission(SalesOrder, submission):
        if not existing.is_retail:
            raise ValidationError(OUT_OF_DATE)
        return existing
    customer = customer or Customer.objects.get(code=WALK_IN_CUSTOMER_CODE)
    if not lines:
        raise ValidationError(_("Scan or search a product first: the sale is empty."))
    check_quantities(lines)
    _check_prices(lines)
    total = sale_total(lines)
    payments_check(total=total, payments=payments, customer=customer)
    change = sum((payment.change for payment in payments), ZERO)
    # The clerk's shift of the day opens on the first sale (with the owner's
    # float), and every sale holds its lock: a close waits for a sale in flight,
    # so the cash it expects has every sale that committed before it.
    _refuse_takings_after_close(shift_open(clerk=user))
    order = retail_sale_post(
        warehouse=warehouse,
        lines=lines,
        amount_received=total + change,
        user=user,
        customer=customer,
        submission=submission,
        price_approver=price_approver,
        # The payment rows, written in the sale's posting: the money ledger takes
        # every row but 挂账 into its account as the sale posts.
        payments=[
            (payment.method, payment.amount, payment.tendered) for payment in payments
        ],
    )
    if order.total != total:  # pragma: no cover - one line_amount for both
        raise ValidationError(_("The total changed while posting; try again."))
    return order


# --- the cart -------------------------------------------------------------------------


def _cart_locked(user) -> Cart:
    cart, _created = Cart.objects.select_for_update().get_or_create(clerk=user)
    if cart.warehouse_id is None:
        # Kept on the cart: the screen reads it with the cart, in one query.
        # A clerk of a chain starts in their own shop's warehouse.
        cart.warehouse = shops.default_warehouse_for(user)
    return cart


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _line_quantity(line: dict) -> Decimal:
    return Decimal(line["quantity"])


def _find(cart: Cart, product_id: int | None, unit=False) -> dict | None:
    """The line of ``product_id`` (the current line's product by default); with
    ``unit`` (a PackageUnit or its id, or None for the base unit), the line in
    that unit; without, the product's first line."""
    product_id = product_id or cart.current_product_id
    for line in cart.lines:
        if line["product"] == product_id and (
            unit is False or line.get("unit") == getattr(unit, "pk", unit)
        ):
            return line
    return None


def _line_of(cart: Cart, product_id: int | None, unit_id: int | None) -> dict | None:
    """The line a page's button names: by product and unit when the page says
    which unit (a 箱 line), else the product's base-unit line, else its first."""
    if unit_id:
        return _find(cart, product_id, unit_id)
    return _find(cart, product_id, None) or _find(cart, product_id)


def _check_quantity(quantity: Decimal, product: Product | None = None) -> None:
    if (
        not quantity.is_finite()
        or not ZERO < quantity <= MAX_QUANTITY
        or round_quantity(quantity) != quantity
    ):
        raise ValidationError(
            _(
                "A quantity is between 0.001 and 999,999,999.999, with at most 3 "
                "decimals."
            )
        )


def _add(
    cart: Cart,
    product: Product,
    quantity: Decimal,
    price: Decimal | None = None,
    unit: PackageUnit | None = None,
) -> None:
    """``quantity`` more of ``product`` in ``unit`` (a 箱 scanned: a line in 箱,
    at the package's price; None: the base unit)."""
    if not product.is_active:
        raise ValidationError(
            _("“%(name)s” is deactivated and cannot be sold.") % {"name": product.name}
        )
    line = _find(cart, product.pk, unit)
    if line is None:
        if len(cart.lines) >= MAX_LINES:
            raise ValidationError(_("A sale holds at most 300 lines."))
        line = {"product": product.pk, "quantity": "0", "price": None, "discount": "0"}
        if unit is not None:
            line["unit"] = unit.pk
        if price is not None and price != product.sale_price:
            # A price label's line keeps the label's amount (counter.scale).
            line["price"] = _text(price)
        cart.lines.append(line)
    new = _line_quantity(line) + quantity
    _check_quantity(new, product)
    line["quantity"] = _text(new)
    cart.current_product_id = product.pk


@dataclass
class ScanResult:
    """What a scan did: the product added, or the products a text matched."""

    product: Product | None = None
    matches: list[Product] | None = None


@transaction.atomic
def cart_scan(*, user, code: str) -> ScanResult:
    """A scanned or typed code adds its product (again: +1; a scale label: its
    weight); text that is no code answers the products it names (name, pinyin)."""
    code = (code or "").strip()[:100]
    if not code:
        raise ValidationError(_("Scan a barcode or type a name."))
    # A product's own barcode first: in-store EAN-13s may start with the scale
    # prefix too (both default to 2).
    product, quantity, price = catalog_selectors.product_by_code(code), ONE, None
    unit = None
    if product is None and (found := catalog_selectors.sellable_by_code(code)):
        # A package's barcode (箱) adds 1 箱: a line in that unit. Read after the
        # product's own codes (barcodes are unique across both), so a plain scan
        # costs no extra query.
        product, unit = found.product, found.unit
    if product is None and (reading := scale.read_label(code)) is not None:
        product, quantity = reading.product, reading.quantity
        price = reading.amount and reading.unit_price
    if product is None:
        matches = list(
            catalog_selectors.search(Product.objects.filter(is_active=True), code)
            .only("pk", "sku", "name", "spec", "unit", "sale_price", "barcode")
            .order_by("name", "sku")[:MATCHES]
        )
        if not matches:
            raise ValidationError(
                _("Nothing matches “%(text)s”: scan again or type another name.")
                % {"text": code[:60]}
            )
        return ScanResult(matches=matches)
    cart = _cart_locked(user)
    _add(cart, product, quantity, price, unit)
    cart.last_sale = None
    cart.save()
    return ScanResult(product=product)


@transaction.atomic
def cart_add(*, user, product: Product) -> None:
    """A product picked from the search list: one more of it."""
    cart = _cart_locked(user)
    _add(cart, product, ONE)
    cart.last_sale = None
    cart.save()


def _nothing_to_change():
    return ValidationError(_("The sale has no lines yet."))


@transaction.atomic
def cart_line_set(
    *,
    user,
    product_id: int | None,
    quantity: Decimal | None = None,
    price: Decimal | None = None,
    unit_id: int | None = None,
) -> None:
    """Set a line's quantity and/or unit price (the owner's price rules apply when
    the sale is posted)."""
    cart = _cart_locked(user)
    line = _line_of(cart, product_id, unit_id)
    if line is None:
        raise _nothing_to_change()
    if quantity is not None:
        _check_quantity(quantity)
        line["quantity"] = _text(quantity)
    if price is not None:
        if not _is_money(price, most=MAX_PRICE):
            raise ValidationError(
                _(
                    "A price is between ¥0.00 and ¥99,999,999.99, with at most 2 "
                    "decimals."
                )
            )
        line["price"] = f"{price:.2f}"
    cart.current_product_id = line["product"]
    cart.save()


@transaction.atomic
def cart_line_step(
    *, user, product_id: int | None = None, step: int = 1, unit_id: int | None = None
) -> None:
    """+ / −: one more or one less of a line (the last line touched by default); a
    line never goes below one this way (Delete removes it)."""
    cart = _cart_locked(user)
    line = _line_of(cart, product_id, unit_id)
    if line is None:
        raise _nothing_to_change()
    new = _line_quantity(line) + step
    if new <= 0:
        raise ValidationError(
            _("The quantity cannot go below what is left; Delete removes the line.")
        )
    _check_quantity(new)
    line["quantity"] = _text(new)
    cart.current_product_id = line["product"]
    cart.save()


@transaction.atomic
def cart_line_remove(
    *, user, product_id: int | None = None, unit_id: int | None = None
) -> None:
    """Delete a line (the last line touched by default)."""
    cart = _cart_locked(user)
    line = _line_of(cart, product_id, unit_id)
    if line is None:
        raise _nothing_to_change()
    cart.lines.remove(line)
    cart.current_product_id = cart.lines[-1]["product"] if cart.lines else None
    cart.save()


@transaction.atomic
def cart_customer_set(*, user, customer: Customer | None) -> None:
    """The sale's customer (None: the walk-in customer)."""
    cart = _cart_locked(user)
    cart.customer = customer
    cart.save()


@transaction.atomic
def cart_warehouse_set(*, user, warehouse: Warehouse) -> None:
    """Sell from another warehouse (its stock shows on the lines at once)."""
    if not warehouse.is_active:
        raise ValidationError(
            _("The warehouse “%(name)s” is deactivated.") % {"name": warehouse.name}
        )
    cart = _cart_locked(user)
    cart.warehouse = warehouse
    cart.save()


@transaction.atomic
def cart_clear(*, user) -> None:
    """Empty the screen: no lines, the walk-in customer."""
    cart = _cart_locked(user)
    cart.lines, cart.customer, cart.current_product_id = [], None, None
    cart.save()


def _sale_lines(cart: Cart) -> list[SaleLineInput]:
    """The cart's lines to post: a base-unit line without a price of its own
    sells at the customer's level price where the product has one (else the sale
    price); a package line at the package's price."""
    ids = [line["product"] for line in cart.lines]
    products = Product.objects.in_bulk(ids)
    level_id = cart.customer.price_level_id if cart.customer_id else None
    on_level = catalog_selectors.level_prices_of(level_id, ids) if ids else {}
    unit_ids = [line["unit"] for line in cart.lines if line.get("unit")]
    units = PackageUnit.objects.in_bulk(unit_ids) if unit_ids else {}
    lines = []
    for line in cart.lines:
        product = products.get(line["product"])
        if product is None:
            continue  # deleted from the catalog since; the screen no longer shows it
        try:
            quantity = Decimal(line["quantity"])
            # A package line's default is the package's price (the service's).
            price = (
                (None if line.get("unit") else on_level.get(product.pk))
                if line["price"] is None
                else Decimal(line["price"])
            )
            discount = Decimal(line.get("discount") or "0")
        except (InvalidOperation, TypeError) as error:
            raise ValidationError(OUT_OF_DATE) from error
        unit = units.get(line["unit"]) if line.get("unit") else None
        if line.get("unit") and unit is None:
            raise ValidationError(OUT_OF_DATE)  # the package was deleted since
        lines.append(SaleLineInput(product, quantity, price, discount, unit=unit))
    return lines


def _warehouse(cart: Cart) -> Warehouse:
    return cart.warehouse or catalog_selectors.default_warehouse()


@posting
def cart_checkout(
    *, user, entry: PaymentEntry, submission=None, price_approver=None
) -> SalesOrder:
    """Post the sale on the clerk's screen with what was typed as payment, and
    empty the screen, in one transaction. The same form sent twice posts once."""
    if existing := by_submission(SalesOrder, submission):
        if not existing.is_retail:
            raise ValidationError(OUT_OF_DATE)
        return existing
    cart = _cart_locked(user)
    # A double click waited for the first click's lock: show what it posted.
    if existing := by_submission(SalesOrder, submission):
        return existing
    lines = _sale_lines(cart)
    if not lines:
        raise ValidationError(_("Scan or search a product first: the sale is empty."))
    check_quantities(lines)
    _check_prices(lines)
    payments = payments_from_entry(total=sale_total(lines), entry=entry)
    order = counter_sale_post(
        warehouse=_warehouse(cart),
        lines=lines,
        payments=payments,
        user=user,
        customer=cart.customer,
        submission=submission,
        price_approver=price_approver,
    )
    cart.lines, cart.customer, cart.current_product_id = [], None, None
    cart.last_sale = order
    cart.save()
    return order


# --- parked sales (挂单 / 取单) ------------------------------------------------------


def held_sales_expire(*, today=None) -> int:
    """Delete parked sales of days gone by (they expire at local midnight)."""
    today = today or timezone.localdate()
    deleted, _by_model = HeldSale.objects.filter(day__lt=today).delete()
    return deleted


@transaction.atomic
def held_sale_park(*, user, note: str = "") -> HeldSale:
    """挂单: keep the sale on the screen aside (reserving nothing) and empty it."""
    held_sales_expire()
    cart = _cart_locked(user)
    lines = _sale_lines(cart)
    if not lines:
        raise ValidationError(_("There is nothing to park: the sale is empty."))
    items = sum(
        (line.quantity if line.quantity == line.quantity.to_integral() else ONE)
        for line in lines
    )
    held = HeldSale.objects.create(
        clerk=user,
        warehouse=_warehouse(cart),
        customer=cart.customer,
        lines=cart.lines,
        item_count=min(int(items), 2**31 - 1),
        total=min(sale_total(lines), MAX_VALUE),
        note=note[:100],
        day=timezone.localdate(),
    )
    cart.lines, cart.customer, cart.current_product_id = [], None, None
    cart.last_sale = None
    cart.save()
    return held


@transaction.atomic
def held_sale_resume(*, user, held_id: int) -> None:
    """取单: put a parked sale of today back on the clerk's screen (its lines read
    today's stock again); the owner may resume any clerk's."""
    cart = _cart_locked(user)
    held = HeldSale.objects.select_for_update().filter(pk=held_id).first()
    if held is None or held.day != timezone.localdate():
        raise ValidationError(
            _("That parked sale is gone: it was resumed already, or it expired.")
        )
    if held.clerk_id != user.pk and not user.has_perm(VIEW_ALL):
        raise ValidationError(_("That parked sale is another clerk's."))
    if cart.lines:
        raise ValidationError(
            _("Finish or park the sale on the screen before resuming another.")
        )
    cart.lines = held.lines
    cart.customer_id = held.customer_id
    cart.warehouse_id = held.warehouse_id
    cart.current_product_id = held.lines[-1]["product"] if held.lines else None
    cart.last_sale = None
    cart.save()
    held.delete()


# --- shift close, slip, settings and returns (c2) ------------------------------------
# Every write of the counter: its settings, the shift (float, cash paid out,
# close) and returns at the counter with their refunds.
ZERO = Decimal("0")
MAX_CASH = Decimal("99999999.99")
SETTINGS_FIELDS = ["auto_print", "scale_prefix", "scale_layout", "opening_float"]
# The order a refund takes the sale's methods in when the clerk does not split it:
# what is still owed first (挂账: the customer owes less), then cash from the
# drawer (at once), then the electronic methods (refunded in their apps).
REFUND_ORDER = [
    PaymentMethod.ACCOUNT,
    PaymentMethod.CASH,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
    PaymentMethod.CARD,
]


@transaction.atomic
def counter_settings_save(*, data: dict, user=None) -> CounterSettings:
    """Save the owner's counter rules (one row), with an audit entry of what
    changed."""
    current, _created = CounterSettings.objects.select_for_update().get_or_create(pk=1)
    before = snapshot(current, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        setattr(current, name, data[name])
    found = changes(before, current, SETTINGS_FIELDS)
    if found:
        current.save()
        audit_record(
            user=user, action=Action.CHANGE, record=current, label="", changes=found
        )
    return current


# --- the shift ----------------------------------------------------------------------


def _shift(clerk, day: date) -> Shift:
    """The clerk's shift of ``day``, opened with the owner's float if it is the
    first need of it, and locked."""
    Shift.objects.get_or_create(
        clerk=clerk,
        day=day,
        defaults={"opening_float": selectors.counter_settings().opening_float},
    )
    # Two first needs at once: one insert wins, the other fails on the unique
    # (clerk, day) and its posting runs again, finding the row.
    return Shift.objects.select_for_update().get(clerk=clerk, day=day)


def _refuse_closed(shift: Shift) -> None:
    if shift.is_closed:
        raise ValidationError(
            _("This shift was closed at %(time)s; it can no longer change.")
            % {"time": time_format(timezone.localtime(shift.closed_at), "H:i")}
        )


def _refuse_takings_after_close(shift: Shift) -> None:
    """A sale or refund after the clerk's close would be in no shift's cash: it
    waits until the owner reopens the shift (重新开班)."""
    if shift.is_closed:
        raise ValidationError(
            _(
                "Your shift was closed (交班) at %(time)s: no more sales or refunds "
                "today until the owner reopens it on the shift's page."
            )
            % {"time": time_format(timezone.localtime(shift.closed_at), "H:i")}
        )


def _check_cash(amount: Decimal, *, zero_ok: bool) -> None:
    if amount is None or amount < 0 or (amount == 0 and not zero_ok):
        raise ValidationError(_("Enter an amount greater than zero."))
    if amount > MAX_CASH:
        raise ValidationError(_("That amount is larger than a cash drawer holds."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("An amount has at most 2 decimals."))


@posting
def shift_open(*, clerk, day: date | None = None) -> Shift:
    """The clerk's shift of the day (today by default), opened if needed."""
    return _shift(clerk, day or timezone.localdate())


@posting
def shift_float_set(*, clerk, amount: Decimal, user, day: date | None = None) -> Shift:
    """Change the shift's opening float: only before its first sale or return,
    and never on a closed shift."""
    day = day or timezone.localdate()
    _check_cash(amount, zero_ok=True)
    shift = _shift(clerk, day)
    _refuse_closed(shift)
    if selectors.counted_payments(day, clerk.pk).exists():
        raise ValidationError(
            _(
                "The float can only change before the first sale of the shift; "
                "record cash taken out as paid out instead."
            )
        )
    if shift.opening_float != amount:
        was = shift.opening_float
        shift.opening_float = amount
        shift.save(update_fields=["opening_float"])
        audit_record(
            user=user,
            action=Action.CHANGE,
            record=shift,
            changes={"opening_float": [str(was), str(amount)]},
        )
    return shift


@posting
def shift_paid_out_add(
    *,
    clerk,
    amount: Decimal,
    note: str,
    user,
    day: date | None = None,
    submission=None,
) -> CashPaidOut:
    """Record cash taken out of the drawer during the shift (with what for); the
    shift's paid-out total follows. A second submit of the same form records once."""
    if existing := by_submission(CashPaidOut, submission):
        return existing
    _check_cash(amount, zero_ok=False)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say what the cash was paid out for."))
    shift = _shift(clerk, day or timezone.localdate())
    if existing := by_submission(CashPaidOut, submission):
        return existing
    _refuse_closed(shift)
    if shift.paid_out + amount > MAX_CASH:
        raise ValidationError(_("That amount is larger than a cash drawer holds."))
    drawer = selectors.clerk_day(clerk=clerk, day=shift.day).expected_cash
    if amount > drawer:
        raise ValidationError(
            _(
                "The drawer should hold %(cash)s in cash: %(amount)s cannot be paid "
                "out of it."
            )
            % {"cash": yuan(drawer), "amount": yuan(amount)}
        )
    # The same cash leaves the cash account (现金) as a 日常收支 expense; the
    # account refuses to go below zero (nothing written).
    entry = cashbook.till_cash_post(
        reason=TillReason.PAID_OUT,
        amount=amount,
        occurred_at=timezone.now(),
        user=user,
        note=_("Cash paid out at the counter (%(clerk)s): %(note)s")
        % {"clerk": _clerk_name(clerk), "note": note},
    )
    paid = CashPaidOut.objects.create(
        shift=shift,
        amount=amount,
        note=note,
        submission=submission,
        created_by=user,
        cash_entry=entry,
    )
    shift.paid_out += amount
    shift.save(update_fields=["paid_out"])
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=shift,
        summary=_("Cash paid out %(amount)s: %(note)s")
        % {"amount": yuan(amount), "note": note},
    )
    return paid


def _clerk_name(clerk) -> str:
    return clerk.get_full_name() or clerk.get_username()


def _over_short_post(shift: Shift, *, clerk, user):
    """长款 / 短款: the counted cash minus the expected into or out of the cash
    account, so the till's book balance follows the count (None when equal)."""
    difference = shift.counted_cash - shift.expected_cash
    if difference == 0:
        return None
    names = {"clerk": _clerk_name(clerk), "day": shift.day.isoformat()}
    return cashbook.till_cash_post(
        reason=TillReason.OVER if difference > 0 else TillReason.SHORT,
        amount=abs(difference),
        occurred_at=shift.closed_at,
        user=user,
        note=(
            _("Cash over (长款) at the shift close: %(clerk)s, %(day)s")
            if difference > 0
            else _("Cash short (短款) at the shift close: %(clerk)s, %(day)s")
        )
        % names,
    )


@posting
def shift_close(
    *, clerk, counted_cash: Decimal, note: str, user, day: date | None = None
) -> Shift:
    """Close the clerk's shift: store the cash expected (float + cash sales − cash
    refunds − cash paid out) and counted, and the moment. Under the shift's lock,
    so a double click or a second tab closes once; a closed shift is refused."""
    day = day or timezone.localdate()
    _check_cash(counted_cash, zero_ok=True)
    shift = _shift(clerk, day)
    _refuse_closed(shift)
    figures = selectors.clerk_day(clerk=clerk, day=day)
    shift.expected_cash = figures.expected_cash
    shift.counted_cash = counted_cash
    shift.note = (note or "").strip()[:200]
    shift.closed_at = timezone.now()
    shift.cash_entry = _over_short_post(shift, clerk=clerk, user=user)
    shift.save(
        update_fields=[
            "expected_cash",
            "counted_cash",
            "note",
            "closed_at",
            "cash_entry",
        ]
    )
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=shift,
        summary=_("Shift closed: cash expected %(expected)s, counted %(counted)s")
        % {"expected": yuan(shift.expected_cash), "counted": yuan(counted_cash)},
    )
    return shift


# --- returns at the counter -----------------------------------------------------------


@posting
def shift_reopen(*, shift_id: int, user, reason: str) -> Shift:
    """重新开班: the owner reopens today's closed shift of a clerk (a late
    customer, a count made too early). The close's over / short entry is
    cancelled (its money reversed), the stored figures are cleared, and the
    clerk sells and closes again; the next close counts the whole day."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for reopening the shift."))
    shift = lock(Shift, shift_id)
    if not shift.is_closed:
        raise ValidationError(_("This shift has not been closed: nothing to reopen."))
    if shift.day != timezone.localdate():
        raise ValidationError(
            _("Only today's shift can be reopened; a past day's close stands.")
        )
    entry = shift.cash_entry
    if entry is not None and entry.status != DocumentStatus.CANCELLED:
        cashbook.cash_cancel(
            entry=entry,
            user=user,
            reason=_("Shift reopened: %(reason)s") % {"reason": reason},
            by_shift=True,
        )
    closed_at = shift.closed_at
    shift.expected_cash = shift.counted_cash = shift.closed_at = None
    shift.cash_entry = None
    shift.save(
        update_fields=["expected_cash", "counted_cash", "closed_at", "cash_entry"]
    )
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=shift,
        summary=_("Shift reopened (closed at %(time)s): %(reason)s")
        % {
            "time": time_format(timezone.localtime(closed_at), "H:i"),
            "reason": reason[:200],
        },
    )
    return shift


def refund_split(
    total: Decimal, left: dict[str, Decimal], wanted: dict[str, Decimal] | None
) -> dict[str, Decimal]:
    """How a return of ``total`` is refunded among the sale's methods: as the clerk
    split it (every method one the sale was paid with, at most what it can still
    give back, the parts adding up to the total), or by REFUND_ORDER."""
    wanted = {m: a for m, a in (wanted or {}).items() if a}
    if not wanted:
        split, rest = {}, total
        for method in REFUND_ORDER:
            take = min(rest, max(left.get(method, ZERO), ZERO))
            if take > 0:
                split[method] = take
                rest -= take
        if rest > 0:
            raise ValidationError(
                _("The sale has only %(left)s left to refund, not %(total)s.")
                % {"left": yuan(sum(left.values(), ZERO)), "total": yuan(total)}
            )
        return split
    for method, amount in wanted.items():
        label = PaymentMethod(method).label
        if amount < 0:
            raise ValidationError(_("A refund amount cannot be negative."))
        if method not in left:
            raise ValidationError(
                _("The sale was not paid by %(method)s.") % {"method": label}
            )
        if amount > left[method]:
            raise ValidationError(
                _("%(method)s can give back at most %(left)s of this sale.")
                % {"method": label, "left": yuan(left[method])}
            )
    if sum(wanted.values(), ZERO) != total:
        raise ValidationError(
            _(
                "The refund parts add up to %(parts)s, but the goods returned are "
                "worth %(total)s. Make them equal, or leave them empty to refund "
                "automatically."
            )
            % {"parts": yuan(sum(wanted.values(), ZERO)), "total": yuan(total)}
        )
    return wanted


@posting
def counter_return_post(
    *,
    order: SalesOrder,
    quantities: dict[int, Decimal],
    reason: str,
    user,
    refunds: dict[str, Decimal] | None = None,
    submission=None,
) -> SalesReturn:
    """Take goods of a counter sale back (shipment line id → quantity) and refund
    them by the sale's own methods: negative payment rows of the return, written
    in the same transaction and adding up to its total. A second submit of the
    same form posts once."""
    if existing := by_submission(SalesReturn, submission):
        return existing
    if not order.is_retail:
        raise ValidationError(_("Only a counter sale is returned here."))
    shipment = order.shipments.order_by("pk").first()
    if shipment is None:
        raise ValidationError(_("Nothing of this sale has left the shop."))

    # The refund leaves the clerk's drawer: only while their shift is open (and
    # under its lock, so a close waits for a return in flight).
    _refuse_takings_after_close(_shift(user, timezone.localdate()))

    def split(total: Decimal) -> dict[str, Decimal]:
        # Under the shipment's lock: two returns of one sale refund one at a time.
        return refund_split(
            total, selectors.refundable(lock(SalesOrder, order.pk)), refunds
        )

    document = sales_services.sales_return_post(
        shipment=shipment,
        quantities=quantities,
        reason=reason,
        occurred_at=timezone.now(),
        user=user,
        submission=submission,
        refunds=split,
    )
    return document

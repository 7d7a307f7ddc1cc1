"""Reads of the counter: the screen's sale with names, amounts and stock, parked
sales; each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import PackageUnit, Product
from counter.models import Cart, CashPaidOut, CounterSettings, HeldSale, Shift
from inventory import selectors as inventory_selectors
from jxc.lines import line_amount
from jxc.models import DocumentStatus
from jxc.units import package_price
from sales import selectors as sales_selectors
from sales.models import (
    PaymentMethod,
    SalePayment,
    SalesOrder,
    SalesReturn,
    Shipment,
)
from sales.selectors import MethodTakings, methods_empty

ZERO = Decimal("0")
VIEW_ALL = "counter.view_all_shifts"


@dataclass
class CartRow:
    product: Product
    quantity: Decimal  # in ``unit`` (a 箱 scanned: 1 箱)
    unit_price: Decimal
    discount: Decimal
    amount: Decimal
    available: Decimal
    current: bool
    price_changed: bool  # not the line's default (the level price or sale price)
    level_price: bool = False  # the default is the customer's level price
    unit: PackageUnit | None = None  # None: the product's base unit

    @property
    def base_quantity(self) -> Decimal:
        return self.quantity * self.unit.factor if self.unit else self.quantity

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit else self.product.unit

    @property
    def short(self) -> bool:
        # Stock is in base units: 1 箱 of 24 needs 24 瓶.
        return self.base_quantity > self.available

    @property
    def inactive(self) -> bool:
        return not self.product.is_active


@dataclass
class CartView:
    cart: Cart
    rows: list[CartRow] = field(default_factory=list)
    total: Decimal = ZERO
    items: Decimal = ZERO

    @property
    def item_count(self) -> int:
        return int(self.items)

    @property
    def problems(self) -> bool:
        return any(row.short or row.inactive for row in self.rows)


def _decimal(text, default=ZERO) -> Decimal:
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        return default
    return value if value.is_finite() else default


def cart_of(user) -> Cart:
    """The clerk's counter sale (an empty one the first time), with its warehouse,
    customer and last sale joined."""
    cart = (
        Cart.objects.select_related("warehouse", "customer__price_level", "last_sale")
        .filter(clerk=user)
        .first()
    )
    return cart or Cart(clerk=user, lines=[])


def cart_view(cart: Cart, warehouse_id: int) -> CartView:
    """Each line with its product, price (a line without a price of its own: the
    customer's level price, else the sale price), amount (``line_amount``, as
    posted) and what is available in the warehouse now; the total and the number
    of items."""
    ids = [line["product"] for line in cart.lines]
    products = Product.objects.in_bulk(ids) if ids else {}
    level_id = cart.customer.price_level_id if cart.customer_id else None
    on_level = catalog_selectors.level_prices_of(level_id, ids) if ids else {}
    levels = (
        {
            level.product_id: level
            for level in inventory_selectors.product_levels_in(ids, warehouse_id)
        }
        if ids
        else {}
    )
    unit_ids = [line["unit"] for line in cart.lines if line.get("unit")]
    units = PackageUnit.objects.in_bulk(unit_ids) if unit_ids else {}
    view = CartView(cart)
    for line in cart.lines:
        product = products.get(line["product"])
        if product is None:
            continue
        unit = units.get(line.get("unit"))
        quantity = _decimal(line.get("quantity"))
        # A base-unit line sells at the customer's level price where the
        # product has one; a package line at the package's price.
        on_level_price = unit is None and product.pk in on_level
        default = (
            on_level[product.pk] if on_level_price else package_price(product, unit)
        )
        price = (
            default if line.get("price") is None else _decimal(line["price"], default)
        )
        discount = _decimal(line.get("discount"))
        level = levels.get(product.pk)
        row = CartRow(
            product=product,
            quantity=quantity,
            unit_price=price,
            discount=discount,
            amount=line_amount(quantity, price, discount),
            available=max(level.available, ZERO) if level else ZERO,
            current=product.pk == cart.current_product_id,
            price_changed=price != default,
            level_price=on_level_price and line.get("price") is None,
            unit=unit,
        )
        view.rows.append(row)
        view.total += row.amount
        view.items += quantity if quantity == quantity.to_integral() else 1
    return view


def counter_settings() -> CounterSettings:
    """The owner's counter rules (the defaults until the owner saves them)."""
    return CounterSettings.objects.filter(pk=1).first() or CounterSettings(pk=1)


def held_sales(user) -> QuerySet:
    """Today's parked sales: the clerk's own, every clerk's for the owner."""
    found = HeldSale.objects.filter(day=timezone.localdate()).select_related(
        "clerk", "customer"
    )
    if not user.has_perm(VIEW_ALL):
        found = found.filter(clerk=user)
    return found.order_by("created_at")


# --- shift close, slip, settings and returns (c2) ------------------------------------
# Reads of the counter: its settings, a clerk's day (交班 figures), the shifts
# list, a sale's slip and what a sale can still refund.
ZERO = Decimal("0")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day ``day`` as [start, end) in aware datetimes: a sale at 23:30
    local time belongs to that day, whatever UTC says."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)
    return start, end


def counted_payments(day: date, clerk_id: int | None = None) -> QuerySet:
    """The payment rows of one local day that count (sales.selectors)."""
    rows = sales_selectors.counted_payments(*day_bounds(day))
    if clerk_id is not None:
        rows = rows.filter(created_by_id=clerk_id)
    return rows


@dataclass
class DayFigures:
    """One clerk's day at the counter (or, with ``clerk`` None, everyone's): what
    the shift close shows and stores."""

    day: date
    clerk: object | None
    shift: Shift | None
    opening_float: Decimal
    paid_out: Decimal
    sales_count: int = 0
    returns_count: int = 0
    methods: dict[str, MethodTakings] = field(default_factory=dict)

    @property
    def method_rows(self) -> list[MethodTakings]:
        return [self.methods[method] for method in PaymentMethod.values]

    @property
    def used_method_rows(self) -> list[MethodTakings]:
        """The methods that took or gave back money (cash always: the drawer)."""
        return [
            row
            for row in self.method_rows
            if row.sales or row.refunds or row.method == PaymentMethod.CASH
        ]

    @property
    def sales_total(self) -> Decimal:
        return sum((m.sales for m in self.methods.values()), ZERO)

    @property
    def refunds_total(self) -> Decimal:
        return sum((m.refunds for m in self.methods.values()), ZERO)

    @property
    def net_total(self) -> Decimal:
        return self.sales_total + self.refunds_total

    @property
    def cash(self) -> MethodTakings:
        return self.methods[PaymentMethod.CASH]

    @property
    def expected_cash(self) -> Decimal:
        """Opening float + cash sales − cash refunds − cash paid out; a closed
        shift keeps what was expected when it closed."""
        if self.shift is not None and self.shift.expected_cash is not None:
            return self.shift.expected_cash
        return self.opening_float + self.cash.sales + self.cash.refunds - self.paid_out

    @property
    def counted_cash(self) -> Decimal | None:
        return self.shift.counted_cash if self.shift is not None else None

    @property
    def difference(self) -> Decimal | None:
        counted = self.counted_cash
        return None if counted is None else counted - self.expected_cash

    @property
    def is_closed(self) -> bool:
        return self.shift is not None and self.shift.is_closed


def day_figures(
    *, day: date, clerk_id: int | None = None, clerk_ids: list[int] | None = None
) -> list[DayFigures]:
    """Per clerk (who took payments or opened a shift that day), the day's counts,
    totals per method, float, paid out and cash expected, in four queries. With
    ``clerk_id`` only that clerk (a row even for a clerk with nothing yet)."""
    payments = counted_payments(day, clerk_id)
    if clerk_ids is not None:
        payments = payments.filter(created_by_id__in=clerk_ids)
    totals = payments.values("created_by_id", "method").annotate(
        sales=Sum("amount", filter=Q(order__isnull=False)),
        refunds=Sum("amount", filter=Q(sales_return__isnull=False)),
    )
    counts = payments.values("created_by_id").annotate(
        orders=Count("order_id", distinct=True),
        returns=Count("sales_return_id", distinct=True),
    )
    shifts = Shift.objects.filter(day=day)
    if clerk_id is not None:
        shifts = shifts.filter(clerk_id=clerk_id)
    if clerk_ids is not None:
        shifts = shifts.filter(clerk_id__in=clerk_ids)
    shifts = {
        shift.clerk_id: shift for shift in shifts.select_related("clerk", "cash_entry")
    }
    totals, counts = list(totals), list(counts)
    ids = {row["created_by_id"] for row in counts} | set(shifts)
    if clerk_id is not None:
        ids.add(clerk_id)
    missing = ids - set(shifts)
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=missing)}
    users.update({pk: shift.clerk for pk, shift in shifts.items()})
    default_float = counter_settings().opening_float if missing else ZERO
    figures = {}
    for pk in ids:
        shift = shifts.get(pk)
        figures[pk] = DayFigures(
            day=day,
            clerk=users.get(pk),
            shift=shift,
            opening_float=shift.opening_float if shift else default_float,
            paid_out=shift.paid_out if shift else ZERO,
            methods=methods_empty(),
        )
    for row in counts:
        figures[row["created_by_id"]].sales_count = row["orders"]
        figures[row["created_by_id"]].returns_count = row["returns"]
    for row in totals:
        method = figures[row["created_by_id"]].methods[row["method"]]
        method.sales = row["sales"] or ZERO
        method.refunds = row["refunds"] or ZERO
    return sorted(
        figures.values(),
        key=lambda f: (getattr(f.clerk, "username", "") or "", f.clerk and f.clerk.pk),
    )


def day_total(rows: list[DayFigures], day: date) -> DayFigures:
    """Everyone's figures of a day added up (the owner's day total)."""
    total = DayFigures(
        day=day,
        clerk=None,
        shift=None,
        opening_float=sum((row.opening_float for row in rows), ZERO),
        paid_out=sum((row.paid_out for row in rows), ZERO),
        sales_count=sum(row.sales_count for row in rows),
        returns_count=sum(row.returns_count for row in rows),
        methods=methods_empty(),
    )
    for row in rows:
        for key, method in row.methods.items():
            total.methods[key].sales += method.sales
            total.methods[key].refunds += method.refunds
    return total


def clerk_day(*, clerk, day: date) -> DayFigures:
    """One clerk's figures of a day (the 交班 page)."""
    return day_figures(day=day, clerk_id=clerk.pk)[0]


def paid_outs(shift: Shift | None) -> list[CashPaidOut]:
    if shift is None or shift.pk is None:
        return []
    return list(shift.paid_outs.select_related("created_by", "cash_entry"))


def clerks_with_shifts() -> QuerySet:
    """Everyone who may appear in the shifts list (the owner's clerk filter)."""
    return get_user_model().objects.filter(is_active=True).order_by("username")


# --- a sale: its slip and what it can still refund ---------------------------------


def slip_sale(pk: int) -> SalesOrder:
    """A retail sale with what its slip prints, in a fixed number of queries."""
    return (
        SalesOrder.objects.filter(is_retail=True)
        .select_related("created_by", "customer")
        .prefetch_related("lines__product", "lines__unit", "payments")
        .get(pk=pk)
    )


def sale_returns(order: SalesOrder) -> list[SalesReturn]:
    """The posted returns of a sale, oldest first, with their refund rows."""
    return list(
        SalesReturn.objects.filter(shipment__order=order, status=DocumentStatus.POSTED)
        .prefetch_related("refunds")
        .order_by("occurred_at", "pk")
    )


def sale_by_number(number: str) -> SalesOrder | None:
    """The retail sale a slip's number names: the sale's own number (SO-…) or its
    shipment's (SH-…), ignoring case and spaces around it."""
    text = (number or "").strip().upper()
    if not text or len(text) > 40:
        return None
    order = SalesOrder.objects.filter(number=text, is_retail=True).first()
    if order is not None:
        return order
    shipment = (
        Shipment.objects.filter(number=text, order__is_retail=True)
        .select_related("order")
        .first()
    )
    return shipment.order if shipment else None


def refundable(order: SalesOrder) -> dict[str, Decimal]:
    """What each payment method of a sale can still give back: paid − refunded by
    the returns that stand. A sale without payment rows (entered on the old retail
    form) was paid in cash."""
    paid = dict(
        order.payments.values("method")
        .annotate(total=Sum("amount"))
        .values_list("method", "total")
    )
    if not paid:
        paid = {PaymentMethod.CASH.value: order.total}
    refunded = dict(
        SalePayment.objects.filter(
            sales_return__shipment__order=order,
            sales_return__status=DocumentStatus.POSTED,
        )
        .values("method")
        .annotate(total=Sum("amount"))
        .values_list("method", "total")
    )
    return {
        method: paid[method] + refunded.get(method, ZERO)
        for method in PaymentMethod.values
        if method in paid
    }

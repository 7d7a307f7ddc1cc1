"""Reads of the counter: the screen's sale with names, amounts and stock, parked
sales; each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import Product
from counter.models import Cart, CounterSettings, HeldSale
from inventory import selectors as inventory_selectors
from jxc.lines import line_amount

ZERO = Decimal("0")
VIEW_ALL = "counter.view_all_shifts"


@dataclass
class CartRow:
    product: Product
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    amount: Decimal
    available: Decimal
    current: bool
    price_changed: bool

    @property
    def short(self) -> bool:
        return self.quantity > self.available

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
        Cart.objects.select_related("warehouse", "customer", "last_sale")
        .filter(clerk=user)
        .first()
    )
    return cart or Cart(clerk=user, lines=[])


def cart_view(cart: Cart, warehouse_id: int) -> CartView:
    """Each line with its product, amount (``line_amount``, as posted) and what is
    available in the warehouse now; the total and the number of items."""
    ids = [line["product"] for line in cart.lines]
    products = Product.objects.in_bulk(ids) if ids else {}
    levels = (
        {
            level.product_id: level
            for level in inventory_selectors.product_levels_in(ids, warehouse_id)
        }
        if ids
        else {}
    )
    view = CartView(cart)
    for line in cart.lines:
        product = products.get(line["product"])
        if product is None:
            continue
        quantity = _decimal(line.get("quantity"))
        price = (
            product.sale_price
            if line.get("price") is None
            else _decimal(line["price"], product.sale_price)
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
            price_changed=price != product.sale_price,
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

"""Reads of sales: lists, what an order still needs, profit, availability."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q, QuerySet, Sum

from catalog.models import Supplier
from inventory import selectors as inventory_selectors
from jxc.models import DocumentStatus
from sales.models import (
    OPEN_STATUSES,
    OrderStatus,
    PaymentMethod,
    SalePayment,
    SalesOrder,
    SalesOrderLine,
    SalesReturn,
    SalesSettings,
    Shipment,
    ShipmentLine,
)

ZERO = Decimal("0")


def order_list() -> QuerySet:
    return SalesOrder.objects.select_related("customer", "warehouse", "created_by")


def order_detail(pk: int) -> QuerySet:
    return SalesOrder.objects.select_related(
        "customer", "warehouse", "created_by", "confirmed_by", "closed_by"
    ).filter(pk=pk)


def order_lines(order: SalesOrder) -> list:
    """Lines with ``uncovered``: reserved stock the warehouse no longer holds
    (an adjustment took it), so the order shows as short."""
    lines = list(order.lines.select_related("product", "unit").order_by("pk"))
    levels = {
        level.product_id: level
        for level in inventory_selectors.product_levels_in(
            [line.product_id for line in lines], order.warehouse_id
        )
    }
    for line in lines:
        level = levels.get(line.product_id)
        line.available = level.available if level else ZERO
        line.backorder = max(line.remaining - line.reserved_quantity, ZERO)
        line.uncovered = bool(
            line.reserved_quantity and level and level.on_hand < level.reserved
        )
    return lines


def sales_settings() -> SalesSettings:
    """The owner's sales rules (the defaults until the owner saves them)."""
    return SalesSettings.objects.filter(pk=1).first() or SalesSettings(pk=1)


def reservations_of(product_id: int, warehouse_id: int | None = None) -> QuerySet:
    """The open order lines holding reserved stock of a product (oldest first), with
    their order, customer, warehouse and who confirmed it, in one query."""
    lines = SalesOrderLine.objects.filter(
        product_id=product_id,
        reserved_quantity__gt=0,
        order__status__in=OPEN_STATUSES,
    )
    if warehouse_id:
        lines = lines.filter(order__warehouse_id=warehouse_id)
    return lines.select_related(
        "order", "order__customer", "order__warehouse", "order__confirmed_by"
    ).order_by("order__confirmed_at", "order_id")


class Waiting(NamedTuple):
    """An open order waiting for a product without a reservation."""

    number: str
    quantity: Decimal
    order_id: int


def backorders_by_product(product_ids, shop_id=None) -> dict[int, list[Waiting]]:
    """The open orders waiting for each product (number, quantity waiting without
    a reservation, order id: pages link it), oldest first, in one query
    (``product_ids`` None: every product; ``shop_id``: that shop's orders)."""
    from django.db.models import F

    lines = SalesOrderLine.objects.filter(order__status__in=OPEN_STATUSES)
    if shop_id is not None:
        lines = lines.filter(order__warehouse__shop_id=shop_id)
    if product_ids is not None:
        lines = lines.filter(product_id__in=list(product_ids))
    rows = (
        lines.annotate(
            waiting=F("quantity") - F("shipped_quantity") - F("reserved_quantity")
        )
        .filter(waiting__gt=0)
        .order_by("product_id", "order__order_date", "order_id")
        .values_list("product_id", "order__number", "waiting", "order_id")
    )
    found: dict[int, list[Waiting]] = {}
    for product_id, number, waiting, order_id in rows:
        found.setdefault(product_id, []).append(Waiting(number, waiting, order_id))
    return found


def shipment_list() -> QuerySet:
    return Shipment.objects.select_related(
        "customer", "warehouse", "order", "created_by"
    )


def return_list() -> QuerySet:
    return SalesReturn.objects.select_related(
        "customer", "warehouse", "shipment", "created_by"
    )


def order_profit(order: SalesOrder) -> dict:
    """Sales, cost of goods and gross profit of an order's posted shipments net of
    posted returns (owners only see it)."""
    shipments = order.shipments.filter(status=DocumentStatus.POSTED)
    returns = SalesReturn.objects.filter(
        shipment__order=order, status=DocumentStatus.POSTED
    )
    sales = sum((s.total for s in shipments), ZERO) - sum(
        (r.total for r in returns), ZERO
    )
    cost = sum((s.cost_total for s in shipments), ZERO) - sum(
        (r.cost_total for r in returns), ZERO
    )
    return {"sales": sales, "cost": cost, "profit": sales - cost}


def open_order_count() -> int:
    from sales.models import OPEN_STATUSES

    return SalesOrder.objects.filter(status__in=OPEN_STATUSES).count()


def sales_totals(start, end, shop_id=None) -> dict:
    """Sales amount, count and gross profit of posted shipments in [start, end),
    net of posted returns (SQL sums); ``shop_id``: from that shop's warehouses."""
    from django.db.models import Count, Sum

    where = {} if shop_id is None else {"warehouse__shop_id": shop_id}
    shipped = Shipment.objects.filter(
        status=DocumentStatus.POSTED,
        occurred_at__gte=start,
        occurred_at__lt=end,
        **where,
    )
    returned = SalesReturn.objects.filter(
        status=DocumentStatus.POSTED,
        occurred_at__gte=start,
        occurred_at__lt=end,
        **where,
    )
    out = shipped.aggregate(
        amount=Sum("total"), cost=Sum("cost_total"), count=Count("id")
    )
    back = returned.aggregate(amount=Sum("total"), cost=Sum("cost_total"))
    amount = (out["amount"] or ZERO) - (back["amount"] or ZERO)
    cost = (out["cost"] or ZERO) - (back["cost"] or ZERO)
    return {"amount": amount, "count": out["count"], "profit": amount - cost}


def sales_by_shop(start, end) -> dict[int, Decimal]:
    """Net sales (posted shipments − posted returns) in [start, end) per shop of
    the warehouse they left from: {shop id: amount} (two grouped SQL sums)."""
    from django.db.models import Sum

    found: dict[int, Decimal] = {}
    for model, sign in ((Shipment, 1), (SalesReturn, -1)):
        rows = (
            model.objects.filter(
                status=DocumentStatus.POSTED,
                occurred_at__gte=start,
                occurred_at__lt=end,
            )
            .values("warehouse__shop_id")
            .annotate(amount=Sum("total"))
        )
        for row in rows:
            shop = row["warehouse__shop_id"]
            found[shop] = found.get(shop, ZERO) + sign * (row["amount"] or ZERO)
    return found


def monthly_sales(start, end) -> dict:
    """Net sales and cost of goods per local month in [start, end): {first day of
    the month: (amount, cost)}, posted shipments minus posted returns at the cost
    they posted with (two grouped SQL sums). For the profit view."""
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    found: dict = {}
    for model, sign in ((Shipment, 1), (SalesReturn, -1)):
        rows = (
            model.objects.filter(
                status=DocumentStatus.POSTED,
                occurred_at__gte=start,
                occurred_at__lt=end,
            )
            .annotate(month=TruncMonth("occurred_at", tzinfo=zone))
            .values("month")
            .annotate(amount=Sum("total"), cost=Sum("cost_total"))
            .order_by("month")
        )
        for row in rows:
            month = row["month"]
            month = month.date() if hasattr(month, "date") else month
            amount, cost = found.get(month, (ZERO, ZERO))
            found[month] = (
                amount + sign * (row["amount"] or ZERO),
                cost + sign * (row["cost"] or ZERO),
            )
    return found


def daily_sales(start, end) -> list[tuple]:
    """(local date, amount) of posted shipments per day in [start, end)."""
    from django.db.models import Sum
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    rows = (
        Shipment.objects.filter(
            status=DocumentStatus.POSTED, occurred_at__gte=start, occurred_at__lt=end
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(amount=Sum("total"))
        .order_by("day")
    )
    return [(row["day"], row["amount"]) for row in rows]


def top_products(start, end, limit: int = 10) -> list[dict]:
    """Best sellers by amount in [start, end): product name, quantity, amount."""
    from django.db.models import Sum

    from sales.models import ShipmentLine

    return list(
        ShipmentLine.objects.filter(
            shipment__status=DocumentStatus.POSTED,
            shipment__occurred_at__gte=start,
            shipment__occurred_at__lt=end,
        )
        .values("product_id", "product__sku", "product__name", "product__unit")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by("-amount")[:limit]
    )


def sales_by(group: str, start, end, shop_id=None) -> list[dict]:
    """Net sales in [start, end) grouped by ``product``, ``category``, ``customer``
    or ``style`` (a style's variants summed into one row, ``style_name`` "code
    name"; a product without a style a row of its own, "SKU name"): quantity,
    amount, cost of goods and gross profit (shipments − returns, in SQL);
    ``shop_id``: the documents of that shop's warehouses only."""
    from django.db.models import Case, CharField, F, Sum, Value, When
    from django.db.models.functions import Concat

    from sales.models import SalesReturnLine, ShipmentLine

    alone = Q(product__style__isnull=True)
    annotations = (
        {
            "style_key": F("product__style_id"),
            "alone_key": Case(When(alone, then=F("product_id"))),
            "style_name": Case(
                When(alone, then=Concat("product__sku", Value(" "), "product__name")),
                default=Concat(
                    "product__style__code", Value(" "), "product__style__name"
                ),
                output_field=CharField(),
            ),
        }
        if group == "style"
        else {}
    )
    keys = {
        "product": ["product_id", "product__sku", "product__name", "product__unit"],
        "category": ["product__category__name"],
        "customer": ["shipment__customer__code", "shipment__customer__name"],
        "style": ["style_key", "alone_key", "style_name", "product__unit"],
    }[group]
    back_keys = [k.replace("shipment__", "sales_return__") for k in keys]

    def net(model, date_field, status_field, fields):
        document = status_field.removesuffix("__status")
        where = {
            f"{status_field}": DocumentStatus.POSTED,
            f"{date_field}__gte": start,
            f"{date_field}__lt": end,
        }
        if shop_id is not None:
            where[f"{document}__warehouse__shop_id"] = shop_id
        return {
            tuple(row[k] for k in fields): row
            for row in model.objects.filter(**where)
            .annotate(**annotations)
            .values(*fields)
            .annotate(
                quantity=Sum("quantity"),
                amount=Sum("amount"),
                cost=Sum("cost_amount"),
            )
            .order_by()
        }

    out = net(ShipmentLine, "shipment__occurred_at", "shipment__status", keys)
    back = net(
        SalesReturnLine, "sales_return__occurred_at", "sales_return__status", back_keys
    )
    rows = []
    for key, row in out.items():
        returned = back.get(key, {})
        quantity = row["quantity"] - (returned.get("quantity") or ZERO)
        amount = row["amount"] - (returned.get("amount") or ZERO)
        cost = row["cost"] - (returned.get("cost") or ZERO)
        rows.append(
            {
                **{k: row[k] for k in keys},
                "quantity": quantity,
                "amount": amount,
                "cost": cost,
                "profit": amount - cost,
            }
        )
    return rows


def sale_payments(order_id: int) -> list:
    """The payment rows (收款明细) of a sale, in the order they were written."""
    return list(SalePayment.objects.filter(order_id=order_id).order_by("pk"))


# --- counter payments ---------------------------------------------------------------


@dataclass
class MethodTakings:
    """One payment method's takings over a period: sales, refunds (≤ 0), net."""

    method: str
    label: str
    sales: Decimal = ZERO
    refunds: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.sales + self.refunds


def counted_payments(start, end) -> QuerySet:
    """The payment rows between two moments that count: a sale's while the sale
    stands (not cancelled), a refund's while its return stands."""
    return SalePayment.objects.filter(created_at__gte=start, created_at__lt=end).filter(
        (Q(order__isnull=False) & ~Q(order__status=OrderStatus.CANCELLED))
        | Q(sales_return__status=DocumentStatus.POSTED)
    )


def methods_empty() -> dict[str, MethodTakings]:
    return {m.value: MethodTakings(m.value, str(m.label)) for m in PaymentMethod}


def takings(start, end, shop_id=None) -> list[MethodTakings]:
    """Counter takings per payment method between two moments, every method in
    the order of PaymentMethod, in one query; ``shop_id``: that shop's counters."""
    payments = counted_payments(start, end)
    if shop_id is not None:
        payments = payments.filter(
            Q(order__warehouse__shop_id=shop_id)
            | Q(sales_return__warehouse__shop_id=shop_id)
        )
    rows = payments.values("method").annotate(
        sales=Sum("amount", filter=Q(order__isnull=False)),
        refunds=Sum("amount", filter=Q(sales_return__isnull=False)),
    )
    found = methods_empty()
    for row in rows:
        found[row["method"]].sales = row["sales"] or ZERO
        found[row["method"]].refunds = row["refunds"] or ZERO
    return [found[method] for method in PaymentMethod.values]


def last_price_paid(*, customer_id: int, product_id: int) -> Decimal | None:
    """The unit price after discount this customer paid for this product on its
    latest posted shipment (one query); None when it never bought it."""
    from jxc.decimals import money

    found = (
        ShipmentLine.objects.filter(
            shipment__customer_id=customer_id,
            shipment__status=DocumentStatus.POSTED,
            product_id=product_id,
        )
        .order_by("-shipment__occurred_at", "-pk")
        .values_list("amount", "quantity")
        .first()
    )
    if found is None or not found[1]:
        return None
    amount, quantity = found
    return money(amount / quantity)


def shortage_by_supplier(rows) -> list[tuple]:
    """The short lines of an order (services.ShortRow) grouped by their products'
    preferred supplier, in one query: [(supplier or None, [(product, missing)])],
    suppliers by code, the products without one last."""
    suppliers = Supplier.objects.in_bulk(
        {row.line.product.preferred_supplier_id for row in rows} - {None}
    )
    groups: dict = {}
    for row in rows:
        supplier = suppliers.get(row.line.product.preferred_supplier_id)
        if supplier is not None and not supplier.is_active:
            supplier = None  # a new order cannot name an inactive supplier
        groups.setdefault(supplier, []).append((row.line.product, row.missing))
    return sorted(
        groups.items(), key=lambda group: (group[0] is None, group[0] and group[0].code)
    )

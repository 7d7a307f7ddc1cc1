"""Reads of sales: lists, what an order still needs, profit, availability."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from inventory import selectors as inventory_selectors
from sales.models import DocumentStatus, SalesOrder, SalesReturn, Shipment

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
    lines = list(order.lines.select_related("product").order_by("pk"))
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

from decimal import Decimal

from django.utils import timezone

from catalog.models import Customer, Warehouse
from sales import services


def draft(user, lines, *, customer=None):
    """A draft sales order: lines are (product, quantity[, price[, discount]])."""
    return services.sales_order_save(
        customer=customer or Customer.objects.get(code="RETAIL"),
        warehouse=Warehouse.objects.get(is_default=True),
        order_date=timezone.localdate(),
        note="",
        user=user,
        lines=[
            services.SaleLineInput(
                line[0],
                Decimal(line[1]),
                Decimal(line[2]) if len(line) > 2 and line[2] is not None else None,
                Decimal(line[3]) if len(line) > 3 else Decimal(0),
            )
            for line in lines
        ],
    )


def confirmed(user, lines, on_shortage="refuse", **kwargs):
    return services.sales_order_confirm(
        order=draft(user, lines, **kwargs), user=user, on_shortage=on_shortage
    )


def ship(user, order, quantities=None, **kwargs):
    """Ship {product: quantity} of an order (everything still to ship by default)."""
    lines = {line.product_id: line for line in order.lines.all()}
    if quantities is None:
        wanted = {line.pk: line.remaining for line in lines.values()}
    else:
        wanted = {lines[p.pk].pk: Decimal(q) for p, q in quantities.items()}
    return services.shipment_post(
        order=order, quantities=wanted, occurred_at=timezone.now(), user=user, **kwargs
    )

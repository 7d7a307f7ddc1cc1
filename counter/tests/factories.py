"""Counter sales for tests: a retail sale through sales' own service, and its
payment rows as the counter writes them."""

from decimal import Decimal

from catalog.models import Warehouse
from sales import services
from sales.models import SalePayment


def counter_sale(user, lines, payments=None, **kwargs):
    """A retail sale of (product, quantity[, price[, discount]]) lines, paid by
    ``payments`` [(method, amount[, tendered])] (default: all cash, exact)."""
    order = services.retail_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[
            services.SaleLineInput(
                line[0],
                Decimal(line[1]),
                Decimal(line[2]) if len(line) > 2 and line[2] is not None else None,
                Decimal(line[3]) if len(line) > 3 else Decimal(0),
            )
            for line in lines
        ],
        amount_received=Decimal("999999"),
        user=user,
        **kwargs,
    )
    payments = payments or [("cash", order.total)]
    SalePayment.objects.bulk_create(
        SalePayment(
            order=order,
            method=row[0],
            amount=Decimal(row[1]),
            tendered=Decimal(row[2]) if len(row) > 2 else None,
            created_by=user,
        )
        for row in payments
    )
    assert sum(Decimal(row[1]) for row in payments) == order.total
    return order

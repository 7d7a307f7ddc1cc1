"""Counter sales for tests: a retail sale through sales' own service with its
payment rows, as the counter posts them (the money ledger takes the money)."""

from decimal import Decimal

from catalog.models import Warehouse
from counter.services import sale_total
from sales import services


def counter_sale(user, lines, payments=None, **kwargs):
    """A retail sale of (product, quantity[, price[, discount]]) lines, paid by
    ``payments`` [(method, amount[, tendered])] (default: all cash, exact)."""
    sale_lines = [
        services.SaleLineInput(
            line[0],
            Decimal(line[1]),
            Decimal(line[2]) if len(line) > 2 and line[2] is not None else None,
            Decimal(line[3]) if len(line) > 3 else Decimal(0),
        )
        for line in lines
    ]
    payments = payments or [("cash", sale_total(sale_lines))]
    order = services.retail_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=sale_lines,
        amount_received=Decimal("999999"),
        user=user,
        payments=[
            (
                row[0],
                Decimal(row[1]),
                Decimal(row[2]) if len(row) > 2 else None,
            )
            for row in payments
        ],
        **kwargs,
    )
    assert sum(Decimal(row[1]) for row in payments) == order.total
    return order

import datetime
from decimal import Decimal

from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import SupplierFactory
from purchasing import services


def ordered(user, lines, *, supplier=None, confirm=True):
    """A purchase order through the services: lines are (product, quantity, price)."""
    supplier = supplier or SupplierFactory()
    order = services.purchase_order_save(
        supplier=supplier,
        warehouse=Warehouse.objects.get(is_default=True),
        order_date=timezone.localdate(),
        expected_date=None,
        note="",
        user=user,
        lines=[
            services.OrderLineInput(p, Decimal(q), None if c is None else Decimal(c))
            for p, q, c in lines
        ],
    )
    if confirm:
        order = services.purchase_order_confirm(order=order, user=user)
    return order


def received(user, order, lines, *, days_ago=0, **kwargs):
    """Receive (product, accepted[, rejected]) lines against an order."""
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    return services.receipt_post(
        order=order,
        supplier=None,
        warehouse=None,
        occurred_at=moment,
        note="",
        user=user,
        lines=[
            services.ReceiptLineInput(
                line[0],
                Decimal(line[1]),
                Decimal(line[2]) if len(line) > 2 else Decimal(0),
                "破损" if len(line) > 2 else "",
            )
            for line in lines
        ],
        **kwargs,
    )

from decimal import Decimal

from catalog.models import Warehouse
from inventory.models import MoveKind
from inventory.services import MoveLine, stock_moves_post


def receive(product, quantity, cost, *, user, warehouse=None, kind=MoveKind.OPENING):
    """Put stock in through the real posting service."""
    warehouse = warehouse or Warehouse.objects.get(is_default=True)
    from django.utils import timezone

    return stock_moves_post(
        lines=[MoveLine(product.pk, warehouse.pk, Decimal(quantity), Decimal(cost))],
        kind=kind,
        source=None,
        occurred_at=timezone.now(),
        user=user,
    )


def issue(product, quantity, *, user, warehouse=None, kind=MoveKind.SHIPMENT):
    warehouse = warehouse or Warehouse.objects.get(is_default=True)
    from django.utils import timezone

    return stock_moves_post(
        lines=[MoveLine(product.pk, warehouse.pk, -Decimal(quantity))],
        kind=kind,
        source=None,
        occurred_at=timezone.now(),
        user=user,
    )

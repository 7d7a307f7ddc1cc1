"""Fixtures inventory's test modules share."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, WarehouseFactory
from inventory.models import MoveKind
from inventory.services import MoveLine, stock_moves_post
from inventory.tests.factories import issue

D = Decimal


@pytest.fixture
def long_card(owner):
    """A product with 230 moves in two warehouses, many sharing one timestamp
    (backdated receipts), so the paging must break ties by id."""
    product = ProductFactory()
    store = Warehouse.objects.get(is_default=True)
    back = WarehouseFactory()
    earlier = timezone.now() - timedelta(hours=2)
    for n in range(150):
        stock_moves_post(
            lines=[
                MoveLine(product.pk, (store, back)[n % 2].pk, D(n % 7 + 1), D(n % 5))
            ],
            kind=MoveKind.RECEIPT,
            source=None,
            occurred_at=earlier + timedelta(minutes=n // 10),
            user=owner,
        )
    for n in range(80):
        issue(product, "0.5", user=owner, warehouse=(store, back)[n % 3 == 0])
    return product, back

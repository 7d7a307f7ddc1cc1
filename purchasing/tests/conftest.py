from decimal import Decimal as D

import pytest

from catalog.tests.factories import ProductFactory
from inventory.tests.factories import receive
from purchasing.tests.factories import ordered, received


@pytest.fixture
def pencil(owner):
    """Bought at ¥4.50 before; 163 on hand at ¥4.59 on average."""
    product = ProductFactory(sku="PEN1", name="铅笔", purchase_price=D("4.00"))
    receive(product, "162", "4.5906", user=owner)
    order = ordered(owner, [(product, 1, "4.50")])
    received(owner, order, [(product, "1")])
    return product

"""Purchase orders follow the one order lifecycle (jxc.orders): every step bumps
the version, the end reason is stored stripped, quantities hold 3 decimals."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.tests.factories import ProductFactory
from purchasing import services
from purchasing.models import OrderStatus, PurchaseOrder
from purchasing.tests.factories import ordered, received

pytestmark = pytest.mark.django_db
D = Decimal


def test_placing_an_order_bumps_its_version(owner):
    draft = ordered(owner, [(ProductFactory(), "5", "2")], confirm=False)
    placed = services.purchase_order_confirm(order=draft, user=owner)
    assert placed.version == draft.version + 1
    assert PurchaseOrder.objects.get(pk=draft.pk).version == draft.version + 1


def test_a_receipt_against_an_order_bumps_its_version(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "5", "2")])
    received(owner, order, [(apple, "2")])
    after = PurchaseOrder.objects.get(pk=order.pk)
    assert (after.status, after.version) == (OrderStatus.PARTIAL, order.version + 1)


def test_ending_an_order_bumps_its_version_and_strips_the_reason(owner):
    order = ordered(owner, [(ProductFactory(), "5", "2")])
    ended = services.purchase_order_end(order=order, user=owner, reason="  late  ")
    ended.refresh_from_db()
    assert (ended.status, ended.close_reason) == (OrderStatus.CANCELLED, "late")
    assert ended.version == order.version + 1


def test_an_order_quantity_with_four_decimals_is_refused(owner):
    with pytest.raises(ValidationError, match="3"):
        ordered(owner, [(ProductFactory(), "1.0001", "2")], confirm=False)
    assert not PurchaseOrder.objects.exists()

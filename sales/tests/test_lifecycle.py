"""Sales orders follow the one order lifecycle (jxc.orders): quantities hold at
most 3 decimals, and end and cancel reasons are stored stripped."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.tests.factories import ProductFactory
from inventory.tests.factories import receive
from sales import services
from sales.models import OrderStatus, SalesOrder
from sales.tests.factories import confirmed, draft, ship

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_sales_quantity_with_four_decimals_is_refused(owner):
    with pytest.raises(ValidationError, match="3"):
        draft(owner, [(ProductFactory(), "1.0001", "2")])
    assert not SalesOrder.objects.exists()


def test_a_retail_quantity_with_four_decimals_is_refused(owner):
    apple = ProductFactory()
    receive(apple, "10", "1", user=owner)
    with pytest.raises(ValidationError, match="3"):
        services.retail_sale_post(
            warehouse=apple.levels.get().warehouse,
            lines=[services.SaleLineInput(apple, D("1.0001"))],
            amount_received=D("100"),
            user=owner,
        )
    assert not SalesOrder.objects.exists()


def test_ending_an_order_strips_the_reason_and_bumps_the_version(owner):
    order = draft(owner, [(ProductFactory(), "2", "3")])
    ended = services.sales_order_end(order=order, user=owner, reason="  gone  ")
    ended.refresh_from_db()
    assert (ended.status, ended.close_reason) == (OrderStatus.CANCELLED, "gone")
    assert ended.version == order.version + 1


def test_cancelling_a_shipment_strips_the_reason(owner):
    apple = ProductFactory()
    receive(apple, "10", "1", user=owner)
    order = confirmed(owner, [(apple, "2", "3")])
    shipment = ship(owner, order)
    services.shipment_cancel(shipment=shipment, user=owner, reason="  wrong box ")
    shipment.refresh_from_db()
    assert shipment.cancel_reason == "wrong box"

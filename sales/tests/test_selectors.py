"""Sales' reads (selectors): an order's profit net of returns, the period's sales
totals, and the backorders waiting per product."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.tests.factories import ProductFactory
from inventory.tests.factories import receive
from sales import selectors, services
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db
D = Decimal


def test_order_profit_is_shipped_less_returned_and_cancelled_documents_count_not(
    owner,
):
    pen = ProductFactory(sale_price=D("5"))
    receive(pen, "10", "2", user=owner)
    order = confirmed(owner, [(pen, "6")])
    first = ship(owner, order, {pen: "4"})
    second = ship(owner, order)
    services.sales_return_post(
        shipment=first,
        quantities={first.lines.get().pk: D("1")},
        reason="坏了",
        occurred_at=timezone.now(),
        user=owner,
    )
    # 6 shipped, 1 back: 5 × 5 sales, 5 × 2 cost.
    assert selectors.order_profit(order) == {
        "sales": D("25.00"),
        "cost": D("10.00"),
        "profit": D("15.00"),
    }
    services.shipment_cancel(shipment=second, user=owner, reason="发错了")
    # Only the first shipment (4) less its return (1) remains.
    assert selectors.order_profit(order) == {
        "sales": D("15.00"),
        "cost": D("6.00"),
        "profit": D("9.00"),
    }


def test_sales_totals_cover_the_period_net_of_returns(owner):
    pen = ProductFactory(sale_price=D("5"))
    receive(pen, "10", "2", user=owner)
    shipment = ship(owner, confirmed(owner, [(pen, "3")]))
    services.sales_return_post(
        shipment=shipment,
        quantities={shipment.lines.get().pk: D("1")},
        reason="",
        occurred_at=timezone.now(),
        user=owner,
    )
    now = timezone.now()
    assert selectors.sales_totals(
        now - timedelta(hours=1), now + timedelta(hours=1)
    ) == {
        "amount": D("10.00"),
        "count": 1,
        "profit": D("6.00"),
    }
    later = selectors.sales_totals(now + timedelta(hours=1), now + timedelta(hours=2))
    assert later == {"amount": D("0"), "count": 0, "profit": D("0")}


def test_backorders_list_what_open_orders_wait_for_oldest_first(owner):
    apple, pear = ProductFactory(), ProductFactory()
    receive(apple, "2", "1", user=owner)
    first = confirmed(owner, [(apple, "5")], on_shortage="backorder")
    second = confirmed(owner, [(apple, "1"), (pear, "2")], on_shortage="backorder")
    waiting = selectors.backorders_by_product(None)
    assert waiting[apple.pk] == [
        (first.number, D("3"), first.pk),
        (second.number, D("1"), second.pk),
    ]
    assert waiting[pear.pk] == [(second.number, D("2"), second.pk)]
    assert selectors.backorders_by_product([pear.pk]) == {
        pear.pk: [(second.number, D("2"), second.pk)]
    }

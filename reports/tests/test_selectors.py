"""Reads of the reports app: reorder suggestions with backorders (issue 13, point
6). ``check_stock`` runs after every test."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.tests.factories import CustomerFactory, ProductFactory
from inventory.tests.factories import receive
from purchasing.tests.factories import ordered
from reports import selectors
from sales.tests.factories import confirmed

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def ledger_stays_true():
    yield
    call_command("check_stock")


def test_a_backordered_product_without_safety_stock_or_sales_is_suggested(owner):
    """The issue's case: safety stock 0, no recent sales, backorder 5 (projected −5)."""
    umbrella = ProductFactory(name="雨伞", safety_stock=D("0"), reorder_quantity=0)
    order = confirmed(owner, [(umbrella, "5")], on_shortage="backorder")
    [suggestion] = selectors.reorder_suggestions()
    assert suggestion.product == umbrella
    assert (suggestion.backorder, suggestion.projected) == (D("5"), D("-5"))
    assert suggestion.quantity == D("5")
    assert suggestion.waiting == [(order.number, D("5"), order.pk)]


def test_part_reserved_part_backordered_orders_just_the_backorder(owner):
    umbrella = ProductFactory(safety_stock=D("0"), lead_time_days=3)
    receive(umbrella, "2", "5", user=owner)
    first = confirmed(owner, [(umbrella, "7")], on_shortage="backorder")
    second = confirmed(
        owner, [(umbrella, "3")], on_shortage="backorder", customer=CustomerFactory()
    )
    [suggestion] = selectors.reorder_suggestions()
    # 2 on hand, all reserved for the first order; 5 + 3 wait.
    assert (suggestion.on_hand, suggestion.reserved) == (D("2"), D("2"))
    assert (suggestion.backorder, suggestion.projected) == (D("8"), D("-8"))
    assert suggestion.quantity == D("8")
    assert suggestion.waiting == [
        (first.number, D("5"), first.pk),
        (second.number, D("3"), second.pk),
    ]


def test_a_backorder_covered_by_a_purchase_order_is_not_suggested_again(owner):
    umbrella = ProductFactory(safety_stock=D("0"))
    confirmed(owner, [(umbrella, "5")], on_shortage="backorder")
    ordered(owner, [(umbrella, "5", "4.00")])
    assert selectors.reorder_suggestions() == []


def test_safety_stock_and_backorder_add_up(owner):
    umbrella = ProductFactory(safety_stock=D("4"), reorder_quantity=D("2"))
    receive(umbrella, "1", "5", user=owner)
    confirmed(owner, [(umbrella, "6")], on_shortage="backorder")
    [suggestion] = selectors.reorder_suggestions()
    # projected = 1 − 1 + 0 − 5 = −5; 0 × lead + 4 − (−5) = 9
    assert (suggestion.projected, suggestion.quantity) == (D("-5"), D("9"))

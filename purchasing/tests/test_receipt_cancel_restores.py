"""Issue 13, point 4: cancelling a receipt takes back exactly what it brought in.

A receipt posted and cancelled with nothing sold in between leaves the balance
(on hand, value and unit cost) exactly as it was, whatever came before it —
including earlier sales that left value / on hand different from the unit cost.
"""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, SupplierFactory
from inventory.models import StockLevel, StockMove
from inventory.selectors import stock_drift
from inventory.tests.factories import issue, receive
from purchasing import services

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("500"), places=3)
costs = st.decimals(min_value=Decimal("0"), max_value=Decimal("999.99"), places=2)
history = st.lists(
    st.one_of(
        st.tuples(st.just("in"), quantities, costs),
        st.tuples(st.just("out"), quantities, st.just(None)),
    ),
    max_size=8,
)


def _level(product, warehouse):
    level = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
    if level is None:
        return (Decimal(0), Decimal(0), Decimal(0))
    return (level.on_hand, level.value, level.unit_cost)


def _receive(user, supplier, product, quantity, cost):
    return services.receipt_post(
        supplier=supplier,
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[services.ReceiptLineInput(product, quantity, unit_cost=cost)],
        occurred_at=timezone.now(),
        note="",
        user=user,
    )


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(before=history, quantity=quantities, cost=costs)
def test_receipt_cancelled_with_nothing_sold_leaves_the_level_exactly_as_before(
    owner, before, quantity, cost
):
    warehouse = Warehouse.objects.get(is_default=True)
    product, supplier = ProductFactory(), SupplierFactory()
    for direction, q, c in before:
        if direction == "in":
            receive(product, q, c, user=owner)
        elif _level(product, warehouse)[0] >= q:
            issue(product, q, user=owner)
    was = _level(product, warehouse)

    receipt = _receive(owner, supplier, product, quantity, cost)
    services.receipt_cancel(receipt=receipt, user=owner, reason="typo")

    assert _level(product, warehouse) == was
    assert stock_drift() == []


def test_receipt_cancel_after_sales_removes_the_value_it_brought_in(owner):
    warehouse = Warehouse.objects.get(is_default=True)
    product, supplier = ProductFactory(), SupplierFactory()
    receive(product, "163", "4.59", user=owner)
    receipt = _receive(owner, supplier, product, Decimal("100"), Decimal("6.00"))
    issue(product, "10", user=owner)
    value_before_cancel = _level(product, warehouse)[1]

    services.receipt_cancel(receipt=receipt, user=owner, reason="wrong supplier")

    reversal = StockMove.objects.get(is_reversal=True, product=product)
    assert reversal.value == Decimal("-600.00")
    on_hand, value, _cost = _level(product, warehouse)
    assert (on_hand, value) == (Decimal("153"), value_before_cancel - 600)
    assert stock_drift() == []
    call_command("check_stock")


def test_poisoned_receipt_sold_from_is_cancelled_then_repaired_by_a_cost_correction(
    owner,
):
    """The issue's case when sales already took part of the poisoned value: the
    stock cannot give back more value than it holds, so the cancel takes the unit
    out at the average; 成本调整 then sets the cost of what remains."""
    from inventory.documents import cost_adjustment_post

    warehouse = Warehouse.objects.get(is_default=True)
    product, supplier = ProductFactory(), SupplierFactory()
    receive(product, "163", "4.59", user=owner)
    receipt = _receive(owner, supplier, product, Decimal("1"), Decimal("99999.99"))
    issue(product, "10", user=owner)

    services.receipt_cancel(receipt=receipt, user=owner, reason="单价录错")
    on_hand, value, cost = _level(product, warehouse)
    assert on_hand == Decimal("153") and cost > 600
    cost_adjustment_post(
        warehouse=warehouse,
        product=product,
        new_unit_cost=Decimal("4.59"),
        reason="单价录错，已售部分按错误成本出库",
        user=owner,
    )

    assert _level(product, warehouse) == (
        Decimal("153"),
        Decimal("702.27"),
        Decimal("4.59"),
    )
    assert stock_drift() == []
    call_command("check_stock")

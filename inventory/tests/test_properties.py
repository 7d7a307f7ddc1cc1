"""Property test: any sequence of inbound and outbound moves keeps the ledger and
the balance in agreement, and the cost within the range of what came in."""

from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory
from inventory.models import MoveKind, StockLevel, StockMove
from inventory.selectors import stock_drift
from inventory.services import InsufficientStock, MoveLine, stock_moves_post

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("500"), places=3)
costs = st.decimals(min_value=Decimal("0"), max_value=Decimal("999.9999"), places=4)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("in"), quantities, costs),
        st.tuples(st.just("out"), quantities, st.just(None)),
    ),
    min_size=1,
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=steps)
def test_level_always_equals_the_sum_of_its_moves(owner, steps):
    warehouse = Warehouse.objects.get(is_default=True)
    product = ProductFactory()
    inbound_costs = []
    posted = 0
    for direction, quantity, cost in steps:
        signed = quantity if direction == "in" else -quantity
        try:
            stock_moves_post(
                lines=[MoveLine(product.pk, warehouse.pk, signed, cost)],
                kind=MoveKind.RECEIPT if direction == "in" else MoveKind.SHIPMENT,
                source=None,
                occurred_at=timezone.now(),
                user=owner,
            )
        except InsufficientStock:
            continue
        posted += 1
        if direction == "in":
            inbound_costs.append(cost)
        level = StockLevel.objects.get(product=product, warehouse=warehouse)
        assert level.on_hand >= 0
        assert level.value >= 0
        if level.on_hand == 0:
            assert level.value == 0
        elif inbound_costs:
            # Values keep 2 decimals: each posting may round by half a cent, which
            # spread over what is on hand moves the unit cost that much at most.
            slack = Decimal("0.005") * posted / level.on_hand + Decimal("0.0001")
            assert min(inbound_costs) - slack <= level.unit_cost
            assert level.unit_cost <= max(inbound_costs) + slack
    moves = StockMove.objects.filter(product=product)
    assert stock_drift() == []
    if moves.exists():
        last = moves.order_by("-pk").first()
        level = StockLevel.objects.get(product=product, warehouse=warehouse)
        assert (last.balance_after, last.value_after) == (level.on_hand, level.value)

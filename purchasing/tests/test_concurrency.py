"""Two clerks posting the same receipt at the same instant: one set of moves."""

import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from catalog.tests.factories import ProductFactory
from inventory.models import StockLevel, StockMove
from inventory.tests.test_concurrency import run_in_threads
from purchasing.models import GoodsReceipt
from purchasing.tests.factories import ordered, received

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (SQLite serializes writers)",
    ),
]


def test_the_same_receipt_posted_from_two_tabs_at_once_posts_once(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "2")])
    token = uuid.uuid4()
    results = run_in_threads(
        4, lambda _i: received(owner, order, [(apple, "10")], submission=token)
    )
    assert any(isinstance(r, GoodsReceipt) for r in results), results
    assert GoodsReceipt.objects.count() == 1
    assert StockMove.objects.count() == 1
    assert StockLevel.objects.get(product=apple).on_hand == Decimal("10")
    call_command("check_stock")


def test_two_receipts_for_the_last_open_quantity_cannot_both_pass(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "2")])
    results = run_in_threads(3, lambda _i: received(owner, order, [(apple, "10")]))
    assert sum(isinstance(r, GoodsReceipt) for r in results) == 1
    assert StockLevel.objects.get(product=apple).on_hand == Decimal("10")
    call_command("check_stock")

"""Two clerks posting the same receipt at the same instant: one set of moves."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
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
    """The order stays open after one receipt (10 of 20), so nothing but the form's
    token stops the other tabs: they meet its unique constraint, run again, and
    find the first receipt by its token."""
    apple = ProductFactory()
    order = ordered(owner, [(apple, "20", "2")])
    token = uuid.uuid4()
    results = run_in_threads(
        4, lambda _i: received(owner, order, [(apple, "10")], submission=token)
    )
    assert all(isinstance(r, GoodsReceipt) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert GoodsReceipt.objects.get().submission == token
    assert StockMove.objects.count() == 1
    assert StockLevel.objects.get(product=apple).on_hand == Decimal("10")
    order.refresh_from_db()
    assert order.lines.get().received_quantity == Decimal("10")
    call_command("check_stock")


def test_the_same_receipt_of_everything_still_open_from_two_tabs_returns_it(owner):
    """The first tab receives the whole order, so it is 已到货 by the time the
    others get its lock: they must still be shown the receipt their form made,
    not told the order cannot be received."""
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "2")])
    token = uuid.uuid4()
    results = run_in_threads(
        4, lambda _i: received(owner, order, [(apple, "10")], submission=token)
    )
    assert all(isinstance(r, GoodsReceipt) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert StockMove.objects.count() == 1
    assert StockLevel.objects.get(product=apple).on_hand == Decimal("10")
    call_command("check_stock")


def test_two_receipts_for_the_last_open_quantity_cannot_both_pass(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "2")])
    results = run_in_threads(3, lambda _i: received(owner, order, [(apple, "10")]))
    receipts = [r for r in results if isinstance(r, GoodsReceipt)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    # One receipt; the other two clerks are told the order is received in full.
    assert (len(receipts), len(refused)) == (1, 2), results
    for refusal in refused:
        assert refusal.message == f"{order.number} 当前为“已到货”：不能再按它入库。"
    assert StockLevel.objects.get(product=apple).on_hand == Decimal("10")
    call_command("check_stock")


def test_a_double_click_returning_a_whole_receipt_posts_one_return_and_shows_it(
    owner,
):
    """The same form twice, both past the token check before the receipt is
    locked: the second finds the first's return under the lock instead of "only
    0 can still be returned"."""
    from django.utils import timezone

    from catalog.models import Warehouse
    from purchasing import services
    from purchasing.models import PurchaseReturn
    from sales.tests.test_concurrency import run_behind_lock

    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "2")])
    receipt = received(owner, order, [(apple, "10")])
    token = uuid.uuid4()

    def work(_index):
        return services.purchase_return_post(
            supplier=receipt.supplier,
            warehouse=Warehouse.objects.get(is_default=True),
            lines=[services.ReturnLineInput(apple, Decimal("10"))],
            occurred_at=timezone.now(),
            note="",
            user=owner,
            receipt=receipt,
            submission=token,
        )

    results = run_behind_lock(GoodsReceipt, receipt.pk, 2, work)
    assert all(isinstance(r, PurchaseReturn) for r in results), results
    assert results[0].pk == results[1].pk
    assert PurchaseReturn.objects.count() == 1
    assert StockLevel.objects.get(product=apple).on_hand == Decimal("0")
    call_command("check_stock")

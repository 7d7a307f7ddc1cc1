"""Real threads on their own PostgreSQL connections: stock never goes below zero."""

import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory
from inventory.models import MoveKind, StockLevel, StockMove
from inventory.services import InsufficientStock, MoveLine, stock_moves_post
from inventory.tests.factories import receive

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (SQLite serializes writers instead)",
    ),
]


def run_in_threads(count: int, work) -> list:
    """Start ``count`` threads together; each runs work(i) on its own connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test inspects what happened
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_parallel_outbound_moves_issue_exactly_the_stock(owner):
    warehouse = Warehouse.objects.get(is_default=True)
    product = ProductFactory()
    receive(product, "5", "2.00", user=owner)

    def ship(_index):
        return stock_moves_post(
            lines=[MoveLine(product.pk, warehouse.pk, Decimal("-1"))],
            kind=MoveKind.SHIPMENT,
            source=None,
            occurred_at=timezone.now(),
            user=owner,
        )

    results = run_in_threads(12, ship)
    shipped = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    # Every clerk got an answer of one of the two kinds: nothing else escaped.
    assert len(shipped) + len(refused) == 12, results
    assert len(shipped) == 5
    assert len(refused) == 7
    # Each shipment is one move of one unit, and each saw the one before it: the
    # balances after them are 4, 3, 2, 1, 0 (one each), never the same twice.
    assert all(len(moves) == 1 for moves in shipped)
    assert sorted(moves[0].balance_after for moves in shipped) == [0, 1, 2, 3, 4]
    assert all(moves[0].quantity == Decimal("-1") for moves in shipped)
    # Each refusal saw the stock already gone: 0 on hand, 1 needed.
    for refusal in refused:
        [shortage] = refusal.shortages
        assert (shortage.on_hand, shortage.requested) == (0, 1)
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.value) == (Decimal("0"), Decimal("0"))
    assert StockMove.objects.filter(kind=MoveKind.SHIPMENT).count() == 5
    call_command("check_stock")


def test_documents_touching_products_in_opposite_order_do_not_deadlock(
    owner, monkeypatch
):
    """Six clerks post documents of the same three products, each listing them in
    another order (all six orders), over and over. The locks are taken in
    (product, warehouse) order whatever the line order, so no posting ever waits
    on another in a cycle. The posting retry is switched off: a deadlock would
    otherwise be rolled back and retried out of sight, and this test would pass
    without the ordered lock."""
    from itertools import permutations

    from jxc import documents

    monkeypatch.setattr(documents, "POSTING_ATTEMPTS", 1)
    warehouse = Warehouse.objects.get(is_default=True)
    products = ProductFactory.create_batch(3)
    for product in products:
        receive(product, "500", "1", user=owner)
    orders = list(permutations(products))
    rounds = 60

    def post(index):
        posted = []
        for _ in range(rounds):
            moves = stock_moves_post(
                lines=[
                    MoveLine(product.pk, warehouse.pk, Decimal("-1"))
                    for product in orders[index]
                ],
                kind=MoveKind.SHIPMENT,
                source=None,
                occurred_at=timezone.now(),
                user=owner,
            )
            posted.append([(m.product_id, m.quantity) for m in moves])
        return posted

    results = run_in_threads(len(orders), post)
    # Every clerk posted every document: no deadlock, no "busy" refusal, and each
    # document's moves in the clerk's own line order.
    failures = [r for r in results if not isinstance(r, list)]
    assert not failures, failures
    for order, posted in zip(orders, results, strict=True):
        assert posted == [[(p.pk, Decimal("-1")) for p in order]] * rounds
    for product in products:
        level = StockLevel.objects.get(product=product)
        assert level.on_hand == Decimal(500 - len(orders) * rounds)
    call_command("check_stock")


def test_two_first_receipts_of_a_new_product_create_one_balance(owner):
    warehouse = Warehouse.objects.get(is_default=True)
    product = ProductFactory()

    def first_receipt(_index):
        return stock_moves_post(
            lines=[MoveLine(product.pk, warehouse.pk, Decimal("2"), Decimal("3"))],
            kind=MoveKind.RECEIPT,
            source=None,
            occurred_at=timezone.now(),
            user=owner,
        )

    results = run_in_threads(6, first_receipt)
    assert all(isinstance(r, list) for r in results), results
    # One balance row, each receipt adding to what the one before left.
    assert sorted(moves[0].balance_after for moves in results) == [2, 4, 6, 8, 10, 12]
    assert StockLevel.objects.filter(product=product).count() == 1
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.value) == (Decimal("12"), Decimal("36.00"))
    call_command("check_stock")


def test_the_same_form_submitted_twice_at_once_posts_once(owner):
    import uuid

    from inventory import documents
    from inventory.models import Adjustment

    warehouse = Warehouse.objects.get(is_default=True)
    product = ProductFactory()
    receive(product, "10", "1", user=owner)
    token = uuid.uuid4()

    def submit(_index):
        return documents.adjustment_post(
            warehouse=warehouse,
            note="",
            user=owner,
            submission=token,
            lines=[documents.AdjustmentInput(product, Decimal("-1"), "damaged")],
        )

    results = run_in_threads(4, submit)
    # Every submit answers with the one document: the first posts it, the others
    # meet the token's unique constraint, run again and find it by its token.
    assert all(isinstance(r, Adjustment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Adjustment.objects.get().submission == token
    assert StockLevel.objects.get(product=product).on_hand == Decimal("9")
    call_command("check_stock")


def test_postings_and_reservations_in_different_warehouses_share_product_totals(
    owner,
):
    """The levels of different warehouses never meet, but the products' totals
    rows do: opposite line orders and reservations running together must neither
    deadlock nor lose an update of the totals."""
    from catalog.tests.factories import WarehouseFactory
    from inventory.checks import product_stock_drift
    from inventory.models import ProductStock
    from inventory.services import stock_release, stock_reserve

    store = Warehouse.objects.get(is_default=True)
    back = WarehouseFactory()
    a, b = ProductFactory(), ProductFactory()
    for warehouse in (store, back):
        receive(a, "100", "1", user=owner, warehouse=warehouse)
        receive(b, "100", "1", user=owner, warehouse=warehouse)

    def work(index):
        warehouse = (store, back)[index % 2]
        first, second = (a, b) if index % 3 == 0 else (b, a)
        for _ in range(5):
            if index % 4 == 3:
                for product in (a, b):  # in product order, like sales
                    stock_reserve(
                        product_id=product.pk,
                        warehouse_id=warehouse.pk,
                        quantity=Decimal("2"),
                    )
                stock_release(
                    product_id=a.pk, warehouse_id=warehouse.pk, quantity=Decimal("1")
                )
                continue
            stock_moves_post(
                lines=[
                    MoveLine(first.pk, warehouse.pk, Decimal("-1")),
                    MoveLine(second.pk, warehouse.pk, Decimal("-1")),
                ],
                kind=MoveKind.SHIPMENT,
                source=None,
                occurred_at=timezone.now(),
                user=owner,
            )
        return "ok"

    assert run_in_threads(8, work) == ["ok"] * 8
    # Threads 3 and 7 reserved (5 × 2 of each, 5 × 1 of a released); the other
    # six shipped 5 of each product.
    totals = {row.product_id: row for row in ProductStock.objects.all()}
    assert totals[a.pk].on_hand == totals[b.pk].on_hand == Decimal("170")
    assert totals[a.pk].reserved == Decimal("10")
    assert totals[b.pk].reserved == Decimal("20")
    assert product_stock_drift() == []
    call_command("check_stock")

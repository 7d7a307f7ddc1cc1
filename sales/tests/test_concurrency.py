"""Clerks selling the last units at the same instant: never more than the stock."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from catalog.models import Customer, Warehouse
from catalog.tests.factories import ProductFactory
from inventory import documents
from inventory.models import MoveKind, StockLevel, StockMove
from inventory.services import InsufficientStock
from inventory.tests.factories import receive
from inventory.tests.test_concurrency import run_in_threads
from sales import services
from sales.models import Shipment
from sales.tests.factories import confirmed, ship

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (SQLite serializes writers)",
    ),
]


def test_many_retail_sales_and_shipments_of_little_stock_at_once(owner):
    product = ProductFactory(sale_price=Decimal("5"))
    receive(product, "6", "2", user=owner)
    # Three orders backordered against 6 units: one reserves 3, the others
    # reserve what is left; shipping beyond reservations competes for free stock.
    orders = [
        services.sales_order_confirm(
            order=services.sales_order_save(
                customer=Customer.objects.get(code="RETAIL"),
                warehouse=Warehouse.objects.get(is_default=True),
                order_date=timezone.localdate(),
                note="",
                user=owner,
                lines=[services.SaleLineInput(product, Decimal("3"))],
            ),
            user=owner,
            on_shortage="backorder",
        )
        for _ in range(3)
    ]

    def work(index):
        if index < 3:
            return ship(owner, orders[index])
        return services.retail_sale_post(
            warehouse=Warehouse.objects.get(is_default=True),
            user=owner,
            lines=[services.SaleLineInput(product, Decimal("1"))],
            amount_received=Decimal("10"),
        )

    results = run_in_threads(9, work)
    # The first two orders hold all six units: each ships its 3. The third order
    # (backordered, nothing reserved) and every retail sale find no free stock
    # and are refused, whatever order the threads ran in.
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["Shipment", "Shipment"] + ["InsufficientStock"] * 7, results
    assert [r.lines.get().quantity for r in results[:2]] == [3, 3]
    shipped = StockMove.objects.filter(kind=MoveKind.SHIPMENT).values_list(
        "quantity", flat=True
    )
    assert -sum(shipped) == Decimal("6")
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.value) == (Decimal("0"), Decimal("0"))
    refusals = [r for r in results if isinstance(r, InsufficientStock)]
    assert refusals and all("需要" in r.message for r in refusals)
    call_command("check_stock")


def test_two_clerks_ship_the_last_unit_from_two_orders(owner):
    product = ProductFactory()
    receive(product, "2", "2", user=owner)
    first = confirmed(owner, [(product, "1")])
    second = confirmed(owner, [(product, "1")])
    # Someone wrote one unit off: one unit left for two reserved orders.
    documents.adjustment_post(
        warehouse=first.warehouse,
        note="",
        user=owner,
        lines=[documents.AdjustmentInput(product, Decimal("-1"), "lost")],
    )
    results = run_in_threads(2, lambda i: ship(owner, [first, second][i]))
    shipped = [r for r in results if isinstance(r, Shipment)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(shipped), len(refused)) == (1, 1), results
    assert shipped[0].lines.get().quantity == 1
    [shortage] = refused[0].shortages
    assert (shortage.product, shortage.on_hand, shortage.requested) == (product, 0, 1)
    assert StockLevel.objects.get(product=product).on_hand == Decimal("0")
    call_command("check_stock")


def run_behind_lock(model, pk, count: int, work) -> list:
    """Run work(i) on ``count`` threads while this connection holds the row lock
    of ``model`` ``pk``: every thread gets past whatever it checks before taking
    that lock, waits for it, and goes on one at a time once it is released."""
    import threading
    import time

    from django.db import close_old_connections, transaction

    results: list = [None] * count
    pids: list = [None] * count

    def target(index):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[index] = cursor.fetchone()[0]
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test inspects what happened
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    with transaction.atomic():
        model.objects.select_for_update().get(pk=pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                waiting = [pid for pid in pids if pid is not None]
                if len(waiting) == count:
                    cursor.execute(
                        "SELECT count(*) FROM unnest(%s::int[]) AS p "
                        "WHERE cardinality(pg_blocking_pids(p)) > 0",
                        [waiting],
                    )
                    if cursor.fetchone()[0] == count:
                        break
                time.sleep(0.02)
            else:
                raise AssertionError("the threads never waited for the lock")
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_a_double_click_returning_everything_posts_one_return_and_shows_it(owner):
    """Both clicks carry the same form token and get past the token check before
    the first locks the shipment. The second must find the first's return under
    the lock, not be told "only 0 can still be returned" though the goods came
    back."""
    import uuid

    from sales.models import SalesReturn

    product = ProductFactory(sale_price=Decimal("5"))
    receive(product, "6", "2", user=owner)
    shipment = ship(owner, confirmed(owner, [(product, "4")]))
    line = shipment.lines.get()
    token = uuid.uuid4()

    def work(_index):
        return services.sales_return_post(
            shipment=shipment,
            quantities={line.pk: Decimal("4")},
            reason="",
            occurred_at=timezone.now(),
            user=owner,
            submission=token,
        )

    results = run_behind_lock(Shipment, shipment.pk, 2, work)
    assert all(isinstance(r, SalesReturn) for r in results), results
    assert results[0].pk == results[1].pk
    assert SalesReturn.objects.count() == 1
    assert StockLevel.objects.get(product=product).on_hand == Decimal("6")
    call_command("check_stock")

"""Posting at the database's pace (issue 15): numbers taken just before commit,
order lines locked alone, the shipped amount kept on the order line."""

import re
import threading
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from catalog.models import Product, Warehouse
from catalog.tests.factories import ProductFactory
from inventory.models import StockMove
from inventory.services import InsufficientStock
from inventory.tests.factories import receive
from inventory.tests.test_concurrency import run_in_threads
from jxc.models import DocumentCounter
from sales import services
from sales.models import SalesOrder, SalesOrderLine, Shipment
from sales.signals import shipment_posted
from sales.tests.factories import confirmed, ship

NUMBER = re.compile(r"^(SO|SH)-\d{8}-\d{3}$")

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL (SQLite serializes writers)",
)


def sell(user, *lines, warehouse=None):
    return services.retail_sale_post(
        warehouse=warehouse or Warehouse.objects.get(is_default=True),
        lines=[
            services.SaleLineInput(product, D(quantity)) for product, quantity in lines
        ],
        amount_received=D("100000"),
        user=user,
    )


def today(prefix: str, last: int) -> str:
    return f"{prefix}-{timezone.localdate():%Y%m%d}-{last:03d}"


def shown_numbers(sale) -> set[str]:
    """Every place a counter sale's numbers are written: documents, moves, audit."""
    shipment = sale.shipments.get()
    texts = {sale.number, shipment.number}
    texts |= set(
        StockMove.objects.filter(source_id=shipment.pk).values_list(
            "source_number", flat=True
        )
    )
    for entry in AuditEntry.objects.filter(object_id__in=[sale.pk, shipment.pk]):
        texts |= {entry.object_label, entry.summary}
    return texts


def test_a_counter_sale_shows_its_final_number_everywhere(owner):
    apple, pear = ProductFactory(), ProductFactory()
    receive(apple, "10", "2", user=owner)
    receive(pear, "10", "2", user=owner)
    sale = sell(owner, (apple, "1"), (pear, "2"))
    shipment = sale.shipments.get()
    # The objects the view redirects with carry the final numbers too.
    assert (sale.number, shipment.number) == (today("SO", 1), today("SH", 1))
    sale.refresh_from_db()
    assert sale.number == today("SO", 1)
    moves = StockMove.objects.filter(source_id=shipment.pk, kind="shipment")
    assert {m.source_number for m in moves} == {today("SH", 1)}
    entries = AuditEntry.objects.filter(object_id__in=[sale.pk, shipment.pk])
    assert {(e.object_label, e.summary) for e in entries} >= {
        (today("SO", 1), today("SH", 1)),
        (today("SH", 1), today("SO", 1)),
    }
    assert not any("~" in text for text in shown_numbers(sale))


def test_a_refused_posting_uses_no_number(owner):
    apple = ProductFactory()
    receive(apple, "2", "2", user=owner)
    with pytest.raises(InsufficientStock):
        sell(owner, (apple, "3"))
    assert sell(owner, (apple, "2")).number == today("SO", 1)
    assert DocumentCounter.objects.get(prefix="SO").last == 1


def test_a_shipment_of_an_order_numbers_moves_and_audit_finally(owner):
    apple = ProductFactory()
    receive(apple, "5", "2", user=owner)
    order = confirmed(owner, [(apple, "3")])
    shipment = ship(owner, order, {apple: D("1")})
    assert shipment.number == today("SH", 1)
    assert set(
        StockMove.objects.filter(source_id=shipment.pk).values_list(
            "source_number", flat=True
        )
    ) == {today("SH", 1)}
    # The order's entry names the shipment it changed with.
    assert AuditEntry.objects.filter(object_id=order.pk, summary=today("SH", 1))


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_numbers_are_gap_free_and_unique_under_threads_with_refusals(owner):
    apple = ProductFactory()
    receive(apple, "4", "2", user=owner)
    results = run_in_threads(8, lambda _i: sell(owner, (apple, "1")))
    sales = [r for r in results if isinstance(r, SalesOrder)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(sales), len(refused)) == (4, 4), results
    # Exactly 001..004: the four refused postings used no number.
    assert sorted(s.number for s in sales) == [today("SO", n) for n in (1, 2, 3, 4)]
    shipments = sorted(Shipment.objects.values_list("number", flat=True))
    assert shipments == [today("SH", n) for n in (1, 2, 3, 4)]
    assert DocumentCounter.objects.get(prefix="SH").last == 4
    for sale in SalesOrder.objects.all():
        texts = shown_numbers(sale)
        assert all(NUMBER.match(t) for t in texts if t), texts


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_counter_row_is_not_locked_while_a_posting_runs(owner):
    """A counter sale held open mid-posting (its shipment's moves written) does not
    keep a second counter sale waiting: the day's counter is locked only from the
    numbering statement to the commit. Old code: the second waited on the SO row."""
    apple, pear = ProductFactory(), ProductFactory()
    receive(apple, "5", "2", user=owner)
    receive(pear, "5", "2", user=owner)
    first_inside, second_done = threading.Event(), threading.Event()
    waited = {}

    def hold(sender, **kwargs):
        if threading.current_thread().name == "first":
            first_inside.set()
            waited["second finished meanwhile"] = second_done.wait(timeout=5)

    def run(name, work):
        def target():
            try:
                work()
            finally:
                connection.close()

        thread = threading.Thread(target=target, name=name)
        thread.start()
        return thread

    shipment_posted.connect(hold, dispatch_uid="hold-first")
    try:
        first = run("first", lambda: sell(owner, (apple, "1")))
        assert first_inside.wait(timeout=5)

        def second_sale():
            sell(owner, (pear, "1"))
            second_done.set()

        second = run("second", second_sale)
        second.join(timeout=15)
        first.join(timeout=15)
    finally:
        shipment_posted.disconnect(dispatch_uid="hold-first")
    assert waited == {"second finished meanwhile": True}
    # Numbers in commit order: the second committed first.
    numbers = dict(SalesOrder.objects.values_list("lines__product_id", "number"))
    assert numbers == {pear.pk: today("SO", 1), apple.pk: today("SO", 2)}


@postgresql_only
def test_shipment_posting_locks_the_order_lines_alone(owner):
    apple = ProductFactory()
    receive(apple, "5", "2", user=owner)
    order = confirmed(owner, [(apple, "3")])
    with CaptureQueriesContext(connection) as queries:
        ship(owner, order, {apple: D("1")})
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    line_locks = [sql for sql in locks if 'FROM "sales_salesorderline"' in sql]
    assert len(line_locks) == 1, locks
    assert 'FOR UPDATE OF "sales_salesorderline"' in line_locks[0]
    assert "catalog_product" not in line_locks[0]
    # No locking statement names the product table without OF limiting it.
    for sql in locks:
        if "catalog_product" in sql:
            assert (
                "FOR UPDATE OF" in sql
                and '"catalog_product"' not in sql.split("FOR UPDATE OF")[1]
            ), sql


@postgresql_only
def test_a_sales_return_locks_the_shipment_lines_alone(owner):
    apple = ProductFactory()
    receive(apple, "5", "2", user=owner)
    sale = sell(owner, (apple, "2"))
    shipment = sale.shipments.get()
    with CaptureQueriesContext(connection) as queries:
        services.sales_return_post(
            shipment=shipment,
            quantities={shipment.lines.get().pk: D("1")},
            reason="破损",
            occurred_at=timezone.now(),
            user=owner,
        )
    (lock,) = [
        q["sql"]
        for q in queries
        if "FOR UPDATE" in q["sql"] and 'FROM "sales_shipmentline"' in q["sql"]
    ]
    assert lock.endswith('FOR UPDATE OF "sales_shipmentline"'), lock


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_no_product_row_is_locked_while_a_shipment_posts(owner):
    """Another session can lock the shipped product's row (NOWAIT) while the
    shipment's transaction is open. Old code locked it through the line join."""
    apple = ProductFactory()
    receive(apple, "5", "2", user=owner)
    order = confirmed(owner, [(apple, "3")])
    inside, checked = threading.Event(), threading.Event()

    def hold(sender, **kwargs):
        inside.set()
        checked.wait(timeout=5)

    outcome = {}

    def other_session():
        try:
            assert inside.wait(timeout=5)
            with transaction.atomic():
                Product.objects.select_for_update(nowait=True).get(pk=apple.pk)
            outcome["locked by the shipment"] = False
        except Exception as error:  # noqa: BLE001 - the test reports it
            outcome["locked by the shipment"] = repr(error)
        finally:
            checked.set()
            connection.close()

    shipment_posted.connect(hold, dispatch_uid="hold-shipment")
    try:
        thread = threading.Thread(target=other_session)
        thread.start()
        shipment = ship(owner, order, {apple: D("1")})
        thread.join(timeout=10)
    finally:
        shipment_posted.disconnect(dispatch_uid="hold-shipment")
    assert outcome == {"locked by the shipment": False}
    assert shipment.number == today("SH", 1)


def test_the_last_shipment_of_a_line_takes_the_rest_of_its_kept_amount(owner):
    apple = ProductFactory()
    receive(apple, "10", "2", user=owner)
    order = confirmed(owner, [(apple, "3", "3.33")])  # amount 9.99
    line = order.lines.get()
    first = ship(owner, order, {apple: D("1")})
    second = ship(owner, order, {apple: D("1")})
    line.refresh_from_db()
    assert line.shipped_amount == D("6.66")
    services.shipment_cancel(shipment=second, user=owner, reason="错发")
    line.refresh_from_db()
    assert (line.shipped_quantity, line.shipped_amount) == (D("1"), D("3.33"))
    order.refresh_from_db()
    last = ship(owner, order)
    line.refresh_from_db()
    assert last.total == D("6.66")
    assert first.total + last.total == line.amount == line.shipped_amount


def test_the_migration_fills_the_shipped_amount_from_posted_shipments(owner):
    from importlib import import_module

    fill = import_module(
        "sales.migrations.0004_order_line_shipped_amount"
    ).shipped_amount_fill
    apple = ProductFactory()
    receive(apple, "10", "2", user=owner)
    order = confirmed(owner, [(apple, "3", "3.33")])
    ship(owner, order, {apple: D("1")})
    cancelled = ship(owner, order, {apple: D("1")})
    services.shipment_cancel(shipment=cancelled, user=owner, reason="错发")
    ship(owner, order.__class__.objects.get(pk=order.pk), {apple: D("1")})
    SalesOrderLine.objects.update(shipped_amount=0)
    fill(apps, None)
    assert order.lines.get().shipped_amount == D("6.66")


@postgresql_only  # the statements pinned are PostgreSQL's (advisory lock, numbering)
def test_a_new_five_line_counter_sale_runs_a_pinned_number_of_queries(owner):
    """Pinned: no shipped-amount lookup and no order line lock for a new counter
    sale (its lines are this transaction's own)."""
    products = [ProductFactory() for _ in range(5)]
    for product in products:
        receive(product, "100", "2", user=owner)
    main = Warehouse.objects.get(is_default=True)
    sell(owner, *[(p, "1") for p in products])  # fills the per-process caches
    with CaptureQueriesContext(connection) as queries:
        sale = sell(owner, *[(p, "1") for p in products], warehouse=main)
    sqls = [q["sql"] for q in queries]
    assert not [s for s in sqls if 'FROM "sales_shipmentline"' in s]
    assert not [s for s in sqls if 'FROM "sales_salesorderline"' in s]
    assert sale.number == today("SO", 2)
    # 25 statements and 4 savepoints (the test's transaction makes the service's
    # own one a savepoint): the numbering is two of them, one per document; the
    # money ledger three (the cash account locked at the end, its entry, its
    # balance; a walk-in sale keeps no customer balance).
    assert len(sqls) == 29, "\n".join(sqls)
    # After the balances are locked: moves, balances, the products' totals, the
    # webhook outbox's look for keys with a webhook (api.receivers: none here, so
    # nothing more), the costs the ledger decided (read back: listeners return
    # nothing), shipment lines' and the shipment's cost, the cash account (locked,
    # its entry, its balance), the two numbers, the audit entries.
    locked = next(i for i, s in enumerate(sqls) if 'FROM "inventory_stocklevel"' in s)
    after = [s for s in sqls[locked + 1 :] if "SAVEPOINT" not in s]
    assert len(after) == 13, "\n".join(after)
    assert len([s for s in sqls if "jxc_documentcounter" in s]) == 2

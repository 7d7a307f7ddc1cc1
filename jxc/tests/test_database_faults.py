"""Real database faults on PostgreSQL: a connection killed in the middle of a
posting, a deadlock, lock and statement timeouts. Each fault is made by a second
connection doing what a stuck or crashing client would (holding a row or table
lock, pg_terminate_backend); nothing of ours is replaced.

The tests run outside any test transaction (``transaction=True``), as a web
request does, so the posting owns the outermost transaction.
"""

import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError, close_old_connections, connection, transaction
from django.test import Client
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, SupplierFactory
from inventory.models import StockLevel, StockMove
from inventory.tests.factories import receive
from jxc.conf import database_config
from jxc.documents import POSTING_ATTEMPTS, NotSaved
from jxc.tests.snapshot import everything
from purchasing import services as purchasing_services
from purchasing.models import GoodsReceipt
from sales.models import SalesOrder

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="killing a backend, deadlocks and lock/statement timeouts are "
        "PostgreSQL's (SQLite serializes writers and has no session timeouts)",
    ),
]
D = Decimal
BASE_DIR = Path(__file__).resolve().parents[2]
LOST = "Not saved: the connection to the database broke off."
BUSY = "Nothing was saved: the database is busy with other postings."


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def wait_until_blocked(pid: int, timeout: float = 10) -> None:
    """Wait until backend ``pid`` waits for a lock another session holds."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT cardinality(pg_blocking_pids(%s))", [pid])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {pid} never waited for a lock")


class Worker(threading.Thread):
    """Runs ``work`` on its own thread, hence its own database connection; ``pid``
    is that connection's backend, known before ``work`` starts."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work = work
        self.pid = None
        self.ready = threading.Event()
        self.result = None

    def run(self):
        try:
            self.pid = backend_pid()
            self.ready.set()
            self.result = self.work()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            self.result = error
        finally:
            self.ready.set()
            close_old_connections()
            connection.close()

    def started(self):
        self.start()
        assert self.ready.wait(10)
        return self


@pytest.fixture
def clerk(owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def pc(owner):
    product = ProductFactory(sku="PC01", name="电脑", sale_price=D("3000"))
    receive(product, "15", "2000", user=owner)
    return product


def receipt_form():
    return "/purchasing/receipts/new/", {
        "submission": str(uuid.uuid4()),
        "supplier": SupplierFactory().code,
        "warehouse": Warehouse.objects.get(is_default=True).pk,
        "date": timezone.localdate().isoformat(),
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "PC01",
        "lines-0-quantity": "4",
        "lines-0-unit_cost": "2100",
    }


def retail_form():
    return "/sales/retail/", {
        "submission": str(uuid.uuid4()),
        "warehouse": Warehouse.objects.get(is_default=True).pk,
        "amount_received": "10000",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "PC01",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "",
        "lines-0-discount": "",
    }


# --- a connection killed in the middle of a posting --------------------------------


@pytest.mark.parametrize(
    ("form", "model", "change"),
    [(receipt_form, GoodsReceipt, D("4")), (retail_form, SalesOrder, D("-2"))],
    ids=["receipt", "retail sale"],
)
def test_a_posting_whose_connection_is_killed_saves_nothing_and_posts_once_on_retry(
    clerk, pc, form, model, change
):
    url, data = form()
    level = StockLevel.objects.get(product=pc)
    before = everything()

    def submit_then_use_the_next_page():
        response = clerk.post(url, data)
        # The same thread (a gunicorn worker) serves its next request (the retail
        # form's address leads to the counter now).
        return response, clerk.get(url, follow=True)

    # The posting waits for a stock balance this test holds locked; while it
    # waits, its database session is killed from here.
    with transaction.atomic():
        StockLevel.objects.select_for_update().get(pk=level.pk)
        worker = Worker(submit_then_use_the_next_page).started()
        wait_until_blocked(worker.pid)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [worker.pid])
            assert cursor.fetchone()[0] is True
    worker.join(30)

    response, next_page = worker.result
    assert response.status_code == 200
    html = response.content.decode()
    assert LOST in html
    assert 'value="PC01"' in html  # the form keeps what was typed
    assert next_page.status_code == 200
    # Nothing partial: no document, no moves, no balance, no number used up.
    assert everything() == before

    # Submitting the same form again posts it, exactly once.
    first = clerk.post(url, data)
    second = clerk.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert model.objects.filter(submission=data["submission"]).count() == 1
    assert StockMove.objects.count() == len(before["StockMove"]) + 1
    level.refresh_from_db()
    assert level.on_hand == D("15") + change
    call_command("check_stock")


def test_a_connection_killed_between_requests_gives_a_clear_page_then_recovers(
    clerk, pc
):
    def three_pages():
        first = clerk.get("/inventory/")
        served.set()
        killed.wait(10)
        return first, clerk.get("/inventory/"), clerk.get("/inventory/")

    served, killed = threading.Event(), threading.Event()
    worker = Worker(three_pages).started()
    assert served.wait(10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [worker.pid])
    killed.set()
    worker.join(30)

    first, broken, recovered = worker.result
    assert first.status_code == 200
    assert broken.status_code == 503
    assert "The database did not answer" in broken.content.decode()
    assert recovered.status_code == 200


# --- deadlocks and lock timeouts ----------------------------------------------------


def _receipt(products, user):
    return purchasing_services.receipt_post(
        supplier=SupplierFactory(),
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[
            purchasing_services.ReceiptLineInput(p, D("1"), unit_cost=D("2"))
            for p in products
        ],
        occurred_at=timezone.now(),
        note="",
        user=user,
    )


def test_a_posting_that_meets_a_real_deadlock_is_retried_and_succeeds(owner, caplog):
    a, b = ProductFactory(), ProductFactory()
    receive(a, "10", "1", user=owner)
    receive(b, "10", "1", user=owner)
    level_a, level_b = (StockLevel.objects.get(product=p) for p in (a, b))
    assert level_a.product_id < level_b.product_id  # the posting locks a, then b

    caplog.set_level(logging.INFO, logger="jxc.documents")
    with transaction.atomic():
        # This session checks for deadlocks late, so the posting is the one
        # PostgreSQL picks to fail.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL deadlock_timeout = '10s'")
        StockLevel.objects.select_for_update().get(pk=level_b.pk)
        worker = Worker(lambda: _receipt([a, b], owner)).started()
        wait_until_blocked(worker.pid)  # it holds a and waits for b
        StockLevel.objects.select_for_update().get(pk=level_a.pk)  # the cycle
    worker.join(30)

    assert isinstance(worker.result, GoodsReceipt), worker.result
    assert any("40P01" in record.getMessage() for record in caplog.records)
    assert GoodsReceipt.objects.count() == 1
    assert StockLevel.objects.get(product=a).on_hand == D("11")
    assert StockLevel.objects.get(product=b).on_hand == D("11")
    call_command("check_stock")


def _short_lock_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '200ms'")


def test_a_posting_that_keeps_timing_out_on_a_lock_says_so_and_writes_nothing(
    clerk, pc, caplog
):
    url, data = receipt_form()
    level = StockLevel.objects.get(product=pc)
    before = everything()

    def submit():
        _short_lock_timeout()
        started = time.monotonic()
        return clerk.post(url, data), time.monotonic() - started

    caplog.set_level(logging.INFO, logger="jxc.documents")
    with transaction.atomic():
        StockLevel.objects.select_for_update().get(pk=level.pk)
        worker = Worker(submit).started()
        worker.join(30)

    response, seconds = worker.result
    assert response.status_code == 200
    assert BUSY in response.content.decode()
    retries = [r for r in caplog.records if "55P03" in r.getMessage()]
    assert len(retries) == POSTING_ATTEMPTS - 1
    assert seconds < 5
    assert everything() == before


def test_a_posting_inside_an_outer_transaction_is_not_retried(owner, pc, caplog):
    """Only the outermost transaction can be run again: a posting nested in
    another atomic block hands the database error to that block's owner."""
    before = everything()
    level = StockLevel.objects.get(product=pc)

    def nested():
        _short_lock_timeout()
        with transaction.atomic():
            return _receipt([pc], owner)

    caplog.set_level(logging.INFO, logger="jxc.documents")
    with transaction.atomic():
        StockLevel.objects.select_for_update().get(pk=level.pk)
        worker = Worker(nested).started()
        worker.join(30)

    assert isinstance(worker.result, OperationalError)
    assert not isinstance(worker.result, NotSaved)
    assert not [r for r in caplog.records if "attempt" in r.getMessage()]
    assert everything() == before


# --- time limits of a web request's database session ---------------------------------


def test_web_sessions_run_with_the_configured_time_limits():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting FROM pg_settings "
            "WHERE name IN ('lock_timeout', 'statement_timeout')"
        )
        settings = dict(cursor.fetchall())
    assert settings == {
        "lock_timeout": os.environ.get("JXC_DB_LOCK_TIMEOUT_MS", "5000"),
        "statement_timeout": os.environ.get("JXC_DB_STATEMENT_TIMEOUT_MS", "30000"),
    }


def test_a_statement_longer_than_the_configured_limit_is_stopped():
    from django.db.backends.postgresql.base import DatabaseWrapper

    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)
    config = database_config(url, BASE_DIR, {"JXC_DB_STATEMENT_TIMEOUT_MS": "200"})
    config.update(PASSWORD=connection.settings_dict["PASSWORD"])
    session = DatabaseWrapper({**connection.settings_dict, **config}, "limited")
    try:
        with session.cursor() as cursor:
            started = time.monotonic()
            with pytest.raises(OperationalError) as stopped:
                cursor.execute("SELECT pg_sleep(5)")
        assert time.monotonic() - started < 2
        assert stopped.value.__cause__.pgcode == "57014"
    finally:
        session.close()


def test_management_commands_run_without_the_web_time_limits():
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)
    script = (
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        'c.execute("SELECT setting FROM pg_settings WHERE name IN '
        "('lock_timeout', 'statement_timeout') ORDER BY name\")\n"
        "print(' '.join(row[0] for row in c.fetchall()))\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "JXC_DB_STATEMENT_TIMEOUT_MS": "1234",  # exported for gunicorn, say
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.splitlines()[-1].split() == ["0", "0"]


def test_a_report_stopped_by_the_statement_timeout_shows_a_clear_page(clerk, pc):
    """A stuck session holds the ledger; the report waits only as long as the
    statement timeout allows, the user gets a page saying so, and the shop goes
    on once the ledger is free."""
    go, holding, release = threading.Event(), threading.Event(), threading.Event()

    def hold_the_ledger():
        go.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "LOCK TABLE inventory_stockmove IN ACCESS EXCLUSIVE MODE"
                )
            holding.set()
            release.wait(30)

    def report_twice():
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '300ms'")
            cursor.execute("SET lock_timeout = 0")
        assert clerk.get("/").status_code == 200
        go.set()
        holding.wait(10)
        started = time.monotonic()
        stuck = clerk.get("/reports/summary/")
        seconds = time.monotonic() - started
        release.set()
        return stuck, seconds, clerk.get("/reports/summary/")

    holder = Worker(hold_the_ledger).started()
    worker = Worker(report_twice).started()
    worker.join(30)
    holder.join(30)

    stuck, seconds, later = worker.result
    assert stuck.status_code == 503
    assert "This page took too long and was stopped" in stuck.content.decode()
    assert seconds < 5
    assert later.status_code == 200

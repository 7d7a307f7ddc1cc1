"""Report and export reads on a real streaming replica (jxc/routers.py).

Skipped unless DATABASE_REPLICA_URL is set; CI starts a hot standby from
pg_basebackup of the primary (.ci/replica) and runs these. Data is committed (no
test transaction: a replica sees only what the primary commits) and each test
waits until the replica has replayed it.
"""

import time
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Category, Product, Warehouse
from jxc import routers
from sales.models import SalesOrder
from sales.services import SaleLineInput, retail_sale_post

pytestmark = pytest.mark.skipif(
    not routers.replica_configured(),
    reason="needs DATABASE_REPLICA_URL: a replica CI starts with .ci/replica",
)


def caught_up(timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while routers.replica_lag_seconds() > 0:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def shop(django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        caught_up()
        yield get_user_model().objects.get(username="owner")
        for alias in connections:
            connections[alias].close()


@pytest.fixture
def owner_client(shop):
    client = Client()
    client.force_login(shop)
    return client


def is_read(sql: str) -> bool:
    sql = sql.lstrip().upper()
    # A server-side cursor (QuerySet.iterator, large exports) declares its SELECT.
    return sql.startswith(("SELECT", "WITH")) or (
        sql.startswith("DECLARE") and " FOR SELECT " in sql
    )


def captured(alias):
    return CaptureQueriesContext(connections[alias])


def test_the_replica_is_a_streaming_standby(shop):
    with connections[routers.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
        # Read only: nothing the app does can write to it.
        with pytest.raises(DatabaseError, match="read-only"):
            cursor.execute("CREATE TABLE jxc_replica_probe (id int)")


def test_reads_go_to_the_replica_only_inside_replica_reads_and_outside_postings(shop):
    with captured(routers.REPLICA) as replica, captured(DEFAULT_DB_ALIAS) as primary:
        Product.objects.count()
    assert (len(replica), len(primary)) == (0, 1)

    with routers.replica_reads():
        with (
            captured(routers.REPLICA) as replica,
            captured(DEFAULT_DB_ALIAS) as primary,
        ):
            Product.objects.count()
        assert (len(replica), len(primary)) == (1, 0)
        with transaction.atomic(), captured(routers.REPLICA) as replica:
            Product.objects.count()
        assert len(replica) == 0


def test_a_posting_made_while_reading_the_replica_stays_on_the_primary(shop):
    product = Product.objects.filter(sale_price__gt=0).order_by("pk").first()
    warehouse = Warehouse.objects.get(is_default=True)
    before = SalesOrder.objects.count()
    with routers.replica_reads(), captured(routers.REPLICA) as replica:
        order = retail_sale_post(
            warehouse=warehouse,
            lines=[SaleLineInput(product=product, quantity=Decimal("0.001"))],
            amount_received=product.sale_price,
            user=shop,
        )
    assert replica.captured_queries == []
    assert SalesOrder.objects.count() == before + 1
    caught_up()
    with routers.replica_reads():
        assert SalesOrder.objects.filter(pk=order.pk).exists()  # replayed


@pytest.mark.parametrize(
    "name", ["reports:summary", "reports:turnover", "reports:summary_export"]
)
def test_report_pages_and_exports_read_the_replica(owner_client, name):
    with captured(routers.REPLICA) as replica, captured(DEFAULT_DB_ALIAS) as primary:
        response = owner_client.get(reverse(name))
    assert response.status_code == 200
    read = [query["sql"] for query in replica.captured_queries]
    assert any("inventory_" in sql for sql in read)
    assert [sql for sql in read if not is_read(sql)] == []
    # The primary saw the session and the user, no ledger reads.
    assert not any("inventory_stockmove" in q["sql"] for q in primary.captured_queries)


def test_other_pages_and_posts_use_the_primary(owner_client):
    with captured(routers.REPLICA) as replica:
        assert owner_client.get(reverse("inventory:stock_overview")).status_code == 200
    assert replica.captured_queries == []


def test_a_report_says_when_the_replica_is_behind(owner_client, settings):
    settings.JXC_REPLICA_LAG_NOTE_SECONDS = 1
    url = reverse("reports:summary")
    with connections[routers.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        Category.objects.create(name=f"replica lag {time.monotonic_ns()}")
        time.sleep(2.2)
        owner_client.cookies["django_language"] = "zh-hans"
        behind = owner_client.get(url).content.decode()
        assert "报表副本" in behind
    finally:
        with connections[routers.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    caught_up()
    current = owner_client.get(url).content.decode()
    assert "报表副本" not in current and "report copy" not in current

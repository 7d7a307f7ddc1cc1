"""stock.changed for every kind of stock change, not only receipts and
shipments: adjustments, transfers, stocktakes, opening stock, counter sales and
returns, and cancels — written in the posting's transaction from the stock
ledger itself, with the levels as that posting left them; nothing for a posting
that is refused or rolled back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from api.models import EventKind, WebhookEvent
from api.services import api_key_create
from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, WarehouseFactory
from counter import services as counter
from inventory import documents
from inventory.services import InsufficientStock
from inventory.tests.factories import receive
from sales.services import SaleLineInput

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def main():
    return Warehouse.objects.get(is_default=True)


@pytest.fixture
def apple(owner):
    product = ProductFactory(sku="APL", sale_price=D("10.00"))
    receive(product, "20", "4", user=owner)
    return product


@pytest.fixture
def hooked(owner, apple):
    """Two keys with a webhook (each gets every event) and one without."""
    api_key_create(name="无", scope="read", user=owner)
    return [
        api_key_create(
            name=name, scope="read", user=owner, webhook_url="http://127.0.0.1:9/"
        ).key
        for name in ("网店", "会计")
    ]


def stock_events(key) -> list[dict]:
    return list(
        WebhookEvent.objects.filter(key=key, kind=EventKind.STOCK_CHANGED)
        .order_by("pk")
        .values_list("payload", flat=True)
    )


def levels(key) -> list[tuple]:
    return [
        (
            e["sku"],
            e["warehouse_id"],
            e["on_hand"],
            e["available"],
            e["document"]["type"],
        )
        for e in stock_events(key)
    ]


def test_an_adjustment_sends_the_level_it_left(owner, hooked, apple, main):
    adjustment = documents.adjustment_post(
        warehouse=main,
        lines=[documents.AdjustmentInput(apple, D("-3"), "damaged")],
        note="",
        user=owner,
    )
    for key in hooked:
        assert levels(key) == [("APL", main.pk, "17.000", "17.000", "adjustment")]
    event = stock_events(hooked[0])[0]
    assert event["document"]["id"] == adjustment.pk
    assert event["reserved"] == "0.000"


def test_a_transfer_sends_both_warehouses(owner, hooked, apple, main):
    branch = WarehouseFactory(code="B2", name="分店仓")
    documents.transfer_post(
        from_warehouse=main,
        to_warehouse=branch,
        lines=[(apple, D("5"))],
        note="",
        user=owner,
    )
    assert levels(hooked[0]) == [
        ("APL", main.pk, "15.000", "15.000", "transfer"),
        ("APL", branch.pk, "5.000", "5.000", "transfer"),
    ]


def test_a_stocktake_sends_the_counted_difference(owner, hooked, apple, main):
    stocktake = documents.stocktake_start(
        warehouse=main, categories=[], note="", user=owner
    )
    line = stocktake.lines.get(product=apple)
    stocktake = documents.stocktake_counts_save(
        stocktake=stocktake, version=0, user=owner, counts={line.pk: D("18")}
    )
    assert not WebhookEvent.objects.exists()  # counting moves nothing
    documents.stocktake_post(stocktake=stocktake, version=stocktake.version, user=owner)
    assert levels(hooked[0]) == [("APL", main.pk, "18.000", "18.000", "stocktake")]


def test_opening_stock_sends_each_new_level(owner, hooked, apple, main):
    pear = ProductFactory(sku="PER")
    documents.opening_stock_post(
        lines=[(pear, main, D("7"), D("2")), (apple, main, D("1"), D("4"))],
        note="",
        user=owner,
    )
    assert levels(hooked[0]) == [
        ("APL", main.pk, "21.000", "21.000", "openingstock"),
        ("PER", main.pk, "7.000", "7.000", "openingstock"),
    ]


def test_a_counter_sale_and_its_return_send_the_level(staff, hooked, apple, main):
    sale = counter.counter_sale_post(
        warehouse=main,
        lines=[SaleLineInput(apple, D("4"))],
        payments=[counter.PaymentInput("cash", D("40.00"))],
        user=staff,
    )
    assert levels(hooked[0]) == [("APL", main.pk, "16.000", "16.000", "shipment")]
    line = sale.shipments.get().lines.get()
    counter.counter_return_post(
        order=sale, quantities={line.pk: D("1")}, reason="坏了", user=staff
    )
    assert levels(hooked[0])[1:] == [
        ("APL", main.pk, "17.000", "17.000", "salesreturn")
    ]
    posted = WebhookEvent.objects.filter(
        key=hooked[0], kind=EventKind.DOCUMENT_POSTED
    ).values_list("payload__document__type", flat=True)
    assert sorted(posted) == ["salesreturn", "shipment"]


def test_a_cancelled_adjustment_sends_the_level_restored(owner, hooked, apple, main):
    adjustment = documents.adjustment_post(
        warehouse=main,
        lines=[documents.AdjustmentInput(apple, D("2"), "found")],
        note="",
        user=owner,
    )
    documents.document_cancel(document=adjustment, user=owner, reason="录错")
    assert [row[2] for row in levels(hooked[0])] == ["22.000", "20.000"]


def test_a_refused_adjustment_writes_no_event(owner, hooked, apple, main):
    with pytest.raises(InsufficientStock):
        documents.adjustment_post(
            warehouse=main,
            lines=[documents.AdjustmentInput(apple, D("-21"), "damaged")],
            note="",
            user=owner,
        )
    assert not WebhookEvent.objects.exists()


def test_a_posting_rolled_back_after_the_stock_moved_writes_no_event(
    owner, hooked, apple, main
):
    """The events are rows of the posting's own transaction: a rollback after
    the stock was written (here: by the caller) takes them back with it."""

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        documents.transfer_post(
            from_warehouse=main,
            to_warehouse=WarehouseFactory(code="B3"),
            lines=[(apple, D("5"))],
            note="",
            user=owner,
        )
        assert WebhookEvent.objects.count() == 4  # 2 keys × 2 levels
        raise Abandoned
    assert not WebhookEvent.objects.exists()


def test_no_webhook_key_no_event_and_no_extra_query(owner, apple, main):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_key_create(name="无", scope="read", user=owner)
    with CaptureQueriesContext(connection) as queries:
        documents.adjustment_post(
            warehouse=main,
            lines=[documents.AdjustmentInput(apple, D("-1"), "damaged")],
            note="",
            user=owner,
        )
    assert not WebhookEvent.objects.exists()
    assert sum("api_webhookevent" in q["sql"] for q in queries.captured_queries) == 0

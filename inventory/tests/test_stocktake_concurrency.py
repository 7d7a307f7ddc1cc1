"""Issue 13 with real threads on PostgreSQL: the shop sells while the sheet is
started, counted by hand, scanned and posted; posting leaves exactly what is on
the shelf.
"""

import random
import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory
from inventory import documents
from inventory.models import MoveKind, StockLevel, StockMove, Stocktake
from inventory.selectors import stock_drift
from inventory.services import MoveLine, stock_moves_post
from inventory.tests.factories import receive
from inventory.tests.test_concurrency import run_in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (SQLite serializes writers instead)",
    ),
]
D = Decimal
STOLEN = D("5")  # gone from every shelf before the count began, unnoticed


def test_sales_while_counting_leave_on_hand_equal_to_the_shelf(owner):
    warehouse = Warehouse.objects.get(is_default=True)
    products = [ProductFactory(sku=f"K{i}", barcode=f"69000000{i}") for i in range(4)]
    for product in products:
        receive(product, "200", "1.00", user=owner)
    # The shelf: what is physically there. Taking goods off it and counting it are
    # instants, ordered by this lock; the ledger learns of a sale some time later.
    shelf = {p.pk: D("200") - STOLEN for p in products}
    shelf_lock = threading.Lock()
    started = threading.Event()
    scanned = threading.Event()
    posted = threading.Event()
    sold: list[int] = []
    sheet: dict = {}
    counted: dict[int, Decimal] = {}

    def sell_one(rng):
        product = rng.choice(products)
        with shelf_lock:
            shelf[product.pk] -= 1
            handed_over = timezone.now()
        time.sleep(rng.random() / 200)  # the till is slower than the hand
        stock_moves_post(
            lines=[MoveLine(product.pk, warehouse.pk, D("-1"))],
            kind=MoveKind.SHIPMENT,
            source=None,
            occurred_at=handed_over,
            user=owner,
        )

    def sell(index):
        rng = random.Random(index)
        sales = 0
        # The tills sell before and during the count and its posting ...
        while sales < 15 or not posted.is_set():
            sell_one(rng)
            sales += 1
            if sales >= 300:
                return "never posted"
        sell_one(rng)  # ... and after it.
        sold.append(sales + 1)
        return "sold"

    def count_by_hand():
        stocktake = documents.stocktake_start(
            warehouse=warehouse, categories=[], note="", user=owner
        )
        sheet["stocktake"] = stocktake
        started.set()
        lines = {line.product_id: line.pk for line in stocktake.lines.all()}
        for product in products[:2]:
            time.sleep(0.02)
            with shelf_lock:  # the clerk counts the shelf and saves at once
                stocktake.refresh_from_db()
                counted[product.pk] = shelf[product.pk]
                documents.stocktake_counts_save(
                    stocktake=stocktake,
                    counts={lines[product.pk]: shelf[product.pk]},
                    version=stocktake.version,
                    user=owner,
                )
        scanned.wait(timeout=20)
        stocktake.refresh_from_db()
        # Posted while the tills keep selling.
        try:
            documents.stocktake_post(
                stocktake=stocktake, version=stocktake.version, user=owner
            )
        finally:
            posted.set()
        return "counted and posted"

    def scan():
        started.wait(timeout=10)
        stocktake = sheet["stocktake"]
        for product in products[2:]:
            time.sleep(0.03)
            with shelf_lock:
                counted[product.pk] = shelf[product.pk]
                documents.stocktake_count_scan(
                    stocktake=stocktake,
                    code=f"{product.barcode}",
                    quantity=shelf[product.pk],
                    user=owner,
                )
        scanned.set()
        return "scanned"

    def work(index):
        if index == 0:
            return count_by_hand()
        if index == 1:
            return scan()
        return sell(index)

    results = run_in_threads(6, work)
    assert results == ["counted and posted", "scanned"] + ["sold"] * 4, results

    stocktake = Stocktake.objects.get()
    assert stocktake.status == "posted"

    for product in products:
        level = StockLevel.objects.get(product=product, warehouse=warehouse)
        assert level.on_hand == shelf[product.pk], product.sku
        line = stocktake.lines.get(product=product)
        moved_after = (
            StockMove.objects.filter(
                product=product, warehouse=warehouse, occurred_at__gt=line.counted_at
            )
            .exclude(kind=MoveKind.STOCKTAKE)
            .values_list("quantity", flat=True)
        )
        assert level.on_hand == counted[product.pk] + sum(moved_after, D("0"))
        assert line.difference == -STOLEN
    assert (
        sorted(
            StockMove.objects.filter(kind=MoveKind.STOCKTAKE).values_list(
                "quantity", flat=True
            )
        )
        == [-STOLEN] * 4
    )
    assert StockMove.objects.filter(kind=MoveKind.SHIPMENT).count() == sum(sold)
    assert StockMove.objects.filter(
        kind=MoveKind.SHIPMENT, created_at__gt=stocktake.posted_at
    ).exists()
    call_command("check_stock")
    assert stock_drift() == []

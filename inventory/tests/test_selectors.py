"""Inventory's reads (selectors): the stock overview from the per-product totals,
and the stock card's pages, each showing the running balance the full
computation gives."""

from decimal import Decimal

import pytest

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, WarehouseFactory
from inventory.selectors import (
    stock_card,
    stock_card_page,
    stock_overview,
    stock_overview_totals,
)
from inventory.tests.factories import receive

pytestmark = pytest.mark.django_db
D = Decimal


def test_overview_reads_totals_or_one_warehouse(owner):
    apple, pen = ProductFactory(sku="A1"), ProductFactory(sku="B1")
    store = Warehouse.objects.get(is_default=True)
    back = WarehouseFactory()
    receive(apple, "3", "2", user=owner)
    receive(apple, "4", "2", user=owner, warehouse=back)
    receive(pen, "1", "5", user=owner, warehouse=back)
    ProductFactory(sku="C1")  # never moved: no totals row, shows 0
    rows = {p.sku: p for p in stock_overview().filter(sku__in=["A1", "B1", "C1"])}
    assert (rows["A1"].on_hand, rows["A1"].value) == (D(7), D(14))
    assert rows["C1"].on_hand == 0 and rows["C1"].value == 0
    here = {p.sku: p for p in stock_overview(store.pk).filter(sku__in=["A1", "B1"])}
    assert (here["A1"].on_hand, here["B1"].on_hand) == (D(3), D(0))
    totals = stock_overview_totals(stock_overview(back.pk).filter(sku__in=["A1", "B1"]))
    assert totals["total_on_hand"] == D(5) and totals["total_value"] == D(13)


def _pages(card, size):
    pages, number = [], 1
    while True:
        page = stock_card_page(card, number, size=size)
        pages.append(page)
        if not page.has_next():
            return pages
        number += 1


@pytest.mark.parametrize("where", ["all", "warehouse", "period", "since"])
def test_every_card_page_shows_the_full_running_balance(long_card, where):
    product, back = long_card
    filters = {"product_id": product.pk}
    if where == "warehouse":
        filters["warehouse_id"] = back.pk
    if where in ("period", "since"):
        moved = list(stock_card(product_id=product.pk).moves)
        filters["start"] = moved[40].occurred_at
        if where == "period":
            filters["end"] = moved[200].occurred_at
    card = stock_card(**filters)
    full = [(m.pk, m.balance, m.running_value) for m in card.moves]
    assert len(full) > 60
    for size in (7, 100):
        paged = [
            (m.pk, m.balance, m.running_value)
            for page in _pages(card, size)
            for m in page
        ]
        assert paged == full
    if where in ("period", "since"):
        assert card.opening_quantity > 0


def test_card_page_numbers_out_of_range(long_card):
    product, _back = long_card
    card = stock_card(product_id=product.pk)
    last = stock_card_page(card, "999", size=100)
    assert last.number == 3 and not last.has_next()
    assert stock_card_page(card, "x", size=100).number == 1
    empty = stock_card(product_id=ProductFactory().pk)
    assert list(stock_card_page(empty, "2", size=100)) == []

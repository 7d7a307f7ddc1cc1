"""Issue 13, point 6: backorders in replenishment (补货建议).

A product whose projected stock (on hand − reserved + on order − backorders) is
below its safety stock is suggested — a safety stock of 0 too, when backorders
take it below 0 — with the orders waiting for it named, and a quantity that
covers the backorder. ``check_stock`` runs after every test."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from catalog.tests.factories import ProductFactory
from sales.tests.factories import confirmed

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def ledger_stays_true():
    yield
    call_command("check_stock")


def test_the_page_names_the_backorder_and_its_orders(owner_client, owner):
    umbrella = ProductFactory(name="雨伞", unit="把", safety_stock=D("0"))
    order = confirmed(owner, [(umbrella, "5")], on_shortage="backorder")
    page = owner_client.get("/reports/reorder/").content.decode()
    assert "雨伞" in page
    link = f'<a href="/sales/orders/{order.pk}/">{order.number}</a>'
    assert f"欠货 5 把 ({link} 5)" in page
    assert f'name="quantity_{umbrella.pk}" value="5"' in page
    sheet = openpyxl.load_workbook(
        io.BytesIO(owner_client.get("/reports/reorder/?format=xlsx").content)
    ).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert f"{order.number} 5" in values


def test_the_page_reads_in_a_fixed_number_of_queries_with_backorders(
    owner_client, owner, count_queries
):
    def count():
        return count_queries(owner_client, "/reports/reorder/")

    confirmed(owner, [(ProductFactory(), "5")], on_shortage="backorder")
    few = count()
    for _ in range(5):
        confirmed(
            owner,
            [(ProductFactory(), "3"), (ProductFactory(), "2")],
            on_shortage="backorder",
        )
    assert count() == few

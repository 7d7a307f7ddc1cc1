"""Reports of a chain: the summary and turnover filtered by shop, and the shops
side by side (sales, stock value, turnover per shop)."""

from decimal import Decimal as D

import pytest
from django.test import Client

from accounts.tests.factories import StaffFactory
from catalog.models import Shop, Warehouse
from catalog.tests.factories import ProductFactory, ShopFactory, WarehouseFactory
from inventory.tests.factories import receive
from reports import selectors
from reports.forms import this_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(owner):
    second = ShopFactory(code="S02", name="二店")
    other = WarehouseFactory(code="B1", name="二店仓", shop=second)
    clerk_b = StaffFactory(username="clerk_b")
    second.members.add(clerk_b)
    apple = ProductFactory(sku="SG001", name="苹果", sale_price=D("5"))
    pear = ProductFactory(sku="SG002", name="鸭梨", sale_price=D("4"))
    receive(
        apple, "10", "2", user=owner, warehouse=Warehouse.objects.get(is_default=True)
    )
    receive(pear, "8", "3", user=owner, warehouse=other)
    client = Client()
    client.force_login(clerk_b)
    sold = client.post(
        "/sales/retail/",
        {
            "warehouse": other.pk,
            "amount_received": "8",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": "SG002",
            "lines-0-quantity": "2",
            "lines-0-unit_price": "",
            "lines-0-discount": "",
        },
    )
    assert sold.status_code == 302
    return {"first": Shop.objects.get(code="S01"), "second": second, "other": other}


def test_the_summary_filters_by_shop(owner_client, chain):
    month = f"month={this_month()[0]:%Y-%m}"
    whole = owner_client.get(f"/reports/summary/?{month}").content.decode()
    assert "SG001" in whole and "SG002" in whole
    second = owner_client.get(
        f"/reports/summary/?{month}&shop={chain['second'].pk}"
    ).content.decode()
    assert "SG002" in second and "SG001" not in second
    first = owner_client.get(f"/reports/summary/?{month}&shop={chain['first'].pk}")
    assert "SG002" not in first.content.decode()
    assert "SG001" in first.content.decode()
    export = owner_client.get(
        f"/reports/summary/export/?{month}&shop={chain['second'].pk}"
    )
    assert export.status_code == 200


def test_turnover_filters_by_shop(owner_client, chain):
    page = owner_client.get(f"/reports/turnover/?shop={chain['first'].pk}")
    html = page.content.decode()
    assert 'name="shop"' in html
    assert "鸭梨" not in html and "苹果" in html


def test_the_shops_side_by_side(owner_client, chain):
    start, last = this_month()
    from datetime import timedelta

    rows = {
        row["name"]: row
        for row in selectors.shops_side_by_side(start=start, end=last + timedelta(1))
    }
    assert rows["二店"]["sales"] == D("8.00")
    assert rows["二店"]["cogs"] == D("6.00")
    assert rows["二店"]["stock_value"] == D("18.00")
    assert rows[chain["first"].name]["sales"] == 0
    assert rows[chain["first"].name]["stock_value"] == D("20.00")
    page = owner_client.get("/reports/shops/").content.decode()
    assert "二店" in page
    assert owner_client.get("/reports/shops/?format=xlsx").status_code == 200


def test_a_clerk_sees_no_shop_report(staff_client):
    assert staff_client.get("/reports/shops/").status_code == 403

"""Reports of a chain: the summary and turnover filtered by shop, and the shops
side by side (sales, stock value, turnover per shop)."""

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.test import Client

from accounts.tests.factories import StaffFactory
from catalog.models import Product, Shop, Warehouse
from catalog.tests.factories import ProductFactory, ShopFactory, WarehouseFactory
from counter.tests.factories import counter_sale
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


# --- every report filters by shop (the owner's filter; all shops when empty) ---------


@pytest.fixture
def both_sold(owner, owner_client, chain):
    """Apple sold in the first shop, pear in the second; the first shop also holds
    pears it never sold, the second kiwis it never sold."""
    main = Warehouse.objects.get(is_default=True)
    counter_sale(owner, [(Product.objects.get(sku="SG001"), "1")])  # paid in cash
    pear = chain["other"].levels.get().product
    receive(pear, "3", "3", user=owner, warehouse=main)
    kiwi = ProductFactory(sku="SG003", name="猕猴桃", sale_price=D("6"))
    receive(kiwi, "4", "1", user=owner, warehouse=chain["other"])
    return chain


def _names(response) -> str:
    """The report's table only (the shop select names shops, not products)."""
    table = response.context["table"]
    return " ".join(str(row.get(table.columns[0][0])) for row in table.rows)


def _sheet_text(content: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)


@pytest.mark.parametrize("by", ["product", "style", "category", "customer"])
def test_the_sales_analysis_filters_by_shop(owner_client, both_sold, by):
    first, second = both_sold["first"].pk, both_sold["second"].pk
    amounts, takings = {}, {}
    for shop in ("", first, second):
        page = owner_client.get("/reports/sales/", {"by": by, "shop": shop})
        assert page.status_code == 200
        amounts[shop] = sum(row["amount"] for row in page.context["table"].rows)
        assert page.context["comparison"]["now"]["amount"] == amounts[shop]
        takings[shop] = sum(row.net for row in page.context["takings"])
    assert amounts == {"": D("13"), first: D("5"), second: D("8")}
    # The counter took cash for the apple only (the pear was sold as a retail order).
    assert takings == {"": D("5"), first: D("5"), second: 0}
    if by in ("product", "style"):
        whole = _names(owner_client.get("/reports/sales/", {"by": by}))
        assert "苹果" in whole and "鸭梨" in whole
        mine = _names(owner_client.get("/reports/sales/", {"by": by, "shop": first}))
        assert "苹果" in mine and "鸭梨" not in mine
        export = owner_client.get(
            "/reports/sales/", {"by": by, "shop": second, "format": "xlsx"}
        )
        text = _sheet_text(export.content)
        assert "鸭梨" in text and "苹果" not in text
        assert "鸭梨" in _sheet_text(
            owner_client.get("/reports/sales/", {"by": by, "format": "xlsx"}).content
        )


def test_slow_movers_filter_by_shop(owner_client, both_sold):
    first, second = both_sold["first"].pk, both_sold["second"].pk

    def slow(**query):
        return _names(owner_client.get("/reports/slow/", query))

    # Pears sold in the second shop, but the first shop's pears never moved.
    assert "鸭梨" in slow(shop=first) and "苹果" not in slow(shop=first)
    assert "猕猴桃" not in slow(shop=first)
    assert "猕猴桃" in slow(shop=second) and "鸭梨" not in slow(shop=second)
    everywhere = slow()
    assert "猕猴桃" in everywhere and "鸭梨" not in everywhere
    assert "苹果" not in everywhere
    rows = owner_client.get("/reports/slow/", {"shop": first}).context["table"].rows
    assert [(row["on_hand"], row["value"]) for row in rows] == [(D("3"), D("9.00"))]
    export = owner_client.get("/reports/slow/", {"shop": second, "format": "xlsx"})
    text = _sheet_text(export.content)
    assert "猕猴桃" in text and "鸭梨" not in text


def test_reorder_suggestions_filter_by_shop(owner_client, both_sold):
    first, second = both_sold["first"].pk, both_sold["second"].pk
    Product.objects.filter(sku="SG001").update(safety_stock=D("5"))

    def suggested(**query):
        page = owner_client.get("/reports/reorder/", query)
        return {s.product.sku: s for s in page.context["suggestions"]}

    # 9 apples in the first shop, none in the second.
    assert "SG001" not in suggested() and "SG001" not in suggested(shop=first)
    apple = suggested(shop=second)["SG001"]
    assert apple.on_hand == 0 and apple.quantity >= 5
    page = owner_client.get("/reports/reorder/", {"shop": second})
    assert 'name="shop"' in page.content.decode()
    assert f"shop={second}" in page.content.decode()  # the export keeps the shop
    export = owner_client.get("/reports/reorder/", {"shop": second, "format": "xlsx"})
    assert "SG001" in _sheet_text(export.content)
    assert "SG001" not in _sheet_text(
        owner_client.get("/reports/reorder/", {"format": "xlsx"}).content
    )


def test_only_the_owner_filters_by_shop(both_sold):
    """A clerk's reorder page offers no shop filter, and ?shop= changes nothing."""
    Product.objects.filter(sku="SG001").update(safety_stock=D("5"))
    client = Client()
    client.force_login(StaffFactory(username="clerk_c"))
    page = client.get("/reports/reorder/", {"shop": both_sold["second"].pk})
    assert 'name="shop"' not in page.content.decode()
    assert "SG001" not in {s.product.sku for s in page.context["suggestions"]}


@pytest.mark.parametrize(
    "url", ["/reports/sales/", "/reports/slow/", "/reports/reorder/"]
)
def test_a_shop_filtered_report_reads_a_fixed_number_of_queries(
    owner_client, owner, both_sold, url, count_queries
):
    def count():
        return count_queries(owner_client, f"{url}?shop={both_sold['second'].pk}")

    few = count()
    for _ in range(5):
        product = ProductFactory(safety_stock=D("5"))
        receive(product, "1", "1", user=owner, warehouse=both_sold["other"])
    assert count() == few

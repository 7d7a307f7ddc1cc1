"""Sales by style (issue 19): the sales analysis sums a style's variants into one
row, a product without a style stands alone, returns are netted, and the Excel
export has the same rows."""

import io
from datetime import timedelta
from decimal import Decimal as D

import openpyxl
import pytest
from django.utils import timezone

from catalog import services as catalog
from catalog.tests.factories import ProductFactory, style_with
from inventory.tests.factories import receive
from reports import selectors
from sales import services as sales
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold(owner):
    """T100 圆领T恤: 2 红S at ¥59 + 3 黑M at ¥59, 1 黑M returned; a plain pen
    (no style): 4 at ¥2.50."""
    tee = style_with(code="T100", colours=("RD", "BK"), sizes=("S", "M"))
    catalog.style_variants_generate(style=tee)
    red_s = tee.variants.get(sku="T100-RD-S")
    black_m = tee.variants.get(sku="T100-BK-M")
    pen = ProductFactory(sku="WJ001", name="中性笔", sale_price=D("2.50"))
    for product in (red_s, black_m, pen):
        receive(product, "10", "20.00" if product != pen else "1.00", user=owner)
    shipment = ship(owner, confirmed(owner, [(red_s, "2"), (black_m, "3"), (pen, "4")]))
    line = shipment.lines.get(product=black_m)
    sales.sales_return_post(
        shipment=shipment,
        quantities={line.pk: D(1)},
        reason="尺码不合",
        occurred_at=timezone.now(),
        user=owner,
    )
    return tee, pen


def test_a_styles_variants_are_one_row_and_a_product_without_one_its_own(sold):
    today = timezone.localdate()
    rows = selectors.sales_ranking(
        start=today, end=today + timedelta(days=1), by="style"
    )
    by_name = {row["style_name"]: row for row in rows}
    assert set(by_name) == {"T100 圆领T恤", "WJ001 中性笔"}
    tee = by_name["T100 圆领T恤"]
    assert tee["quantity"] == D(4)  # 2 + 3 − 1 returned
    assert tee["amount"] == D("236.00")
    assert tee["cost"] == D("80.00") and tee["profit"] == D("156.00")
    pen = by_name["WJ001 中性笔"]
    assert (pen["quantity"], pen["amount"]) == (D(4), D("10.00"))
    assert [row["style_name"] for row in rows] == ["T100 圆领T恤", "WJ001 中性笔"]


def test_two_products_without_a_style_are_two_rows(owner):
    a = ProductFactory(sku="A1", name="同名")
    b = ProductFactory(sku="B1", name="同名")
    for product in (a, b):
        receive(product, "5", "1", user=owner)
    ship(owner, confirmed(owner, [(a, "1"), (b, "2")]))
    today = timezone.localdate()
    rows = selectors.sales_ranking(
        start=today, end=today + timedelta(days=1), by="style"
    )
    assert sorted(row["style_name"] for row in rows) == ["A1 同名", "B1 同名"]


def test_the_page_and_the_excel_group_by_style(owner_client, sold):
    today = timezone.localdate().isoformat()
    query = {"start": today, "end": today, "by": "style"}
    html = owner_client.get("/reports/sales/", query).content.decode()
    assert "T100 圆领T恤" in html and "WJ001 中性笔" in html
    assert "T100-RD-S" not in html
    content = owner_client.get("/reports/sales/", {**query, "format": "xlsx"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    names = [row[0] for row in values]
    assert "T100 圆领T恤" in names and "WJ001 中性笔" in names
    tee_row = values[names.index("T100 圆领T恤")]
    assert D(str(tee_row[1])) == D(4) and D(str(tee_row[2])) == D("236")


def test_the_style_grouping_query_count_does_not_grow(owner_client, owner, sold):
    today = timezone.localdate().isoformat()
    url = f"/reports/sales/?start={today}&end={today}&by=style"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        owner_client.get(url)
    more = style_with(code="T200", colours=("RD",), sizes=("S", "M"))
    catalog.style_variants_generate(style=more)
    for variant in more.variants.all():
        receive(variant, "3", "10", user=owner)
        ship(owner, confirmed(owner, [(variant, "1")]))
    with CaptureQueriesContext(connection) as many:
        owner_client.get(url)
    assert len(many) == len(few)

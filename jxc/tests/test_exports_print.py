"""Every Excel export opens and prints right (issue 20): opened with openpyxl as
a spreadsheet program would, each file has the title row "店名 · 报表名 · 期间",
prints landscape one page wide with its header row on every page, shows whole
quantities without a decimal point and shares as 0.0 %, and draws its chart of
the top 15 by value with one series, no legend and both axes."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from accounts.tests.factories import OwnerFactory
from catalog.models import ShopProfile
from catalog.tests.factories import ProductFactory
from jxc.excel import NUMBER_FORMATS, PERCENT, QUANTITY, WHOLE_QUANTITY
from jxc.tests import permission_table as table
from jxc.tests import shop_world
from jxc.tests.test_permission_matrix import ROUTES, XLSX_TYPE, concrete
from reports.tests.test_reports import post

pytestmark = pytest.mark.django_db
SHOP = "好运水果店"
TEMPLATES = {
    "catalog:products_import_template",
    "catalog:suppliers_import_template",
    "catalog:customers_import_template",
    "catalog:variants_import_template",
    "inventory:opening_template",
}


def export_urls(world) -> list[tuple[str, str]]:
    """(url name, url) of every Excel file the shop makes, the owner's view."""
    urls = []
    for route in ROUTES:
        access = table.declared(route.name)
        if access.who not in (table.STAFF, table.OWNER):
            continue
        base = concrete(route, access, world)
        if access.get == table.XLSX:
            urls.append((route.name, base))
        urls += [
            (route.name, base + ("&" if "?" in base else "?") + query)
            for query in access.also
            if "format=xlsx" in query
        ]
    return urls


@pytest.fixture
def world():
    owner = OwnerFactory(username="boss")
    ShopProfile.objects.create(name=SHOP)
    return shop_world.build(owner)


def workbook(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == XLSX_TYPE, url
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_every_export_prints_one_page_wide_with_the_title_pattern(world, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="boss"))
    urls = export_urls(world)
    assert len(urls) >= 20  # lists, stock, stock card, every report
    for name, url in urls:
        book = workbook(client, url)
        for sheet in book.worksheets:
            where = f"{url} [{sheet.title}]"
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, where
            assert sheet.page_setup.fitToWidth == 1, where
            assert sheet.page_setup.fitToHeight == 0, where
            assert sheet.page_setup.orientation == "landscape", where
            assert sheet.print_title_rows, where
        main = book.worksheets[0]
        title = main["A1"].value
        if name in TEMPLATES:  # a form to fill in: headers first, no title
            assert main.freeze_panes == "A2", url
            continue
        parts = title.split(" · ")
        assert len(parts) == 3 and parts[0] == SHOP, f"{url}: {title!r}"
        assert parts[1] and parts[2][:4].isdigit(), f"{url}: {title!r}"
        assert main.freeze_panes == "A3", url
        for row in main.iter_rows(min_row=3):
            for cell in row:
                if cell.number_format in (
                    NUMBER_FORMATS[QUANTITY],
                    NUMBER_FORMATS[WHOLE_QUANTITY],
                ) and isinstance(cell.value, (int, float)):
                    whole = cell.value == int(cell.value)
                    wanted = NUMBER_FORMATS[WHOLE_QUANTITY if whole else QUANTITY]
                    assert cell.number_format == wanted, f"{url} {cell.coordinate}"


def test_the_stock_card_export_names_the_product(world, owner_client):
    response = owner_client.get(
        f"/inventory/card/{world['product']}/export/?start=2026-01-01&end=2026-12-31"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active

    assert (
        sheet["A1"].value
        == f"{SHOP} · 库存台账 SEC-A 测试商品甲 · 2026-01-01 – 2026-12-31"
    )
    assert "SEC-A" in sheet.title


def test_the_title_leaves_out_a_shop_without_a_name(owner_client):
    response = owner_client.get("/catalog/products/export/")
    title = openpyxl.load_workbook(io.BytesIO(response.content)).active["A1"].value

    assert title == f"商品 · {timezone.localdate():%Y-%m-%d}"


def at(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


def test_summary_chart_is_the_top_15_by_closing_value_one_series_axes_shown(
    owner, owner_client
):
    # SKUs P01..P20; the closing value grows as the SKU falls: the first 15 by
    # SKU (the old chart) are not the top 15 by value.
    for number in range(1, 21):
        product = ProductFactory(sku=f"P{number:02}", name=f"商品{number}", unit="件")
        post(product, str(number), "10.00", at(date(2026, 10, 5)), user=owner)
    response = owner_client.get("/reports/summary/export/", {"month": "2026-10"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    chart_sheet = book.worksheets[1]
    [chart] = chart_sheet._charts

    labels = [row[0] for row in chart_sheet.iter_rows(min_row=2, values_only=True)]
    values = [row[1] for row in chart_sheet.iter_rows(min_row=2, values_only=True)]
    assert labels == [f"P{n:02} 商品{n}" for n in range(20, 5, -1)]
    assert values == sorted(values, reverse=True) and values[0] == 200
    assert len(chart.series) == 1
    assert chart.series[0].val.numRef.f.endswith("$B$2:$B$16")
    assert chart.legend is None
    assert chart.x_axis.delete is False and chart.y_axis.delete is False
    summary = book.worksheets[0]
    assert summary.cell(row=3, column=6).value == 1  # P01 receipts: 1 件
    assert summary.cell(row=3, column=6).number_format == "#,##0"
    totals = [c.value for c in summary[summary.max_row]]
    assert totals[0] == "合计金额"
    assert totals[5] is None  # 1 + 2 + … 件 of different products: not added
    assert totals[6] == 2100  # receipts value: 10 × (1 + … + 20)


def test_sales_analysis_shares_are_percent_cells_and_charted(owner, owner_client):
    from sales.tests.factories import confirmed, ship

    apple = ProductFactory(sku="SG001", name="苹果", sale_price=Decimal("30"))
    pear = ProductFactory(sku="SG002", name="梨", sale_price=Decimal("10"))
    post(apple, "10", "5.00", at(timezone.localdate()), user=owner)
    post(pear, "10", "5.00", at(timezone.localdate()), user=owner)
    ship(owner, confirmed(owner, [(apple, "1"), (pear, "1")]))

    response = owner_client.get("/reports/sales/?format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[2]]
    share = sheet.cell(row=3, column=header.index("占比") + 1)

    assert share.number_format == NUMBER_FORMATS[PERCENT]
    assert share.value == pytest.approx(0.75)
    [chart] = book.worksheets[1]._charts
    assert chart.legend is None and len(chart.series) == 1

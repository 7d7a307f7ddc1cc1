"""The owner opens the monthly summary and downloads its Excel file."""

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog import services as catalog_services
from inventory.tests.factories import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_opens_the_summary_and_downloads_it(
    signed_in_owner, live_server, tmp_path
):
    from accounts.tests.factories import OwnerFactory

    page = signed_in_owner
    apple = catalog_services.product_save(data={"sku": "SG001", "name": "红富士苹果"})
    receive(apple, "30", "4.00", user=OwnerFactory(username="setup"))
    page.goto(live_server.url + "/")
    page.locator("#nav-reports").click()
    page.get_by_role("link", name="进销存汇总表").click()
    # It opens on last month (not closed yet); the receipt is this month's.
    this_month = f"{timezone.localdate():%Y-%m}"
    expect(page.locator("#id_month")).not_to_have_value(this_month)
    page.locator("#id_month").fill(this_month)
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#summary-table")).to_contain_text("红富士苹果")
    expect(page.locator("#summary-totals")).to_contain_text("¥120.00")
    with page.expect_download() as download:
        page.locator("#summary-export").click()
    assert download.value.suggested_filename.startswith("进销存汇总_")
    path = tmp_path / "summary.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A3"].value == "SG001"


def test_owner_pages_through_turnover_at_laptop_and_phone_width(
    signed_in_owner, live_server
):
    """Turnover shows 100 products a page (10,000 rows were 2.6 MB of HTML) and
    does not scroll sideways on a phone."""
    from decimal import Decimal
    from pathlib import Path

    from django.utils import timezone

    from accounts.tests.factories import OwnerFactory
    from catalog.models import Warehouse
    from catalog.tests.factories import ProductFactory
    from inventory.services import MoveLine, stock_moves_post

    page = signed_in_owner
    main = Warehouse.objects.get(is_default=True)
    products = ProductFactory.create_batch(105)
    stock_moves_post(
        lines=[MoveLine(p.pk, main.pk, Decimal(2), Decimal("1.50")) for p in products],
        kind="receipt",
        source=None,
        occurred_at=timezone.now(),
        user=OwnerFactory(username="setup"),
    )
    page.goto(live_server.url + "/reports/turnover/")
    expect(page.locator("#report-table tbody tr")).to_have_count(100)
    expect(page.locator(".pagination")).to_contain_text("1 / 2")
    screens = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.screenshot(path=str(screens / f"turnover-{width}.png"), full_page=False)
        wide = page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert wide <= 0, f"turnover scrolls sideways at {width} px"
    page.get_by_role("link", name="下一页").click()
    expect(page.locator("#report-table tbody tr")).to_have_count(5)


def test_owner_selects_none_then_some_reorder_rows_and_drafts_them_at_once(
    signed_in_owner, live_server
):
    from catalog.models import Supplier
    from purchasing.models import PurchaseOrder

    supplier = catalog_services.party_save(
        model=Supplier, data={"code": "GYS001", "name": "南方果业"}
    )
    for sku, name in (("SG001", "苹果"), ("SG002", "香蕉"), ("SG003", "橙子")):
        catalog_services.product_save(
            data={
                "sku": sku,
                "name": name,
                "safety_stock": "10",
                "purchase_price": "3.00",
                "preferred_supplier": supplier,
            }
        )
    page = signed_in_owner
    page.goto(live_server.url + "/reports/reorder/")
    boxes = page.locator("#reorder-table input[type=checkbox]")
    expect(boxes).to_have_count(3)

    page.locator("#select-none").click()
    for index in range(3):
        expect(boxes.nth(index)).not_to_be_checked()
    page.locator("#select-all").click()
    for index in range(3):
        expect(boxes.nth(index)).to_be_checked()
    page.locator("#select-none").click()
    boxes.nth(0).check()
    boxes.nth(2).check()
    page.locator("#make-orders").click()

    expect(page.locator(".alert-success")).to_contain_text("PO-")
    [order] = PurchaseOrder.objects.all()
    assert sorted(order.lines.values_list("product__sku", flat=True)) == [
        "SG001",
        "SG003",
    ]


def test_the_owner_filters_reorder_suggestions_by_shop(
    signed_in_owner, live_server, tmp_path
):
    """The shop filter in the drawer: the second shop has no apples, so its
    suggestions name them; nothing scrolls sideways on a phone."""
    from accounts.tests.factories import OwnerFactory
    from catalog.models import Warehouse
    from catalog.tests.factories import ShopFactory, WarehouseFactory

    setup = OwnerFactory(username="setup2")
    second = ShopFactory(code="S02", name="二店")
    WarehouseFactory(code="B1", name="二店仓", shop=second)
    apple = catalog_services.product_save(
        data={"sku": "SG001", "name": "红富士苹果", "safety_stock": "5"}
    )
    receive(
        apple,
        "30",
        "4.00",
        user=setup,
        warehouse=Warehouse.objects.get(is_default=True),
    )
    page = signed_in_owner
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + "/reports/reorder/")
    expect(page.locator("#reorder-table")).to_have_count(0)
    page.locator("#id_shop").select_option(label="二店")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#reorder-table")).to_contain_text("红富士苹果")
    page.screenshot(path=str(tmp_path / "reorder-shop-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 800})
    page.locator(".filter-drawer > summary").click()  # a phone folds the filters
    expect(page.locator("#id_shop")).to_be_visible()
    page.screenshot(path=str(tmp_path / "reorder-shop-390.png"), full_page=True)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )

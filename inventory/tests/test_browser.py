"""An owner runs a stocktake with one difference and sees it on the stock card."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import OwnerFactory
from catalog import services as catalog_services
from inventory.tests.factories import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_counts_one_difference_and_the_stock_card_shows_it(
    signed_in_owner, live_server
):
    page = signed_in_owner
    clerk = OwnerFactory(username="setup")
    apple = catalog_services.product_save(
        data={"sku": "SG001", "name": "红富士苹果", "unit": "斤"}
    )
    pen = catalog_services.product_save(data={"sku": "WJ001", "name": "中性笔"})
    receive(apple, "30", "4.00", user=clerk)
    receive(pen, "12", "1.10", user=clerk)

    page.goto(live_server.url + "/inventory/stocktakes/")
    page.get_by_role("link", name="开始盘点").first.click()
    page.get_by_role("button", name="生成盘点表").click()
    expect(page.locator("#document-status")).to_have_text("盘点中")

    page.get_by_label("红富士苹果 的实盘数量").fill("28")
    page.get_by_label("中性笔 的实盘数量").fill("12")
    page.locator("#save-and-review").click()
    row = page.locator("#review tr[data-line] >> nth=0")
    expect(row).to_contain_text("红富士苹果")
    expect(row.locator("td.num").nth(4)).to_have_text("-2")

    page.locator("#post-stocktake").click()
    expect(page.locator("#document-status")).to_have_text("已过账")

    page.goto(live_server.url + f"/inventory/card/{apple.pk}/")
    last = page.locator("#stock-card tbody tr").last
    expect(last).to_contain_text("盘点")
    expect(last).to_contain_text(re.compile(r"\b2\b"))
    expect(last).to_contain_text("28")


def test_a_clerk_counts_by_scanning_and_every_scan_is_saved(
    signed_in_staff, live_server
):
    from catalog.models import Warehouse
    from inventory import documents
    from inventory.models import Stocktake

    page = signed_in_staff
    boss = OwnerFactory(username="setup")
    apple = catalog_services.product_save(
        data={
            "sku": "SG001",
            "name": "红富士苹果",
            "unit": "斤",
            "barcode": "6901234567890",
        }
    )
    pen = catalog_services.product_save(data={"sku": "WJ001", "name": "中性笔"})
    receive(apple, "30", "4.00", user=boss)
    receive(pen, "12", "1.10", user=boss)
    stocktake = documents.stocktake_start(
        warehouse=Warehouse.objects.get(is_default=True),
        categories=[],
        note="",
        user=boss,
        blind=True,
    )

    page.goto(live_server.url + f"/inventory/stocktakes/{stocktake.pk}/")
    scan = page.locator("#id_code")
    expect(scan).to_be_focused()
    expect(page.locator("#count-sheet")).not_to_contain_text("30")
    apple_count = page.get_by_label("红富士苹果 的实盘数量")
    for _ in range(3):
        scan.fill("6901234567890")
        scan.press("Enter")  # a scanner types the code and presses Enter
        expect(scan).to_have_value("")
    expect(apple_count).to_have_value("3")
    expect(page.locator("#scan-result")).to_have_text("红富士苹果：实盘 3 斤")
    scan.fill("wj001*11")
    scan.press("Enter")
    expect(page.get_by_label("中性笔 的实盘数量")).to_have_value("11")
    scan.fill("123")
    scan.press("Enter")
    expect(page.locator("#scan-result")).to_contain_text("没有条码或编码为“123”")
    expect(scan).to_be_focused()

    page.reload()  # every scan was saved on the server as it was made
    expect(apple_count).to_have_value("3")
    line = stocktake.lines.get(product=apple)
    assert line.counted_quantity == 3 and line.counted_at is not None

    page.locator("#id_code").fill("SG001")
    page.locator("#id_code").press("Enter")
    expect(apple_count).to_have_value("4")
    apple_count.fill("27")  # the sheet saved after scans is not stale
    page.locator("#save-counts").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    assert Stocktake.objects.get().lines.get(product=apple).counted_quantity == 27

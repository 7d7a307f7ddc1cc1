"""A clerk sells by barcode at the counter, then confirms a short order as a
backorder."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import OwnerFactory
from catalog import services as catalog_services
from inventory.tests.factories import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_retail_sale_by_barcode_then_a_backorder(signed_in_staff, live_server):
    page = signed_in_staff
    pen = catalog_services.product_save(
        data={
            "sku": "WJ001",
            "name": "中性笔",
            "unit": "支",
            "barcode": "6922169890487",
            "sale_price": "2.50",
        }
    )
    pc = catalog_services.product_save(
        data={"sku": "PC01", "name": "电脑", "unit": "台", "sale_price": "3000"}
    )
    setup = OwnerFactory(username="setup")
    receive(pen, "50", "1.10", user=setup)
    receive(pc, "15", "2000", user=setup)

    # The counter sale itself: counter/tests/test_browser.py.
    page.goto(live_server.url + "/sales/retail/")
    expect(page).to_have_url(live_server.url + "/counter/")

    page.goto(live_server.url + "/sales/orders/new/")
    page.locator("#id_lines-0-product").fill("PC01")
    page.locator("#id_lines-0-quantity").fill("20")
    page.locator("#id_lines-0-quantity").press("Tab")
    expect(page.locator("#lines .availability").first).to_contain_text("可用 15 台")
    page.locator("#post-document").click()
    page.locator("#confirm-order").click()
    expect(page.locator("#shortage-panel")).to_contain_text("电脑")
    expect(page.locator("#shortage-panel tbody tr td").nth(3)).to_have_text("5")
    page.locator("#backorder").click()
    expect(page.locator("#order-status")).to_have_text("已确认")
    expect(page.locator("#order-lines")).to_contain_text("欠货")

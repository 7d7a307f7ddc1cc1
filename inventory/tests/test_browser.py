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
    expect(page.locator("#review")).to_contain_text("30 → 28")

    page.locator("#post-stocktake").click()
    expect(page.locator("#document-status")).to_have_text("已过账")

    page.goto(live_server.url + f"/inventory/card/{apple.pk}/")
    last = page.locator("#stock-card tbody tr").last
    expect(last).to_contain_text("盘点")
    expect(last).to_contain_text(re.compile(r"\b2\b"))
    expect(last).to_contain_text("28")

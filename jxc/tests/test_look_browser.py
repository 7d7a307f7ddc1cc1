"""The shared look in a real browser: the product list's header row stays in sight
while the page scrolls, and its filters fold into 筛选 on a phone only."""

import pytest
from playwright.sync_api import expect

from catalog.tests.factories import ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_header_row_sticks_and_the_filters_fold_on_a_phone(
    signed_in_owner, live_server
):
    page = signed_in_owner
    for n in range(40):
        ProductFactory(sku=f"P{n:03d}", name=f"商品{n:03d}")
    page.set_viewport_size({"width": 1366, "height": 600})
    page.goto(live_server.url + "/catalog/products/")
    drawer = page.locator(".filter-drawer")
    expect(drawer.locator("summary")).to_be_hidden()
    expect(drawer.locator("input[name=q]")).to_be_visible()
    page.mouse.wheel(0, 1200)
    page.wait_for_timeout(300)
    top = page.evaluate(
        "document.querySelector('#product-table thead th').getBoundingClientRect().top"
    )
    assert abs(top) < 1

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/catalog/products/?active=1")
    summary = drawer.locator("summary")
    expect(summary).to_be_visible()
    expect(summary.locator(".filter-count")).to_have_text("1")
    expect(drawer.locator("input[name=q]")).to_be_hidden()
    summary.click()
    page.locator("main input[name=q]").fill("P039")
    page.locator("main input[name=q]").press("Enter")
    expect(page.locator("#product-table tbody tr")).to_have_count(1)

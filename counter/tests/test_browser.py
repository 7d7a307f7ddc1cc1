"""In a real Chromium: the auto-printed slip, a return by the slip's number and the
shift close, under the Content-Security-Policy, on a desktop and a phone."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, StaffFactory
from catalog.models import ShopProfile
from catalog.tests.factories import ProductFactory
from counter.models import CounterSettings
from counter.tests.factories import counter_sale
from inventory.models import StockLevel
from inventory.tests.factories import receive
from jxc.tests.test_csp_browser import watched  # noqa: F401 - a fixture
from sales.models import SalesReturn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal
NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


def _sign_in(page, live_server, username):
    page.goto(live_server.url + "/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-button").click()
    page.wait_for_url(live_server.url + "/")


def test_slip_return_by_its_number_and_shift_close(watched, live_server):  # noqa: F811
    page = watched
    clerk = StaffFactory(username="xiaowang", first_name="小王")
    ShopProfile.objects.create(pk=1, name="阳光水果店", slip_footer="多谢光临")
    CounterSettings.objects.create(pk=1, opening_float=D("100"))
    apple = ProductFactory(name="红富士苹果", unit="斤", sale_price=D("6.80"))
    receive(apple, "20", "4", user=clerk)
    sale = counter_sale(
        clerk, [(apple, "2.5")], payments=[("wechat", "7.00"), ("cash", "10.00", "20")]
    )
    page.add_init_script("window.print = () => { window.__printed = 1; };")
    _sign_in(page, live_server, "xiaowang")

    # The slip the counter opens after a sale: printed at once, barcode drawn.
    page.goto(f"{live_server.url}/counter/slip/{sale.pk}/?print=1")
    expect(page.locator("#slip-shop")).to_have_text("阳光水果店")
    expect(page.locator("#slip-total")).to_have_text("¥17.00")
    expect(page.locator("#slip-change")).to_have_text("¥10.00")
    expect(page.locator("#slip-footer")).to_have_text("多谢光临")
    page.wait_for_function("window.__printed === 1")
    box = page.locator("svg.slip-barcode").bounding_box()
    assert 100 < box["width"] <= 290, box
    assert page.check_csp("slip") == []

    # A return: the slip's number scanned into the box opens the sale.
    page.goto(f"{live_server.url}/counter/return/")
    page.locator("#id_number").fill(sale.number)
    page.locator("#id_number").press("Enter")
    expect(page.locator("#return-sale")).to_contain_text(sale.number)
    line = sale.shipments.get().lines.get()
    page.locator(f"#id_return_{line.pk}").fill("1")
    page.locator("#post-counter-return").click()
    expect(page.locator(".alert-success")).to_contain_text("现金 ¥6.80")
    assert page.check_csp("return") == []
    document = SalesReturn.objects.get()
    assert [(r.method, r.amount) for r in document.refunds.all()] == [
        ("cash", D("-6.80"))
    ]
    assert StockLevel.objects.get(product=apple).on_hand == D("18.5")

    # The shift: 100 float + 10 cash − 6.80 refunded = 103.20 expected.
    page.goto(f"{live_server.url}/counter/shift/")
    expect(page.locator("#shift-expected")).to_have_text("¥103.20")
    expect(page.locator("#id_counted_cash")).to_be_focused()
    page.locator("#id_counted_cash").fill("103")
    page.locator("#close-shift").click()
    expect(page.locator("#shift-status")).to_contain_text("已交班")
    expect(page.locator("#shift-difference")).to_have_text("-¥0.20")
    assert page.check_csp("shift") == []

    # On a phone nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 800})
    for path in (
        f"/counter/return/?number={sale.number}",
        "/counter/shift/",
        "/counter/shifts/",
        f"/counter/slip/{sale.pk}/",
    ):
        page.goto(live_server.url + path)
        assert page.evaluate(NO_SIDEWAYS), path

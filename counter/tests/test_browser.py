"""At the counter, in Chromium: a 3-item sale by barcode and a name search, split
payment with change, the slip opened after posting, a parked sale resumed; on a
desktop and on a phone."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, OwnerFactory, StaffFactory
from catalog import services as catalog_services
from catalog.models import ShopProfile
from catalog.tests.factories import ProductFactory
from counter.models import CounterSettings
from counter.tests.factories import counter_sale
from inventory.models import StockLevel
from inventory.tests.factories import receive
from jxc.tests.test_csp_browser import watched  # noqa: F401 - a fixture
from sales.models import SalesOrder, SalesReturn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def stock():
    setup = OwnerFactory(username="setup")
    made = []
    for sku, name, barcode, price in [
        ("WJ001", "中性笔", "6922169890487", "2.50"),
        ("WJ002", "笔记本", "6922169890488", "12.80"),
        ("SP001", "矿泉水", "6922169890489", "2.00"),
    ]:
        product = catalog_services.product_save(
            data={
                "sku": sku,
                "name": name,
                "unit": "件",
                "barcode": barcode,
                "sale_price": price,
            }
        )
        receive(product, "20", "1.00", user=setup)
        made.append(product)
    return made


@pytest.mark.parametrize("width", [1366, 390])
def test_a_sale_split_paid_with_change_then_parked_and_resumed(
    signed_in_staff, live_server, width
):
    page = signed_in_staff
    page.set_viewport_size({"width": width, "height": 800})
    pen, notebook, _water = stock()
    CounterSettings.objects.create(pk=1, auto_print=True)
    page.goto(live_server.url + "/counter/")
    scan = page.locator("#scan-box")
    expect(scan).to_be_focused()
    # The camera button only where the browser can read barcodes itself.
    camera = page.locator("#camera-button")
    if page.evaluate("'BarcodeDetector' in window"):
        expect(camera).to_be_visible()
    else:
        expect(camera).to_be_hidden()
    scan.fill("6922169890487")
    scan.press("Enter")
    expect(page.locator("#counter-lines")).to_contain_text("中性笔")
    expect(scan).to_be_focused()
    page.keyboard.type("6922169890487")  # again: 2 pens
    page.keyboard.press("Enter")
    expect(page.locator(f"#qty-{pen.pk}")).to_have_value("2")
    page.keyboard.type("6922169890488")
    page.keyboard.press("Enter")
    expect(page.locator("#counter-lines")).to_contain_text("笔记本")
    page.keyboard.press("+")  # the notebook, scanned last: 2
    expect(page.locator(f"#qty-{notebook.pk}")).to_have_value("2")
    page.keyboard.type("kqs")  # 矿泉水 by its pinyin initials
    page.keyboard.press("Enter")
    expect(page.locator("#matches")).to_contain_text("矿泉水")
    page.keyboard.press("Enter")  # the first match has focus
    expect(page.locator("#counter-lines")).to_contain_text("矿泉水")
    expect(page.locator("#counter-total")).to_have_text("¥32.60")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    expect(scan).to_be_focused()

    page.keyboard.press("Enter")  # an empty scan box: pay
    cash = page.locator("#id_cash")
    expect(cash).to_be_focused()
    expect(cash).to_have_value("32.60")
    page.locator("#id_wechat").fill("20")
    expect(cash).to_have_value("12.60")
    page.locator("[data-quick='50']").click()
    expect(page.locator("#pay-due")).to_contain_text("找零")
    expect(page.locator("#due-amount")).to_have_text("¥37.40")
    page.keyboard.press("F9")
    expect(page.locator("#last-change")).to_have_text("¥37.40")
    expect(page.locator("#last-total")).to_have_text("¥32.60")
    order = SalesOrder.objects.get()
    assert sorted(order.payments.values_list("method", "amount")) == [
        ("cash", order.total - 20),
        ("wechat", 20),
    ]
    frame = page.locator("#slip-frame")
    expect(frame).to_have_attribute("src", f"/counter/slip/{order.pk}/")
    expect(page.frame_locator("#slip-frame").locator("body")).to_contain_text("中性笔")
    expect(scan).to_be_focused()

    # 挂单: a customer went to fetch something; the next one is served meanwhile.
    page.keyboard.type("6922169890489")
    page.keyboard.press("Enter")
    expect(page.locator("#last-sale")).to_have_count(0)
    page.locator("#hold-sale").click()
    expect(page.locator("#counter-notice")).to_contain_text("已挂单")
    expect(page.locator("#counter-lines")).to_have_count(0)
    expect(page.locator("#held-count")).to_have_text("1")
    page.locator("#show-held").click()
    page.locator("#held-list .held-sale").first.click()
    expect(page.locator("#counter-lines")).to_contain_text("矿泉水")
    expect(page.locator("#counter-total")).to_have_text("¥2.00")
    expect(page.locator("#held-count")).to_have_text("0")
    expect(page.locator("#held-list")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


# --- c2's tests ----------------------------------------------------------------------
# In a real Chromium: the auto-printed slip, a return by the slip's number and the
# shift close, under the Content-Security-Policy, on a desktop and a phone.
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


@pytest.mark.parametrize("width", [1366, 390])
def test_a_scale_label_adds_the_weighed_line(signed_in_staff, live_server, width):
    """条码秤: a label printed by the scale (prefix 2, PLU, weight in grams) adds the
    weighed line — 1.235 kg of apples at ¥8.80 — beside a product scanned by its
    own barcode."""
    from counter.scale import example_label

    page = signed_in_staff
    page.set_viewport_size({"width": width, "height": 800})
    pen, _notebook, _water = stock()
    setup = OwnerFactory(username="scale")
    apples = ProductFactory(
        name="红富士苹果", unit="公斤", sale_price="8.80", plu="123"
    )
    receive(apples, "30", "4.00", user=setup)
    CounterSettings.objects.create(pk=1, auto_print=False, scale_prefix="2")
    page.goto(live_server.url + "/counter/")
    scan = page.locator("#scan-box")
    scan.fill(pen.barcode)
    scan.press("Enter")
    expect(page.locator("#counter-lines")).to_contain_text("中性笔")
    page.keyboard.type(example_label("2", "123", 1235))
    page.keyboard.press("Enter")
    expect(page.locator("#counter-lines")).to_contain_text("红富士苹果")
    expect(page.locator(f"#qty-{apples.pk}")).to_have_value("1.235")
    # 1.235 × 8.80 = 10.868 → ¥10.87, and the pen's ¥2.50.
    expect(page.locator("#counter-total")).to_have_text("¥13.37")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

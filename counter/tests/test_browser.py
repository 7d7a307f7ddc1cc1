"""At the counter, in Chromium: a 3-item sale by barcode and a name search, split
payment with change, the slip opened after posting, a parked sale resumed; on a
desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import OwnerFactory
from catalog import services as catalog_services
from counter.models import CounterSettings
from inventory.tests.factories import receive
from sales.models import SalesOrder

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
    expect(frame).to_have_attribute("src", f"/counter/sales/{order.pk}/slip/")
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

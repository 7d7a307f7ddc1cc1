"""An owner prints labels for what a receipt brought in, and the box labels of a
product, at desktop and phone width (issue 19)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog import services
from catalog.tests.factories import ProductFactory
from conftest import ARTIFACTS
from purchasing.tests.factories import ordered, received

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_receipt_and_box_labels(signed_in_owner, live_server, width):
    from django.contrib.auth import get_user_model

    page = signed_in_owner
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    owner = get_user_model().objects.get(username="boss")
    cola = ProductFactory(
        name="可乐", unit="瓶", barcode="6901234567892", sale_price=Decimal("3.00")
    )
    services.package_units_save(
        product=cola,
        rows=[
            {
                "pk": None,
                "name": "箱",
                "factor": Decimal(24),
                "barcode": "6909999999996",
                "sale_price": Decimal("60.00"),
            }
        ],
    )
    apple = ProductFactory(name="红富士苹果", unit="斤", sale_price=Decimal("6.80"))
    order = ordered(owner, [(cola, "48", "1.20"), (apple, "10", "4")])
    receipt = received(owner, order, [(cola, "48"), (apple, "7.5")])

    page.goto(f"{live_server.url}/purchasing/receipts/{receipt.pk}/")
    page.locator("#receipt-labels").click()
    expect(page.locator(f"#id_n_{cola.pk}")).to_have_value("48")
    expect(page.locator(f"#id_n_{apple.pk}")).to_have_value("8")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=ARTIFACTS / f"labels-receipt-{width}.png", full_page=True)

    box = cola.package_units.get()
    page.goto(f"{live_server.url}/catalog/products/{cola.pk}/")
    page.locator(f"a[href='/catalog/labels/?unit={box.pk}']").click()
    expect(page.locator("#label-table")).to_contain_text("6909999999996")
    expect(page.locator("#label-table")).to_contain_text("¥60.00/箱")
    page.locator(f"#id_u_{box.pk}").fill("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=ARTIFACTS / f"labels-box-{width}.png", full_page=True)
    with page.expect_popup() as popup:
        page.locator("#print-labels").click()
    sheet = popup.value
    expect(sheet.locator(".label")).to_have_count(2)
    expect(sheet.locator(".label-price").first).to_contain_text("¥60.00")
    sheet.screenshot(path=ARTIFACTS / f"labels-box-print-{width}.png", full_page=True)

"""A clerk picks a customer by typing its pinyin (suggestions appear), saves the
order, then filters the sales list the same way; and a purchase order takes its
supplier from the picker. Screenshots at a laptop's and a phone's width."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalog import services as catalog_services
from catalog.models import Customer
from catalog.tests.factories import CustomerFactory, SupplierFactory
from sales.models import SalesOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"


def shoot(page, name):
    """A full-page screenshot at 1366 and at 390 px; nothing scrolls sideways."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
        wide = page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert wide <= 0, f"{name} scrolls sideways at {width} px"


def test_customer_and_supplier_pickers(signed_in_staff, live_server):
    page = signed_in_staff
    catalog_services.product_save(
        data={"sku": "PC01", "name": "电脑", "unit": "台", "sale_price": "3000"}
    )
    for n in range(30):
        CustomerFactory(name=f"散客{n:02d}")
    catalog_services.party_save(
        model=Customer, party=None, data={"code": "C-WANG", "name": "王记超市"}
    )
    SupplierFactory(code="S-ONE", name="一号供应商")

    page.goto(live_server.url + "/sales/orders/new/")
    customer = page.get_by_label("客户")
    expect(customer).to_have_value("RETAIL 零售客户")  # the walk-in by default
    customer.fill("wjcs")
    expect(page.locator("#customer-options option")).to_have_count(1)
    expect(page.locator("#customer-options option")).to_have_attribute(
        "value", "C-WANG 王记超市"
    )
    shoot(page, "picker-sales-order")
    customer.fill("C-WANG 王记超市")  # what choosing the suggestion fills in
    page.locator("#id_lines-0-product").fill("PC01")
    page.locator("#id_lines-0-quantity").fill("1")
    page.locator("#post-document").click()
    expect(page.locator(".alert-success")).to_be_visible()
    order = SalesOrder.objects.get()
    assert order.customer.code == "C-WANG"

    # The list filter: several matches are refused with the reason shown.
    page.goto(live_server.url + "/sales/")
    page.locator(".filter-drawer > summary").click()  # a phone folds the filters
    page.get_by_label("客户").fill("散客")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator(".filters .invalid-feedback")).to_contain_text("有多个客户")
    shoot(page, "picker-sales-list-refused")
    page.get_by_label("客户").fill("王记")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#document-table")).to_contain_text(order.number)
    shoot(page, "picker-sales-list-found")

    page.goto(live_server.url + "/purchasing/orders/new/")
    supplier = page.get_by_label("供应商")
    supplier.fill("一号")
    expect(page.locator("#supplier-options option")).to_have_count(1)
    shoot(page, "picker-purchase-order")

"""Issue 20 in the browser, at a laptop's and a phone's width: a clerk picks the
customer by pinyin, types a line and ships the order with 确认并发货 (the
shipment form opens filled in); a short order's panel opens a purchase order
prefilled for the preferred supplier, where Enter after a product moves to the
quantity, and 保存并下单 places it."""

import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalog import services as catalog_services
from catalog.models import Customer, Supplier
from inventory.tests.factories import receive
from purchasing.models import OrderStatus as PurchaseStatus
from purchasing.models import PurchaseOrder
from sales.models import OrderStatus, SalesOrder, Shipment

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
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def shop(owner):
    supplier = catalog_services.party_save(
        model=Supplier, party=None, data={"code": "S-PC", "name": "电脑批发"}
    )
    pc = catalog_services.product_save(
        data={
            "sku": "PC01",
            "name": "电脑",
            "unit": "台",
            "sale_price": "3000",
            "purchase_price": "2000",
            "preferred_supplier": supplier,
        }
    )
    receive(pc, "3", "2000", user=owner)
    catalog_services.product_save(
        data={"sku": "MS01", "name": "鼠标", "unit": "个", "purchase_price": "20"}
    )
    catalog_services.party_save(
        model=Customer, party=None, data={"code": "C-WANG", "name": "王记超市"}
    )
    return pc


@pytest.mark.parametrize("width", [1366, 390])
def test_confirm_and_ship_in_one_click(signed_in_staff, live_server, shop, width):
    page = signed_in_staff
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/sales/orders/new/")
    customer = page.get_by_label("客户")
    customer.fill("wjcs")
    expect(page.locator("#customer-options option")).to_have_attribute(
        "value", "C-WANG 王记超市"
    )
    customer.fill("C-WANG 王记超市")
    product = page.locator("#id_lines-0-product")
    product.fill("PC01")
    product.press("Enter")  # sales lines: a scan, quantity 1
    expect(page.locator("#id_lines-0-quantity")).to_have_value("1")
    page.locator("#id_lines-0-quantity").fill("2")
    expect(page.locator("#then-ship")).to_be_visible()
    if width == 1366:
        shoot(page, "one-click-sales-order")
    page.locator("#then-ship").click()
    expect(page.locator(".alert-success")).to_contain_text("已确认")
    order = SalesOrder.objects.get()
    assert order.status == OrderStatus.CONFIRMED
    expect(page).to_have_url(f"{live_server.url}/sales/shipments/new/?order={order.pk}")
    if width == 1366:
        shoot(page, "one-click-shipment-form")
    page.locator("#post-shipment").click()
    expect(page.locator(".alert-success")).to_contain_text("已过账")
    assert Shipment.objects.get().order == order


def test_the_shortage_panel_buys_the_missing_goods(signed_in_staff, live_server, shop):
    page = signed_in_staff
    page.goto(live_server.url + "/sales/orders/new/")
    page.locator("#id_lines-0-product").fill("PC01")
    page.locator("#id_lines-0-quantity").fill("5")
    page.locator("#then-confirm").click()
    expect(page.locator("#shortage-panel")).to_be_visible()
    expect(page.locator(".alert-warning")).to_contain_text("已保存为草稿")
    assert SalesOrder.objects.get().status == OrderStatus.DRAFT
    shoot(page, "one-click-shortage-panel")
    page.locator(".buy-missing").filter(has_text="电脑批发").click()

    expect(page.get_by_label("供应商")).to_have_value("S-PC 电脑批发")
    expect(page.locator("#id_lines-0-product")).to_have_value("PC01")
    expect(page.locator("#id_lines-0-quantity")).to_have_value("2")
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("2000.00")
    # Enter after a product on purchase lines moves to the quantity.
    second = page.locator("#id_lines-1-product")
    second.fill("MS01")
    second.press("Enter")
    expect(page.locator("#id_lines-1-quantity")).to_be_focused()
    page.keyboard.type("3")
    expect(page.locator("#document-total")).to_have_text("¥4,060.00")
    shoot(page, "one-click-purchase-order")
    page.locator("#then-place").click()
    expect(page.locator("#order-status")).to_have_text("已下单")
    order = PurchaseOrder.objects.get()
    assert order.status == PurchaseStatus.ORDERED
    assert sorted(line.quantity for line in order.lines.all()) == [D("2"), D("3")]


@pytest.mark.parametrize("width", [1366, 390])
def test_the_top_box_opens_a_product_and_the_list_box_filters(
    signed_in_staff, live_server, shop, width
):
    page = signed_in_staff
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/catalog/products/")
    if width == 390:
        page.get_by_role("button", name="菜单").click()  # the box is in the menu
    box = page.locator("#top-search-q")
    expect(box).to_be_visible()
    if width == 390:
        shoot(page, "top-search-menu")
    box.fill("PC01")
    box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/catalog/products/{shop.pk}/")
    page.goto(live_server.url + "/catalog/products/")
    search = page.locator("main input[name=q]")
    search.fill("PC01")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/catalog/products/\?q=PC01&"))  # a list
    expect(page.locator("main")).to_contain_text("电脑")

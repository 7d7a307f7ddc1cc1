"""The return form of a line in 箱 (箱 + 瓶 fields) and the adjustment form's 单位
select, at desktop and phone width: nothing scrolls sideways; 1 瓶 comes back."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.tests.factories import OwnerFactory
from catalog.models import PackageUnit, Warehouse
from catalog.tests.factories import CustomerFactory, ProductFactory
from inventory import documents
from sales import services as sales
from sales.models import SalesReturnLine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal
SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "units"


def test_one_bottle_of_a_box_line_comes_back_through_the_form(
    signed_in_owner, live_server
):
    page = signed_in_owner
    setup = OwnerFactory(username="setup")
    product = ProductFactory(sku="COLA", name="可乐", unit="瓶", sale_price=D("2.50"))
    box = PackageUnit.objects.create(product=product, name="箱", factor=D(24))
    warehouse = Warehouse.objects.get(is_default=True)
    documents.opening_stock_post(
        lines=[(product, warehouse, D(2), D("48.00"), box)], note="", user=setup
    )
    order = sales.sales_order_save(
        customer=CustomerFactory(),
        warehouse=warehouse,
        order_date=timezone.localdate(),
        note="",
        lines=[sales.SaleLineInput(product, D(1), D("50.00"), unit=box)],
        user=setup,
    )
    sales.sales_order_confirm(order=order, user=setup)
    line = order.lines.get()
    shipment = sales.shipment_post(
        order=order,
        quantities={line.pk: line.quantity},
        occurred_at=timezone.now(),
        user=setup,
    )
    shipped = shipment.lines.get()
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + "/inventory/adjustments/new/")
        assert page.locator("select.line-unit").count() >= 1
        page.screenshot(path=SCREENS / f"adjustment-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(live_server.url + f"/sales/returns/new/?shipment={shipment.pk}")
        page.screenshot(path=SCREENS / f"return-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.fill(f"input[name='return_{shipped.pk}_base']", "1")
    page.click("#post-return")
    page.wait_for_url("**/sales/returns/*/")
    row = SalesReturnLine.objects.get()
    assert (row.quantity, row.amount) == (D(1), D("2.08"))

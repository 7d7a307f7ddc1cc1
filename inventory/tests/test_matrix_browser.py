"""A clerk types a style's sizes × colours into a sales order and a count sheet
through the grid, at desktop and phone width (issue 19)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import OwnerFactory
from catalog import services as catalog
from catalog.models import Warehouse
from catalog.tests.factories import CustomerFactory, style_with
from conftest import ARTIFACTS
from inventory.tests.factories import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = ARTIFACTS


def _tee():
    style = style_with(code="T100", colours=("RD", "BK"), sizes=("S", "M", "L"))
    catalog.style_variants_generate(style=style)
    boss = OwnerFactory(username="setup")
    for variant in style.variants.all():
        receive(variant, "10", "20.00", user=boss)
    return style, boss


def _cell(page, sku):
    return page.locator(f"#matrix-grid input[title='{sku}']")


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator(".matrix-grid").evaluate(
        "e => e.scrollWidth <= e.clientWidth + 1"
    )
    narrow = page.evaluate(
        "() => [...document.querySelectorAll('#matrix-grid input')]"
        ".filter(e => e.offsetParent && e.getBoundingClientRect().width < 80).length"
    )
    assert narrow == 0


@pytest.mark.parametrize("width", [1366, 390])
def test_a_clerk_fills_a_sales_order_from_the_grid(signed_in_staff, live_server, width):
    from sales.models import SalesOrder

    page = signed_in_staff
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    style, _boss = _tee()
    CustomerFactory(code="C9", name="服装批发")

    page.goto(live_server.url + "/sales/orders/new/")
    page.locator("#id_customer").fill("C9")
    page.locator("#matrix-style").fill("圆领T恤")
    page.locator("#matrix-style").press("Enter")
    expect(page.locator(".matrix-grid")).to_be_visible()
    expect(page.locator("#matrix-grid input[name^='cell_']")).to_have_count(6)
    expect(page.locator("#matrix-grid")).to_contain_text("10")  # available
    _fits(page, width)

    # A bad cell: a message, and no line is added.
    _cell(page, "T100-RD-M").fill("2")
    _cell(page, "T100-BK-L").fill("abc")
    page.locator(".matrix-add").click()
    expect(page.locator("#matrix-grid .invalid-feedback")).to_be_visible()
    expect(page.locator("#id_lines-0-product")).to_have_value("")
    page.screenshot(path=SHOTS / f"matrix-sales-error-{width}.png", full_page=True)

    _cell(page, "T100-BK-L").fill("3")
    _cell(page, "T100-BK-L").press("Enter")  # the last cell: Enter adds
    expect(page.locator("#id_lines-0-product")).to_have_value("T100-RD-M")
    expect(page.locator("#id_lines-0-quantity")).to_have_value("2")
    expect(page.locator("#id_lines-1-product")).to_have_value("T100-BK-L")
    expect(page.locator("#id_lines-1-quantity")).to_have_value("3")
    expect(page.locator("#lines .availability").first).to_contain_text("10")

    # The same style again, typed on a line this time: merged into its lines.
    page.locator("#id_lines-2-product").fill("T100")
    page.locator("#id_lines-2-product").press("Tab")
    expect(page.locator("#matrix-grid input[name^='cell_']")).to_have_count(6)
    expect(page.locator("#id_lines-2-product")).to_have_value("")
    _cell(page, "T100-RD-M").fill("1.5")
    page.locator(".matrix-add").click()
    expect(page.locator("#id_lines-0-quantity")).to_have_value("3.5")
    expect(page.locator("#matrix-grid .alert-success")).to_be_visible()
    page.screenshot(path=SHOTS / f"matrix-sales-{width}.png", full_page=True)

    page.locator("#post-document").click()
    expect(page.locator("#order-status")).to_be_visible()
    order = SalesOrder.objects.get()
    assert {
        (line.product.sku, line.quantity)
        for line in order.lines.select_related("product")
    } == {("T100-RD-M", Decimal("3.5")), ("T100-BK-L", Decimal("3"))}


@pytest.mark.parametrize("width", [1366, 390])
def test_a_clerk_counts_a_style_from_the_grid(signed_in_staff, live_server, width):
    from inventory import documents
    from inventory.models import StocktakeLine

    page = signed_in_staff
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    style, boss = _tee()
    sheet = documents.stocktake_start(
        warehouse=Warehouse.objects.get(is_default=True),
        categories=[],
        note="",
        user=boss,
    )
    page.goto(live_server.url + f"/inventory/stocktakes/{sheet.pk}/")
    page.locator("#matrix-style").fill("T100")
    page.locator("#matrix-open").click()
    expect(page.locator("#matrix-grid input[name^='cell_']")).to_have_count(6)
    _fits(page, width)
    _cell(page, "T100-RD-S").fill("4")
    _cell(page, "T100-BK-M").fill("-1")
    page.locator(".matrix-add").click()
    expect(page.locator("#matrix-grid .invalid-feedback")).to_be_visible()
    assert not StocktakeLine.objects.filter(counted_quantity__isnull=False).exists()
    _cell(page, "T100-BK-M").fill("7")
    page.locator(".matrix-add").click()
    expect(page.locator("#matrix-grid .alert-success")).to_be_visible()
    red_s = StocktakeLine.objects.get(stocktake=sheet, product__sku="T100-RD-S")
    expect(page.locator(f"#id_count_{red_s.pk}")).to_have_value("4")
    page.screenshot(path=SHOTS / f"matrix-stocktake-{width}.png", full_page=True)
    assert red_s.counted_quantity == Decimal(4)
    # The sheet saved afterwards is not refused as out of date.
    page.locator("#save-counts").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    expect(page.locator(".alert-danger")).to_have_count(0)

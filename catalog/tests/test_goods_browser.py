"""An owner makes a style's variants, sees its stock grid and prints its labels, at
desktop and phone width."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import Warehouse
from catalog.tests.factories import style_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_makes_variants_then_sees_the_grid_and_labels(
    signed_in_owner, live_server
):
    from django.contrib.auth import get_user_model

    from inventory import documents

    page = signed_in_owner
    style = style_with(colours=("RD", "BK"), sizes=("S", "M", "L"))
    page.goto(f"{live_server.url}/catalog/styles/{style.pk}/")
    page.locator("#generate").click()
    expect(page.locator("#plan-table tbody tr")).to_have_count(6)
    page.get_by_label("为新生成的商品分配店内条码").check()
    page.locator("#make").click()
    expect(page.locator(".alert-success")).to_contain_text("已生成 T100 的 6 个商品")
    expect(page.locator("#variant-table tbody tr")).to_have_count(6)
    expect(page.locator("#generate")).to_have_count(0)

    red_m = style.variants.get(sku="T100-RD-M")
    owner = get_user_model().objects.get(username="boss")
    documents.opening_stock_post(
        lines=[
            (red_m, Warehouse.objects.get(is_default=True), Decimal(4), Decimal(30))
        ],
        note="",
        user=owner,
    )
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/inventory/style/{style.pk}/")
        expect(page.locator("#grid-total")).to_contain_text("4")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        grid = page.locator("#style-grid")
        assert grid.evaluate("e => e.scrollWidth <= e.clientWidth + 1")

        page.goto(f"{live_server.url}/catalog/labels/?style={style.pk}")
        expect(page.locator("#label-table tbody tr")).to_have_count(6)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto(
        f"{live_server.url}/catalog/labels/print/?product={red_m.pk}"
        f"&size=40x30&show_price=on&n_{red_m.pk}=2"
    )
    expect(page.locator(".label")).to_have_count(2)
    expect(page.locator(".label-price").first).to_contain_text("¥59.00")
    # The barcode image is drawn (a data: SVG the page's CSP allows).
    assert page.locator("img.label-bars").first.evaluate("i => i.naturalWidth > 0")

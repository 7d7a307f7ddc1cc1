"""A clerk orders two products, receives part of them, and sees the new stock."""

import pytest
from playwright.sync_api import expect

from catalog import services as catalog_services
from catalog.models import Supplier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_orders_receives_partially_and_sees_stock(signed_in_staff, live_server):
    page = signed_in_staff
    catalog_services.party_save(
        model=Supplier, data={"code": "GYS001", "name": "南方果业"}
    )
    catalog_services.product_save(
        data={
            "sku": "SG001",
            "name": "红富士苹果",
            "unit": "斤",
            "purchase_price": "4.50",
        }
    )
    catalog_services.product_save(
        data={
            "sku": "SG002",
            "name": "香蕉",
            "unit": "斤",
            "barcode": "6922771648558",
            "purchase_price": "2.20",
        }
    )

    page.goto(live_server.url + "/purchasing/")
    page.get_by_role("link", name="新建采购订单").first.click()
    page.get_by_label("供应商").fill("GYS001 南方果业")
    first = page.locator("#id_lines-0-product")
    first.fill("SG001")
    first.press("Enter")  # purchase lines: the quantity comes next
    expect(page.locator("#id_lines-0-quantity")).to_be_focused()
    page.keyboard.type("20")
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("4.50")
    page.keyboard.press("Enter")  # the line's unit (箱 / 瓶) comes next, then the price
    expect(page.locator("#id_lines-0-unit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_lines-0-unit_price")).to_be_focused()
    page.keyboard.press("Enter")  # the end of the line: the next one
    expect(page.locator("#id_lines-1-product")).to_be_focused()
    expect(page.locator("#id_lines-0-quantity")).to_have_value("20")
    page.locator("#id_lines-1-product").fill("6922771648558")  # a scanned barcode
    page.locator("#id_lines-1-quantity").fill("30")
    page.locator("#id_lines-1-unit_price").fill("2.00")
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("4.50")
    expect(page.locator("#document-total")).to_have_text("¥150.00")
    page.locator("#post-document").click()
    expect(page.locator("#order-status")).to_have_text("草稿")
    page.locator("#confirm-order").click()
    expect(page.locator("#order-status")).to_have_text("已下单")

    page.locator("#receive-order").click()
    page.locator("#id_lines-0-quantity").fill("12")
    page.locator("#id_lines-1-quantity").fill("30")
    page.locator("#post-document").click()
    expect(page.locator(".alert-success")).to_contain_text("已过账")

    page.goto(live_server.url + "/inventory/")
    rows = page.locator("#stock-table tbody tr")
    expect(rows.filter(has_text="红富士苹果")).to_contain_text("12 斤")
    expect(rows.filter(has_text="香蕉")).to_contain_text("30 斤")
    expect(page.locator("#stock-table")).not_to_contain_text("¥")


def test_a_line_is_removed_without_reloading(signed_in_staff, live_server):
    page = signed_in_staff
    catalog_services.party_save(
        model=Supplier, data={"code": "GYS001", "name": "南方果业"}
    )
    catalog_services.product_save(
        data={"sku": "SG001", "name": "红富士苹果", "purchase_price": "4.50"}
    )
    catalog_services.product_save(
        data={"sku": "SG002", "name": "香蕉", "purchase_price": "2.00"}
    )
    page.goto(live_server.url + "/purchasing/orders/new/")
    page.get_by_label("供应商").fill("GYS001 南方果业")
    page.locator("#id_lines-0-product").fill("SG001")
    page.locator("#id_lines-0-quantity").fill("2")
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("4.50")  # last price
    page.locator("#id_lines-1-product").fill("SG002")
    page.locator("#id_lines-1-quantity").fill("5")
    expect(page.locator("#id_lines-1-unit_price")).to_have_value("2.00")
    expect(page.locator("#document-total")).to_have_text("¥19.00")
    page.locator("#lines tbody tr").nth(1).locator(".remove-line").click()
    expect(page.locator("#document-total")).to_have_text("¥9.00")
    page.locator("#post-document").click()
    expect(page.locator("#order-lines tbody tr")).to_have_count(1)


def test_clerk_sees_an_unusual_price_flagged_as_typed_and_cannot_place_it(
    signed_in_staff, live_server
):
    """Issue 13: ¥99,999.99 typed for ¥4.50 is flagged at once; the saved draft
    shows it and placing it is refused until the owner approves."""
    page = signed_in_staff
    catalog_services.party_save(
        model=Supplier, data={"code": "GYS001", "name": "南方果业"}
    )
    catalog_services.product_save(
        data={
            "sku": "SG001",
            "name": "红富士苹果",
            "unit": "斤",
            "purchase_price": "4.50",
        }
    )
    page.goto(live_server.url + "/purchasing/orders/new/")
    page.get_by_label("供应商").fill("GYS001 南方果业")
    page.locator("#id_lines-0-product").fill("SG001")
    page.locator("#id_lines-0-quantity").fill("1")
    price = page.locator("#id_lines-0-unit_price")
    expect(price).to_have_value("4.50")
    expect(page.locator(".price-band-note")).to_have_count(0)
    price.fill("99999.99")
    expect(page.locator(".price-band-note")).to_contain_text("¥1.50 – ¥13.50")
    price.fill("4.60")
    expect(page.locator(".price-band-note")).to_have_text("")
    price.fill("99999.99")
    page.locator("#post-document").click()
    expect(page.locator("[data-price-flag=waiting]")).to_be_visible()
    page.locator("#confirm-order").click()
    expect(page.locator(".alert-danger")).to_contain_text("批准价格")
    expect(page.locator("#order-status")).to_have_text("草稿")

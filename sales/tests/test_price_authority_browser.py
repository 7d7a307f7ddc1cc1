"""The owner's approval (授权) at the counter (收银台), by keyboard, with and
without scripts."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, OwnerFactory
from catalog import services as catalog_services
from inventory.tests.factories import receive
from sales.models import SalesOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def apple():
    product = catalog_services.product_save(
        data={
            "sku": "SG01",
            "name": "红富士苹果",
            "unit": "斤",
            "sale_price": "10",
            "min_price": "8",
        }
    )
    receive(product, "50", "5", user=OwnerFactory(username="boss"))
    return product


def _sell_below_the_floor(page, live_server, apple):
    page.goto(live_server.url + "/counter/")
    page.locator("#scan-box").fill("SG01")
    page.locator("#scan-box").press("Enter")
    page.locator(f"#qty-{apple.pk}").fill("2")
    page.locator(f"#qty-{apple.pk}").press("Enter")
    expect(page.locator("#counter-total")).to_have_text("¥20.00")
    page.locator(f"#price-{apple.pk}").fill("7")
    page.locator(f"#price-{apple.pk}").press("Enter")
    expect(page.locator("#counter-total")).to_have_text("¥14.00")
    page.locator("#id_cash").fill("20")
    page.keyboard.press("F9")


def test_the_owner_approves_a_price_below_the_floor_by_keyboard(
    signed_in_staff, live_server, apple
):
    page = signed_in_staff
    _sell_below_the_floor(page, live_server, apple)
    dialog = page.locator("dialog#price-approval")
    expect(dialog).to_be_visible()
    assert dialog.evaluate("d => d.matches(':modal')")
    expect(dialog).to_contain_text("低于最低售价 ¥8.00")
    # The owner's username has the focus; Tab, the password, Enter.
    expect(page.locator("#id_approval-approver_username")).to_be_focused()
    page.keyboard.type("boss")
    page.keyboard.press("Tab")
    expect(page.locator("#id_approval-approver_password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#last-change")).to_have_text("¥6.00")
    assert SalesOrder.objects.get().total == Decimal("14.00")


def test_escape_closes_the_dialog_and_nothing_is_sold(
    signed_in_staff, live_server, apple
):
    page = signed_in_staff
    _sell_below_the_floor(page, live_server, apple)
    expect(page.locator("dialog#price-approval")).to_be_visible()
    page.keyboard.type("boss")
    page.keyboard.press("Escape")
    expect(page.locator("dialog#price-approval")).to_be_hidden()
    expect(page.locator(f"#price-{apple.pk}")).to_have_value("7.00")
    assert not SalesOrder.objects.exists()


def test_the_approval_works_without_scripts(chromium, live_server, apple):
    from accounts.tests.factories import StaffFactory
    from counter import services as counter_services

    clerk = StaffFactory(username="clerk")
    # Without scripts the scan box posts and a line's price cannot be typed: the
    # sale is on the clerk's screen already.
    counter_services.cart_scan(user=clerk, code="SG01")
    counter_services.cart_line_set(
        user=clerk, product_id=apple.pk, quantity=Decimal("2"), price=Decimal("7")
    )
    context = chromium.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/login/")
        page.locator("#id_username").fill("clerk")
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#login-button").click()
        page.goto(live_server.url + "/counter/")
        page.locator("#id_cash").fill("20")
        page.locator("#pay-button").click()
        # Without scripts the dialog is a part of the form, open in the page.
        expect(page.locator("#id_approval-approver_username")).to_be_visible()
        expect(page.locator(".alert-danger, .alert-warning").first).to_contain_text(
            "需要店主授权"
        )
        page.locator("#id_approval-approver_username").fill("boss")
        page.locator("#id_approval-approver_password").fill(PASSWORD)
        page.locator("#approve-prices").click()
        expect(page.locator(".alert-success")).to_contain_text("已售出")
        expect(page.locator("#last-change")).to_have_text("¥6.00")
    finally:
        context.close()

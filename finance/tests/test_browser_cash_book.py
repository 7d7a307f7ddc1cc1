"""The owner moves the day's cash to the bank, pays the rent and reads the till's
journal, in a real browser; the pages do not scroll sideways on a phone."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import OwnerFactory
from finance.tests.factories import account, deposit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_moves_cash_to_the_bank_pays_rent_and_reads_the_journal(
    signed_in_owner, live_server
):
    page = signed_in_owner
    deposit(OwnerFactory(username="setup"), account("现金"), "1000")
    page.goto(live_server.url + "/")
    page.locator("#nav-finance").click()
    page.get_by_role("link", name="资金账户").click()
    expect(page.locator("#accounts-total")).to_have_text("¥1,000.00")
    page.locator("#new-transfer").click()
    page.locator("#id_from_account").select_option(label="现金 · ¥1,000.00")
    page.locator("#id_to_account").select_option(label="银行卡 · ¥0.00")
    page.locator("#id_amount").fill("600")
    page.locator("#save").click()
    expect(page.locator("#transfer-amount")).to_have_text("¥600.00")
    page.goto(live_server.url + "/finance/cash/new/?direction=expense")
    page.locator("#id_category").select_option(label="房租")
    page.locator("#id_amount").fill("350")
    page.locator("#save").click()
    expect(page.locator("#cash-amount")).to_have_text("¥350.00")
    page.goto(live_server.url + f"/finance/accounts/{account('现金').pk}/")
    expect(page.locator("#closing-balance")).to_have_text("¥50.00")
    page.set_viewport_size({"width": 390, "height": 800})
    for path in ("/finance/accounts/", "/finance/cash/", "/finance/profit/"):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways: {width}px"

"""The owner changes a price, sees it in the product's history (loaded by htmx)
and finds it in the audit log."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from audit.models import Action
from catalog import services as catalog_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_sees_a_price_change_in_the_history_and_the_log(
    signed_in_owner, live_server
):
    page = signed_in_owner
    owner = get_user_model().objects.get(username="boss")
    apple = catalog_services.product_save(
        data={"sku": "SG001", "name": "红富士苹果", "sale_price": Decimal("6.80")},
        user=owner,
    )
    page.goto(f"{live_server.url}/catalog/products/{apple.pk}/edit/")
    page.locator("#id_sale_price").fill("7.50")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}/catalog/products/{apple.pk}/")
    entries = page.locator("#record-history #history-entries > li")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text(str(Action.CHANGE.label))
    expect(entries.first).to_contain_text("6.80")
    expect(entries.first).to_contain_text("7.50")
    expect(entries.last).to_contain_text(str(Action.CREATE.label))

    page.locator("#user-menu").click()
    page.locator("#nav-audit-log").click()
    page.locator("#id_action").select_option("change")
    page.locator("#audit-filter").get_by_role("button", name="筛选").click()
    rows = page.locator("#audit-log tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("SG001 红富士苹果")
    rows.first.get_by_role("link", name="SG001 红富士苹果").click()
    page.wait_for_url(f"{live_server.url}/catalog/products/{apple.pk}/")

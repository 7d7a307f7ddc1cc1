"""The owner finds who holds a product's stock and releases one order's part; the
pages of issue 13 (points 5 and 6) at a laptop's and a phone's width."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import StaffFactory
from catalog.tests.factories import CustomerFactory, ProductFactory
from inventory.tests.factories import receive
from sales import services
from sales.models import SalesOrder
from sales.tests.factories import confirmed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"


def shoot(page, name):
    """A full-page screenshot at 1366 and at 390 px; nothing scrolls sideways."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
        wide = page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert wide <= 0, f"{name} scrolls sideways at {width} px"
        narrow = page.evaluate(
            "[...document.querySelectorAll('input:not([type=hidden]):not([type=checkbox])"
            ", select')].filter(e => e.offsetParent && e.offsetWidth < 80).length"
        )
        assert narrow == 0, f"{name} has an input under 80 px at {width} px"
    page.set_viewport_size({"width": 1366, "height": 900})


def test_owner_releases_the_stock_a_clerk_reserved(signed_in_owner, live_server):
    page = signed_in_owner
    clerk = StaffFactory(username="clerk")
    umbrella = ProductFactory(name="折叠雨伞", unit="把", safety_stock=Decimal("0"))
    receive(umbrella, "12", "15", user=clerk)
    hoarded = confirmed(
        clerk, [(umbrella, "10")], customer=CustomerFactory(name="红星超市")
    )
    confirmed(clerk, [(umbrella, "2")], customer=CustomerFactory(name="路人甲"))

    page.goto(live_server.url + "/inventory/")
    page.locator(f'#stock-table a[href^="/sales/reservations/{umbrella.pk}/"]').click()
    expect(page.locator("#reservation-table")).to_contain_text("红星超市")
    expect(page.locator("#reserved-total")).to_contain_text("12 把")
    shoot(page, "reservations")
    row = page.locator("#reservation-table tbody tr", has_text=hoarded.number)
    row.locator("summary").click()
    expect(row.locator("form")).to_contain_text(f"释放 {hoarded.number} 预留的 10 把")
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SCREENS / "reservation-release-confirm-390.png"))
    page.set_viewport_size({"width": 1366, "height": 900})
    row.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(hoarded.number)
    expect(page.locator("#reserved-total")).to_contain_text("2 把")
    page.goto(live_server.url + f"/sales/orders/{hoarded.pk}/")
    expect(page.locator("#order-lines")).to_contain_text("欠货 10")
    expect(page.locator("#reserve-again")).to_be_visible()


def test_the_pages_of_issue_13_fit_a_phone(signed_in_owner, live_server):
    page = signed_in_owner
    clerk = StaffFactory(username="clerk")
    umbrella = ProductFactory(name="折叠雨伞", unit="把", safety_stock=Decimal("0"))
    receive(umbrella, "4", "15", user=clerk)
    services.sales_settings_save(reservation_expiry_days=3, user=None)
    order = confirmed(clerk, [(umbrella, "9")], on_shortage="backorder")
    # Confirmed four days ago: its reservation is due.
    SalesOrder.objects.filter(pk=order.pk).update(
        confirmed_at=timezone.now() - timedelta(days=4),
        reserved_until=timezone.now() - timedelta(days=1),
    )
    page.goto(live_server.url + "/sales/settings/")
    expect(page.locator("#id_reservation_expiry_days")).to_have_value("3")
    shoot(page, "sales-settings")
    page.goto(live_server.url + "/inventory/")
    shoot(page, "stock-overview")
    services.reservations_expire()
    page.goto(live_server.url + f"/sales/orders/{order.pk}/")
    expect(page.locator("#reservation-expired")).to_have_text("预留已过期")
    shoot(page, "order-expired")
    page.goto(live_server.url + "/sales/")
    expect(page.locator("#document-table")).to_contain_text("预留已过期")
    shoot(page, "order-list")
    page.goto(live_server.url + "/reports/reorder/")
    expect(page.locator("#reorder-table")).to_contain_text(
        f"欠货 9 把 ({order.number} 9)"
    )
    shoot(page, "reorder")

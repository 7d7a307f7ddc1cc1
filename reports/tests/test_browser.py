"""The owner opens the monthly summary and downloads its Excel file."""

import openpyxl
import pytest
from playwright.sync_api import expect

from catalog import services as catalog_services
from inventory.tests.factories import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_opens_the_summary_and_downloads_it(
    signed_in_owner, live_server, tmp_path
):
    from accounts.tests.factories import OwnerFactory

    page = signed_in_owner
    apple = catalog_services.product_save(data={"sku": "SG001", "name": "红富士苹果"})
    receive(apple, "30", "4.00", user=OwnerFactory(username="setup"))
    page.goto(live_server.url + "/")
    page.locator("#nav-reports").click()
    page.get_by_role("link", name="进销存汇总表").click()
    expect(page.locator("#summary-table")).to_contain_text("红富士苹果")
    expect(page.locator("#summary-totals")).to_contain_text("¥120.00")
    with page.expect_download() as download:
        page.locator("#summary-export").click()
    assert download.value.suggested_filename.startswith("进销存汇总_")
    path = tmp_path / "summary.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A3"].value == "SG001"


def test_owner_pages_through_turnover_at_laptop_and_phone_width(
    signed_in_owner, live_server
):
    """Turnover shows 100 products a page (10,000 rows were 2.6 MB of HTML) and
    does not scroll sideways on a phone."""
    from decimal import Decimal
    from pathlib import Path

    from django.utils import timezone

    from accounts.tests.factories import OwnerFactory
    from catalog.models import Warehouse
    from catalog.tests.factories import ProductFactory
    from inventory.services import MoveLine, stock_moves_post

    page = signed_in_owner
    main = Warehouse.objects.get(is_default=True)
    products = ProductFactory.create_batch(105)
    stock_moves_post(
        lines=[MoveLine(p.pk, main.pk, Decimal(2), Decimal("1.50")) for p in products],
        kind="receipt",
        source=None,
        occurred_at=timezone.now(),
        user=OwnerFactory(username="setup"),
    )
    page.goto(live_server.url + "/reports/turnover/")
    expect(page.locator("#report-table tbody tr")).to_have_count(100)
    expect(page.locator(".pagination")).to_contain_text("1 / 2")
    screens = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.screenshot(path=str(screens / f"turnover-{width}.png"), full_page=False)
        wide = page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert wide <= 0, f"turnover scrolls sideways at {width} px"
    page.get_by_role("link", name="下一页").click()
    expect(page.locator("#report-table tbody tr")).to_have_count(5)

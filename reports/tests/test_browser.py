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

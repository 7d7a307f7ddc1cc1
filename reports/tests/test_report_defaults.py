"""Reports open on the period the owner most likely wants, say it in their title,
and the summary's total row adds no 斤 to 件 (issue 20)."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from lxml import html

from catalog.tests.factories import ProductFactory
from inventory.months import month_close
from reports.tests.test_reports import post

pytestmark = pytest.mark.django_db
D = Decimal
# 5 December 2026, 10:00 in the shop (Asia/Shanghai).
FIFTH_OF_DECEMBER = timezone.make_aware(datetime(2026, 12, 5, 10, 0))


def at(day: date):
    return timezone.make_aware(datetime.combine(day, time(12)))


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def heading(tree) -> str:
    return " ".join(tree.findtext(".//title").split())


@pytest.fixture
def december():
    with time_machine.travel(FIFTH_OF_DECEMBER, tick=False):
        yield


def test_summary_opens_on_last_month_while_it_is_not_closed(owner_client, december):
    tree = page(owner_client, "/reports/summary/")

    assert "2026-11-01 – 2026-11-30" in heading(tree)
    assert "2026-11-01 – 2026-11-30" in tree.findtext(".//h1/small")
    assert tree.get_element_by_id("id_month").value == "2026-11"


def test_summary_opens_on_the_current_month_once_last_month_is_closed(
    owner, owner_client
):
    with time_machine.travel(FIFTH_OF_DECEMBER, tick=False):
        month_close(month=date(2026, 11, 1), user=owner)

        tree = page(owner_client, "/reports/summary/")

    assert "2026-12-01 – 2026-12-31" in heading(tree)


def test_summary_opens_on_november_when_only_october_is_closed(owner, owner_client):
    with time_machine.travel(FIFTH_OF_DECEMBER, tick=False):
        month_close(month=date(2026, 10, 1), user=owner)

        tree = page(owner_client, "/reports/summary/")

    assert "2026-11-01 – 2026-11-30" in heading(tree)


def test_a_month_asked_for_still_wins(owner_client, december):
    tree = page(owner_client, "/reports/summary/?month=2026-09")

    assert "2026-09-01 – 2026-09-30" in heading(tree)


def test_summary_export_defaults_to_the_same_month(owner_client, december):
    response = owner_client.get("/reports/summary/export/")

    assert "2026-11" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("url", "period"),
    [
        ("/reports/turnover/", "2026-09-07 – 2026-12-05"),  # the last 90 days
        ("/reports/turnover/?by=category", "2026-09-07 – 2026-12-05"),
        ("/reports/slow/", "2026-09-07 – 2026-12-05"),
        ("/reports/prices/", "2025-12-06 – 2026-12-05"),  # the last 12 months
        ("/reports/sales/", "2026-12-01 – 2026-12-31"),  # this month
        ("/reports/turnover/?month=2026-10", "2026-10-01 – 2026-10-31"),
        ("/reports/turnover/?month=garbage", "2026-09-07 – 2026-12-05"),
    ],
)
def test_every_report_opens_on_its_period_and_says_it_in_the_title(
    owner_client, december, url, period
):
    tree = page(owner_client, url)

    assert period in heading(tree)
    assert period in " ".join(tree.findtext(".//h1/small").split())


def test_slow_movers_are_those_unsold_in_the_last_90_days(owner, owner_client):
    pear = ProductFactory(sku="LI01", name="梨")
    plum = ProductFactory(sku="LZ01", name="李子")
    post(pear, "10", "3.00", at(date(2026, 6, 1)), user=owner)
    post(plum, "10", "3.00", at(date(2026, 6, 1)), user=owner)
    post(pear, "-1", None, at(date(2026, 8, 20)), user=owner, kind="shipment")
    post(plum, "-1", None, at(date(2026, 11, 20)), user=owner, kind="shipment")
    with time_machine.travel(FIFTH_OF_DECEMBER, tick=False):
        tree = page(owner_client, "/reports/slow/")

    shown = tree.get_element_by_id("report-table").text_content()
    assert "梨" in shown
    assert "李子" not in shown
    assert "2026-09-07" in tree.get_element_by_id("table-notes").text_content()


def test_summary_total_row_adds_values_not_quantities_of_different_units(
    owner, owner_client
):
    apple = ProductFactory(sku="SG001", name="苹果", unit="斤")
    pen = ProductFactory(sku="WJ001", name="中性笔", unit="支")
    post(apple, "44", "5.00", at(date(2026, 11, 3)), user=owner)
    post(pen, "10", "1.50", at(date(2026, 11, 3)), user=owner)
    with time_machine.travel(FIFTH_OF_DECEMBER, tick=False):
        tree = page(owner_client, "/reports/summary/")

    totals = tree.get_element_by_id("summary-totals")
    cells = [" ".join(td.text_content().split()) for td in totals.findall("td")]
    assert "54" not in cells  # 44 斤 + 10 支 is no number
    assert cells[3] == ""  # receipts, quantity
    assert cells[4] == "¥235.00"  # receipts, value: 220 + 15

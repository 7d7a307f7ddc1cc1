"""The stocktake screens of issue 13: blind count, scan to count, the review with
its confirmation of large differences, and the owner's stock settings."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory
from inventory import documents
from inventory.models import InventorySettings, StockLevel, StockMove, Stocktake
from inventory.tests.factories import issue, receive

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def main():
    return Warehouse.objects.get(is_default=True)


@pytest.fixture
def tea(owner):
    product = ProductFactory(
        sku="CY001", name="绿茶", unit="盒", barcode="6900000004321"
    )
    receive(product, "4321", "10.00", user=owner)
    return product


def _sheet(owner, main, **kwargs):
    return documents.stocktake_start(
        warehouse=main, categories=[], note="", user=owner, **kwargs
    )


# --- blind count ----------------------------------------------------------------


def test_a_blind_sheet_shows_no_system_quantity_while_counting(
    owner_client, staff, main, tea
):
    staff_client = Client()
    staff_client.force_login(staff)
    owner_client.post(
        "/inventory/stocktakes/new/", {"warehouse": main.pk, "blind": "on"}
    )
    stocktake = Stocktake.objects.get()
    assert stocktake.blind
    for client in (owner_client, staff_client):
        for page in ("", "print/"):
            html = client.get(f"/inventory/stocktakes/{stocktake.pk}/{page}").content
            html = html.decode()
            assert "绿茶" in html
            assert "4,321" not in html and "4321<" not in html
            assert '<th scope="col" class="num">账面数量</th>' not in html
    staff_review = staff_client.get(f"/inventory/stocktakes/{stocktake.pk}/review/")
    assert staff_review.status_code == 302
    owner_review = owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/review/")
    assert ">4,321<" in owner_review.content.decode()


def test_an_open_sheet_shows_the_system_quantity(owner_client, owner, main, tea):
    stocktake = _sheet(owner, main)
    html = owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/").content.decode()
    assert ">4,321<" in html
    assert '<th scope="col" class="num">账面数量</th>' in html


# --- scan to count --------------------------------------------------------------


def _scan(client, stocktake, code, quantity=""):
    response = client.post(
        f"/inventory/stocktakes/{stocktake.pk}/scan/",
        {"code": code, "quantity": quantity},
        HTTP_ACCEPT="application/json",
    )
    return response.status_code, json.loads(response.content)


def test_each_scan_adds_one_and_sku_star_sets_the_count(staff_client, owner, main, tea):
    stocktake = _sheet(owner, main)
    line = stocktake.lines.get()
    status, answer = _scan(staff_client, stocktake, "6900000004321")
    assert (status, answer["counted"], answer["line"]) == (200, "1", line.pk)
    _status, answer = _scan(staff_client, stocktake, "6900000004321")
    assert answer["counted"] == "2"
    assert answer["message"] == "绿茶：实盘 2 盒"
    _status, answer = _scan(staff_client, stocktake, "cy001*4300")
    assert answer["counted"] == "4300"
    _status, answer = _scan(staff_client, stocktake, "CY001", quantity="4319.5")
    assert answer["counted"] == "4319.5"
    line.refresh_from_db()
    stocktake.refresh_from_db()
    assert line.counted_quantity == D("4319.5")
    assert line.counted_at is not None
    assert answer["version"] == stocktake.version == 4


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("0000000000000", "没有条码或编码为“0000000000000”"),
        ("CY001*abc", "“*”后面请输入盘点数量"),
        ("CY001*-3", "“*”后面请输入盘点数量"),
        ("   ", "这个字段是必填项"),
    ],
)
def test_an_unknown_or_garbled_scan_changes_nothing(
    staff_client, owner, main, tea, code, message
):
    stocktake = _sheet(owner, main)
    documents.stocktake_count_scan(
        stocktake=stocktake, code="CY001", quantity=D("7"), user=owner
    )
    entries = AuditEntry.objects.count()
    status, answer = _scan(staff_client, stocktake, code)
    assert status == 400 and not answer["ok"]
    assert message in answer["message"]
    line = stocktake.lines.get()
    stocktake.refresh_from_db()
    assert (line.counted_quantity, stocktake.version) == (D("7"), 1)
    assert AuditEntry.objects.count() == entries


def test_a_scan_without_the_script_comes_back_to_the_sheet(
    staff_client, owner, main, tea
):
    stocktake = _sheet(owner, main)
    response = staff_client.post(
        f"/inventory/stocktakes/{stocktake.pk}/scan/", {"code": "CY001"}, follow=True
    )
    assert "绿茶：实盘 1 盒" in response.content.decode()
    assert stocktake.lines.get().counted_quantity == D("1")


def test_a_scan_on_a_posted_sheet_is_refused(staff_client, owner, main, tea):
    stocktake = _sheet(owner, main)
    documents.stocktake_post(stocktake=stocktake, version=0, user=owner)
    status, answer = _scan(staff_client, stocktake, "CY001")
    assert status == 400 and "已过账" in answer["message"]
    assert stocktake.lines.get().counted_quantity is None


# --- the review and posting --------------------------------------------------------


def test_the_review_shows_every_column_of_the_rule(owner_client, owner, main, tea):
    stocktake = _sheet(owner, main)
    issue(tea, "21", user=owner)
    line = stocktake.lines.get()
    documents.stocktake_counts_save(
        stocktake=stocktake, counts={line.pk: D("4299")}, version=0, user=owner
    )
    issue(tea, "9", user=owner)
    html = owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/review/")
    html = html.content.decode()
    cells = [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r'<td class="num[^"]*"[^>]*>(.*?)</td>', html)
    ]
    # snapshot, moved before, expected, counted, difference, moved after, after, value
    assert cells[:8] == [
        "4,321",
        "-21",
        "4,300",
        "4,299",
        "-1",
        "-9",
        "4,290",
        "-¥10.00",
    ]
    for heading in ("快照", "清点前变动", "盘点时账面", "实盘", "差异", "清点后变动"):
        assert heading in html
    assert "过账后库存" in html


def test_the_review_makes_the_same_number_of_queries_for_any_sheet(
    owner_client, owner, main
):
    def review_queries() -> int:
        stocktake = Stocktake.objects.filter(status="counting").get()
        with CaptureQueriesContext(connection) as queries:
            assert (
                owner_client.get(
                    f"/inventory/stocktakes/{stocktake.pk}/review/"
                ).status_code
                == 200
            )
        return len(queries)

    for index in range(3):
        receive(ProductFactory(sku=f"S{index}"), "5", "1", user=owner)
    small = _sheet(owner, main)
    documents.stocktake_counts_save(
        stocktake=small,
        counts={line.pk: D("4") for line in small.lines.all()},
        version=0,
        user=owner,
    )
    few = review_queries()
    documents.stocktake_abandon(stocktake=small, user=owner, reason="重来")
    for index in range(3, 30):
        product = ProductFactory(sku=f"S{index}")
        receive(product, "5", "1", user=owner)
        issue(product, "1", user=owner)
    large = _sheet(owner, main)
    documents.stocktake_counts_save(
        stocktake=large,
        counts={line.pk: D("4") for line in large.lines.all()},
        version=0,
        user=owner,
    )
    assert review_queries() == few == 12


def test_posting_from_the_review_asks_to_confirm_the_large_lines(
    owner_client, owner, main, tea
):
    stocktake = _sheet(owner, main)
    line = stocktake.lines.get()
    documents.stocktake_counts_save(
        stocktake=stocktake, counts={line.pk: D("4000")}, version=0, user=owner
    )
    review = owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/review/")
    html = review.content.decode()
    assert f'name="confirm" value="{line.pk}"' in html
    assert "CY001 绿茶：账面 4,321，实盘 4,000，差异 -321 盒" in html
    refused = owner_client.post(
        f"/inventory/stocktakes/{stocktake.pk}/post/", {"version": "1"}, follow=True
    )
    assert "以下差异超过需确认的额度：CY001 绿茶" in refused.content.decode()
    assert StockLevel.objects.get(product=tea).on_hand == D("4321")
    assert not StockMove.objects.filter(kind="stocktake").exists()
    owner_client.post(
        f"/inventory/stocktakes/{stocktake.pk}/post/",
        {"version": "1", "confirm": [str(line.pk), "x", "9" * 30]},
    )
    assert StockLevel.objects.get(product=tea).on_hand == D("4000")


def test_counts_with_a_count_time_outside_the_count_keep_what_was_typed(
    staff_client, owner, main, tea
):
    stocktake = _sheet(owner, main)
    line = stocktake.lines.get()
    response = staff_client.post(
        f"/inventory/stocktakes/{stocktake.pk}/",
        {"version": "0", f"count_{line.pk}": "4320", "counted_at": "2001-01-01T09:00"},
    )
    html = response.content.decode()
    assert "盘点时间必须在快照时间" in html
    assert 'value="4320"' in html
    assert stocktake.lines.get().counted_quantity is None


# --- settings -----------------------------------------------------------------------


def test_the_owner_sets_the_stock_rules_and_the_log_keeps_the_change(owner_client):
    response = owner_client.post(
        "/inventory/settings/",
        {
            "staff_backdate_days": "3",
            "stocktake_threshold_percent": "15",
            "stocktake_threshold_amount": "800",
        },
    )
    assert response.status_code == 302
    saved = InventorySettings.objects.get(pk=1)
    assert (
        saved.staff_backdate_days,
        saved.stocktake_threshold_percent,
        saved.stocktake_threshold_amount,
    ) == (3, 15, D("800"))
    entry = AuditEntry.objects.latest("pk")
    assert entry.changes["stocktake_threshold_percent"] == ["20", "15"]
    page = owner_client.get("/inventory/settings/").content.decode()
    assert "库存设置" in page and "盘点差异需确认的比例" in page


@pytest.mark.parametrize(
    "field, value",
    [
        ("staff_backdate_days", "32"),
        ("stocktake_threshold_percent", "-1"),
        ("stocktake_threshold_amount", "abc"),
    ],
)
def test_bad_stock_rules_are_refused_and_change_nothing(owner_client, field, value):
    data = {
        "staff_backdate_days": "0",
        "stocktake_threshold_percent": "20",
        "stocktake_threshold_amount": "500",
        field: value,
    }
    response = owner_client.post("/inventory/settings/", data)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not InventorySettings.objects.exists()
    assert not AuditEntry.objects.filter(
        content_type__model="inventorysettings"
    ).exists()


def test_staff_cannot_open_the_stock_settings(staff_client):
    assert staff_client.get("/inventory/settings/").status_code == 403
    assert staff_client.post("/inventory/settings/", {}).status_code == 403


def test_the_staff_sees_no_scan_box_on_a_posted_sheet(owner, main, tea, staff):
    stocktake = _sheet(owner, main)
    documents.stocktake_post(stocktake=stocktake, version=0, user=owner)
    clerk = Client()
    clerk.force_login(staff)
    html = clerk.get(f"/inventory/stocktakes/{stocktake.pk}/").content.decode()
    assert 'id="scan-form"' not in html


def test_a_scanned_barcode_wins_over_a_sku_that_reads_the_same(
    staff_client, owner, main
):
    by_sku = ProductFactory(sku="6900000000001", name="编码同号")
    by_barcode = ProductFactory(sku="ZZ9", name="条码商品", barcode="6900000000001")
    stocktake = _sheet(owner, main)
    _status, answer = _scan(staff_client, stocktake, "6900000000001")
    assert answer["line"] == stocktake.lines.get(product=by_barcode).pk
    assert stocktake.lines.get(product=by_sku).counted_quantity is None

"""成本调整 (issue 13, point 4): the owner sets a product's unit cost in a warehouse.

One value-only move (quantity 0) carries new value − old value: the ledger still
sums to the balances, and the stock card and the monthly summary show it.
"""

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory
from inventory import documents
from inventory.models import CostAdjustment, MoveKind, StockLevel, StockMove
from inventory.months import month_close
from inventory.selectors import monthly_summary, stock_card, stock_drift
from inventory.services import MoveLine, stock_moves_post
from inventory.tests.factories import issue, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def poisoned(owner):
    """163 at ¥4.59, then 1 at a mistyped ¥99,999.99: the average jumped."""
    product = ProductFactory(name="铅笔")
    receive(product, "163", "4.59", user=owner)
    receive(product, "1", "99999.99", user=owner, kind=MoveKind.RECEIPT)
    return product


def _main():
    return Warehouse.objects.get(is_default=True)


def _level(product):
    return StockLevel.objects.get(product=product, warehouse__is_default=True)


def _correct(product, cost, owner, reason="入库单价录错", warehouse=None):
    return documents.cost_adjustment_post(
        warehouse=warehouse or Warehouse.objects.get(is_default=True),
        product=product,
        new_unit_cost=D(cost),
        reason=reason,
        user=owner,
    )


def _counts():
    return (
        CostAdjustment.objects.count(),
        StockMove.objects.count(),
        AuditEntry.objects.count(),
        list(StockLevel.objects.values_list("on_hand", "value", "unit_cost")),
    )


def test_cost_correction_revalues_on_hand_with_one_value_only_move(poisoned, owner):
    before = _level(poisoned)
    assert before.unit_cost > 600

    document = _correct(poisoned, "4.59", owner)

    level = _level(poisoned)
    assert (level.on_hand, level.unit_cost, level.value) == (
        D("164"),
        D("4.59"),
        D("752.76"),
    )
    move = StockMove.objects.get(kind=MoveKind.COST_ADJUSTMENT)
    assert (move.quantity, move.value) == (0, D("752.76") - before.value)
    assert (move.balance_after, move.value_after) == (D("164"), D("752.76"))
    assert (document.old_unit_cost, document.new_unit_cost) == (
        before.unit_cost,
        D("4.59"),
    )
    assert document.value_change == move.value
    entry = AuditEntry.objects.get(object_id=str(document.pk), action="post")
    assert entry.user == owner
    assert stock_drift() == []
    call_command("check_stock")
    # Later sales book the corrected cost.
    (sale,) = issue(poisoned, "10", user=owner)
    assert sale.value == D("-45.90")


@pytest.mark.parametrize(
    "cost, reason, message",
    [
        ("-1", "录错", "0 到 99,999,999.99"),
        ("4.59001", "录错", "最多 4 位小数"),
        ("100000000", "录错", "0 到 99,999,999.99"),
        ("4.59", "   ", "请填写调整成本的原因"),
    ],
)
def test_cost_correction_refuses_bad_input_and_changes_nothing(
    poisoned, owner, cost, reason, message
):
    was = _counts()
    with pytest.raises(ValidationError, match=message):
        _correct(poisoned, cost, owner, reason=reason)
    assert _counts() == was


def test_cost_correction_refused_when_nothing_is_on_hand(owner):
    product = ProductFactory()
    receive(product, "2", "3.00", user=owner)
    issue(product, "2", user=owner)
    was = _counts()
    with pytest.raises(ValidationError, match="没有库存"):
        _correct(product, "3.50", owner)
    assert _counts() == was


def test_cost_correction_refused_into_a_closed_month(owner):
    product = ProductFactory()
    september = timezone.make_aware(datetime(2026, 9, 10, 10))
    stock_moves_post(
        lines=[MoveLine(product.pk, _main().pk, D("5"), D("2.00"))],
        kind=MoveKind.OPENING,
        source=None,
        occurred_at=september,
        user=owner,
    )
    month_close(month=date(2026, 9, 1), user=owner)
    was = _counts()
    with pytest.raises(ValidationError, match="2026-09"):
        documents.cost_adjustment_post(
            warehouse=_main(),
            product=product,
            new_unit_cost=D("2.50"),
            reason="补录",
            user=owner,
            occurred_at=september + timedelta(days=20),
        )
    assert _counts() == was


def test_monthly_summary_shows_the_value_change_without_quantity(poisoned, owner):
    high = _level(poisoned).value
    _correct(poisoned, "4.59", owner)
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0)
    rows, totals = monthly_summary(start=start, end=timezone.now() + timedelta(1))
    (row,) = rows
    assert row["other_out_q"] == 0
    assert row["other_out_v"] == high - D("752.76")
    assert (row["closing_q"], row["closing_v"]) == (D("164"), D("752.76"))
    assert totals["closing_v"] == _level(poisoned).value
    # And a correction upwards is "other in", again without quantity.
    _correct(poisoned, "5.00", owner)
    (after,), _totals = monthly_summary(start=start, end=timezone.now() + timedelta(1))
    assert after["other_in_q"] == row["other_in_q"]
    assert after["other_in_v"] - row["other_in_v"] == D("820.00") - D("752.76")
    assert after["closing_v"] == D("820.00")


def test_stock_card_shows_the_correction_as_a_row(poisoned, owner, owner_client):
    high = _level(poisoned).value
    document = _correct(poisoned, "4.59", owner)
    card = stock_card(product_id=poisoned.pk)
    last = list(card.moves)[-1]
    assert (last.kind, last.quantity, last.balance, last.running_value) == (
        MoveKind.COST_ADJUSTMENT,
        0,
        D("164"),
        D("752.76"),
    )
    page = owner_client.get(reverse("inventory:stock_card", args=[poisoned.pk]))
    html = page.content.decode()
    assert document.number in html
    assert "成本调整" in html
    export = owner_client.get(
        reverse("inventory:stock_card_export", args=[poisoned.pk])
    )
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if "成本调整" in row]
    (row,) = rows
    assert row[4:7] == (None, None, 164)  # no in, no out, the balance
    assert D(str(row[8])) == D("752.76") - high and D(str(row[9])) == D("752.76")


def test_owner_posts_a_cost_correction_from_the_page(poisoned, owner_client):
    card = owner_client.get(reverse("inventory:stock_card", args=[poisoned.pk]))
    link = re.search(r'id="correct-cost" href="([^"]+)"', card.content.decode())
    page = owner_client.get(link.group(1).replace("&amp;", "&"))
    assert page.context["form"]["product"].value() == poisoned.sku
    current = page.content.decode()
    assert 'id="current-cost"' in current and "¥100,748.16" in current
    token = page.context["form"]["submission"].value()
    response = owner_client.post(
        reverse("inventory:costadjustment_create"),
        {
            "submission": token,
            "warehouse": Warehouse.objects.get(is_default=True).pk,
            "product": poisoned.sku,
            "new_unit_cost": "4.59",
            "reason": "入库单价录错",
        },
    )
    document = CostAdjustment.objects.get()
    assert response.url == reverse(
        "inventory:costadjustment_detail", args=[document.pk]
    )
    detail = owner_client.get(response.url).content.decode()
    assert "入库单价录错" in detail and "¥4.59" in detail


def test_a_clerk_cannot_correct_costs(poisoned, staff_client):
    response = staff_client.post(
        reverse("inventory:costadjustment_create"),
        {"product": poisoned.sku, "new_unit_cost": "1", "reason": "x"},
    )
    assert response.status_code == 403
    assert not CostAdjustment.objects.exists()

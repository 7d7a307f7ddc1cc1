"""Stock under real shop timing (issue 13): a month closing while clerks post,
backdated documents, and postings whose form was read before another committed.
`check_stock` is the judge after every scenario."""

import threading
import time
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory
from inventory.checks import negative_running_balances, snapshot_drift
from inventory.models import (
    MonthSnapshot,
    MoveKind,
    ProductStock,
    StockLevel,
    StockMove,
)
from inventory.months import moment, month_close, month_reopen, next_month
from inventory.selectors import stock_drift
from inventory.services import MoveLine, stock_moves_post
from inventory.tests.test_concurrency import run_in_threads

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row and advisory locks need PostgreSQL (SQLite serializes writers)",
)


def last_month():
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def post(product, quantity, at, *, user, kind=MoveKind.RECEIPT, cost="2.00"):
    warehouse = Warehouse.objects.get(is_default=True)
    quantity = D(quantity)
    return stock_moves_post(
        lines=[
            MoveLine(
                product.pk,
                warehouse.pk,
                quantity,
                D(cost) if quantity > 0 else None,
            )
        ],
        kind=kind,
        source=None,
        occurred_at=at,
        user=user,
    )


def days_ago(days: int, hour: int = 12):
    day = timezone.localdate() - timedelta(days=days)
    return moment(day) + timedelta(hours=hour)


def sale_written_now_dated_two_days_ago(pen, owner):
    """Out 5, written straight into the ledger (as before the backdating rule),
    with the balances brought to agree: only the time order is wrong."""
    StockMove.objects.bulk_create(
        [
            StockMove(
                product=pen,
                warehouse=Warehouse.objects.get(is_default=True),
                quantity=D("-5"),
                unit_cost=D("2"),
                value=D("-10"),
                kind=MoveKind.SHIPMENT,
                occurred_at=days_ago(2),
                balance_after=D("0"),
                value_after=D("0"),
                created_by=owner,
            )
        ]
    )
    StockLevel.objects.filter(product=pen).update(on_hand=0, value=0)
    ProductStock.objects.filter(product=pen).update(on_hand=0, value=0)


def assert_ledger_clean():
    assert stock_drift() == []
    assert snapshot_drift() == []
    assert negative_running_balances() == []
    call_command("check_stock")


# --- closing a month while clerks post ----------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_month_close_and_postings_into_it_serialize_every_snapshot_equals_the_ledger(
    owner,
):
    """Posters date receipts into last month while the owner closes and reopens it
    in a loop. Every posting either lands before the close's snapshot (and is in
    it) or is refused as dated into a closed month; while the month is closed, its
    snapshot always equals the ledger."""
    month = last_month()
    inside = moment(month) + timedelta(days=10)
    products = [ProductFactory() for _ in range(3)]
    done = threading.Event()
    closes = 12

    def poster(index):
        got = []
        product = products[index % len(products)]
        while not done.is_set():
            try:
                post(product, "1", inside, user=owner)
                got.append("posted")
            except ValidationError as error:
                got.append(error.messages[0])
        return got

    def closer():
        seen = []
        try:
            for _ in range(closes):
                month_close(month=month, user=owner)
                # Give a posting that passed its check before the close a moment
                # to commit: without the month lock it lands after the snapshot.
                time.sleep(0.05)
                seen.append(snapshot_drift())
                month_reopen(user=owner)
            month_close(month=month, user=owner)
            time.sleep(0.05)
            seen.append(snapshot_drift())
        finally:
            done.set()
        return seen

    results = run_in_threads(4, lambda i: closer() if i == 0 else poster(i))
    drifts_seen, *posters = results
    assert not isinstance(drifts_seen, Exception), drifts_seen
    assert len(drifts_seen) == closes + 1
    assert all(drifts == [] for drifts in drifts_seen), drifts_seen
    for got in posters:
        assert not isinstance(got, Exception), got
        assert got, "every poster posted or was refused at least once"
        refusals = [g for g in got if g != "posted"]
        # "2026-11 is closed: nothing can be posted on 2026-11-11 …"
        day = f"{timezone.localtime(inside):%Y-%m-%d}"
        assert all(g.startswith(f"{month:%Y-%m}") and day in g for g in refusals), (
            refusals
        )
    posted = sum(got.count("posted") for got in posters)
    assert posted > 0
    assert StockMove.objects.count() == posted
    assert_ledger_clean()


@pytest.mark.django_db
def test_check_stock_fails_on_a_closed_month_snapshot_that_misses_a_move(owner):
    month = last_month()
    pen = ProductFactory(name="钢笔")
    post(pen, "5", moment(month) + timedelta(days=3), user=owner)
    closed = month_close(month=month, user=owner)
    assert_ledger_clean()
    MonthSnapshot.objects.filter(closed_month=closed, product=pen).update(
        quantity=D("4")
    )
    [drift] = snapshot_drift()
    assert (drift.month, drift.product_id, drift.warehouse_id) == (
        month,
        pen.pk,
        Warehouse.objects.get(is_default=True).pk,
    )
    assert (drift.snapshot_quantity, drift.ledger_quantity) == (D("4"), D("5"))
    with pytest.raises(CommandError, match="1 closed-month snapshot row"):
        call_command("check_stock")


@pytest.mark.django_db
def test_snapshot_drift_carries_earlier_months_into_later_snapshots(owner):
    first = last_month()
    before = (first - timedelta(days=1)).replace(day=1)
    pen = ProductFactory()
    post(pen, "5", moment(before) + timedelta(days=2), user=owner)
    month_close(month=before, user=owner)
    post(pen, "2", moment(first) + timedelta(days=2), user=owner)
    post(pen, "-3", moment(first) + timedelta(days=4), user=owner)
    closed = month_close(month=first, user=owner)
    assert MonthSnapshot.objects.get(closed_month=closed).quantity == D("4")
    assert snapshot_drift() == []
    MonthSnapshot.objects.filter(closed_month=closed).delete()
    [drift] = snapshot_drift()
    assert (drift.month, drift.snapshot_quantity, drift.ledger_quantity) == (
        first,
        D("0"),
        D("4"),
    )


# --- backdated documents --------------------------------------------------------------


@pytest.mark.django_db
def test_backdated_outbound_move_refused_when_stock_was_not_there_at_its_date(owner):
    """The issue's case: goods arrived today, a return dated last week."""
    pen = ProductFactory(name="钢笔", unit="支")
    post(pen, "10", timezone.now(), user=owner)
    week_ago = days_ago(7)
    moves_before = StockMove.objects.count()
    with pytest.raises(ValidationError) as refused:
        post(pen, "-10", week_ago, user=owner, kind=MoveKind.PURCHASE_RETURN)
    message = refused.value.messages[0]
    assert f"{timezone.localtime(week_ago):%Y-%m-%d}" in message
    assert "钢笔" in message
    assert "10 支 short" in message or "差 10 支" in message
    assert StockMove.objects.count() == moves_before
    assert StockLevel.objects.get(product=pen).on_hand == D("10")
    assert_ledger_clean()


@pytest.mark.django_db
def test_backdated_outbound_refused_when_a_later_move_would_go_negative(owner):
    pen = ProductFactory(unit="支")
    post(pen, "10", days_ago(7), user=owner)
    post(pen, "-8", days_ago(3), user=owner, kind=MoveKind.SHIPMENT)
    post(pen, "10", days_ago(1), user=owner)
    assert StockLevel.objects.get(product=pen).on_hand == D("12")
    with pytest.raises(ValidationError, match="3 支") as refused:
        post(pen, "-5", days_ago(5), user=owner, kind=MoveKind.PURCHASE_RETURN)
    # The lowest point is three days ago, after the sale of 8.
    assert f"{timezone.localtime(days_ago(3)):%Y-%m-%d}" in refused.value.messages[0]
    assert StockLevel.objects.get(product=pen).on_hand == D("12")
    # Up to what every later day still leaves is fine.
    post(pen, "-2", days_ago(5), user=owner, kind=MoveKind.PURCHASE_RETURN)
    assert StockLevel.objects.get(product=pen).on_hand == D("10")
    assert_ledger_clean()


@pytest.mark.django_db
def test_check_stock_fails_on_a_negative_running_balance(owner):
    pen = ProductFactory()
    post(pen, "5", days_ago(1), user=owner)
    assert_ledger_clean()
    # A move written before the rule existed: out 5 two days ago, in 5 yesterday
    # (the balance columns were right when it was posted, the level agrees).
    sale_written_now_dated_two_days_ago(pen, owner)
    assert stock_drift() == []
    [negative] = negative_running_balances()
    assert (negative.product_id, negative.balance) == (pen.pk, D("-5"))
    with pytest.raises(CommandError, match="1 move\\(s\\) leave a negative"):
        call_command("check_stock")


@pytest.mark.django_db
def test_a_sale_that_waited_for_a_receipt_stands_after_it_in_the_ledger(owner):
    """A sale whose form was read before a receipt committed (the receipt's date is
    later) stands where it was written, after that receipt: no negative running
    balance from timing alone, and both keep the dates they were given."""
    pen = ProductFactory()
    form_read = timezone.now() - timedelta(seconds=2)
    [receipt] = post(pen, "5", timezone.now(), user=owner)
    [sale] = post(pen, "-5", form_read, user=owner, kind=MoveKind.SHIPMENT)
    assert sale.occurred_at == form_read < receipt.occurred_at
    assert_ledger_clean()


@pytest.mark.django_db
def test_a_move_written_long_after_its_date_stands_at_its_date(owner):
    pen = ProductFactory()
    post(pen, "5", days_ago(1), user=owner)
    # Written now, dated two days ago: it stands before the receipt of yesterday.
    sale_written_now_dated_two_days_ago(pen, owner)
    assert [run.balance for run in negative_running_balances()] == [D("-5")]


@pytest.mark.django_db
def test_a_backdated_inbound_move_keeps_its_date(owner):
    pen = ProductFactory()
    week_ago = days_ago(7)
    [move] = post(pen, "5", week_ago, user=owner)
    assert move.occurred_at == week_ago
    assert next_month(last_month()) == timezone.localdate().replace(day=1)

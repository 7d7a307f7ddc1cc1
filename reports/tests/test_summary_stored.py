"""Issue 15, reports at the database's pace: a closed month's summary is stored by
the close and served as stored (equal to the live computation, row for row); a
period after the latest close starts from its snapshot; slow movers; report
tables a page at a time with exports of every row."""

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal as D

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import CategoryFactory, ProductFactory, WarehouseFactory
from inventory import documents
from inventory.models import ClosedMonth, MonthSummary
from inventory.months import moment, month_close, month_reopen, next_month
from inventory.selectors import monthly_summary, slow_movers, stored_summary
from inventory.services import MoveLine, stock_moves_post
from reports import selectors

pytestmark = pytest.mark.django_db

AUGUST, SEPTEMBER, OCTOBER = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)


def at(day: date, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def post(user, kind, day, *lines):
    """lines: (product, warehouse, quantity, unit cost or None)."""
    return stock_moves_post(
        lines=[
            MoveLine(p.pk, w.pk, D(q), D(c) if c is not None else None)
            for p, w, q, c in lines
        ],
        kind=kind,
        source=None,
        occurred_at=at(day),
        user=user,
    )


@pytest.fixture
def shop(owner):
    """Two warehouses, two categories, every kind of move in September (a transfer,
    a value-only cost correction, a stocktake, returns both ways), some in August
    and October; one product whose month nets to nothing at all."""
    main = Warehouse.objects.get(is_default=True)
    back = WarehouseFactory()
    fruit, pens = CategoryFactory(name="水果"), CategoryFactory(name="文具")
    apple = ProductFactory(sku="A1", category=fruit)
    pear = ProductFactory(sku="A2", category=fruit)
    pen = ProductFactory(sku="B1", category=pens)
    ink = ProductFactory(sku="B2", category=pens)
    gone = ProductFactory(sku="C1", category=pens)
    day = AUGUST + timedelta(days=9)
    post(owner, "opening", day, (apple, main, "10", "4.00"), (pear, back, "5", "2"))
    post(owner, "opening", day, (pen, main, "8", "3.333"), (ink, main, "3", "1"))
    post(owner, "receipt", day, (gone, main, "2", "7"))
    post(owner, "shipment", day + timedelta(days=1), (gone, main, "-2", None))
    day = SEPTEMBER + timedelta(days=2)
    post(owner, "receipt", day, (apple, main, "20", "5.50"), (pen, back, "6", "3.1"))
    post(owner, "shipment", day + timedelta(days=1), (apple, main, "-7", None))
    post(owner, "sales_return", day + timedelta(days=2), (apple, main, "1", "5.00"))
    post(owner, "adjustment", day + timedelta(days=3), (pen, main, "-2", None))
    post(owner, "stocktake", day + timedelta(days=4), (ink, main, "1", "1"))
    post(owner, "purchase_return", day + timedelta(days=5), (pen, back, "-1", None))
    post(owner, "transfer_out", day + timedelta(days=6), (apple, main, "-4", None))
    post(owner, "transfer_in", day + timedelta(days=6), (apple, back, "4", "5.1"))
    documents.cost_adjustment_post(
        warehouse=back,
        product=pear,
        new_unit_cost=D("2.75"),
        reason="单价录错",
        user=owner,
        occurred_at=at(day + timedelta(days=7)),
    )
    day = OCTOBER + timedelta(days=4)
    post(owner, "receipt", day, (pear, back, "3", "2.5"), (ink, main, "4", "1.2"))
    post(owner, "shipment", day + timedelta(days=1), (apple, main, "-3", None))
    return {"main": main, "back": back, "fruit": fruit, "pens": pens}


def filters(shop):
    for warehouse in (None, shop["main"], shop["back"]):
        for category in (None, shop["fruit"], shop["pens"]):
            yield (
                warehouse.pk if warehouse else None,
                category.pk if category else None,
            )


def live(month, warehouse_id, category_id):
    """The live computation from the whole ledger (no snapshot, nothing stored)."""
    return monthly_summary(
        start=moment(month),
        end=moment(next_month(month)),
        warehouse_id=warehouse_id,
        category_id=category_id,
    )


def test_stored_closed_month_summary_equals_the_live_one_row_for_row(owner, shop):
    month_close(month=AUGUST, user=owner)  # from the ledger
    month_close(month=SEPTEMBER, user=owner)  # from August's snapshot
    assert MonthSummary.objects.filter(closed_month__month=SEPTEMBER).exists()
    compared = 0
    for month in (AUGUST, SEPTEMBER):
        for warehouse_id, category_id in filters(shop):
            stored = stored_summary(
                month=month, warehouse_id=warehouse_id, category_id=category_id
            )
            assert stored is not None
            rows, totals = live(month, warehouse_id, category_id)
            assert stored == (rows, totals), (month, warehouse_id, category_id)
            # And the report serves it: two queries, whatever the filters.
            with CaptureQueriesContext(connection) as queries:
                served = selectors.summary(
                    start=month,
                    end=next_month(month),
                    warehouse_id=warehouse_id,
                    category_id=category_id,
                )
            assert served == stored and len(queries) == 2
            compared += len(rows)
    assert compared > 20
    # C1 nets to nothing in August but moved: shown; gone in September.
    august, _totals = live(AUGUST, None, None)
    assert "C1" in {r["product"].sku for r in august}
    september, totals = live(SEPTEMBER, None, None)
    pear = next(r for r in september if r["product"].sku == "A2")
    assert "C1" not in {r["product"].sku for r in september}
    assert pear["other_in_q"] == 0 and pear["other_in_v"] == D("3.75")
    assert totals["closing_v"] == sum(r["closing_v"] for r in september)


def test_closed_month_summary_is_read_not_recomputed(owner, shop):
    month_close(month=AUGUST, user=owner)
    month_close(month=SEPTEMBER, user=owner)
    row = MonthSummary.objects.get(
        closed_month__month=SEPTEMBER,
        warehouse=None,
        product__sku="A1",
    )
    MonthSummary.objects.filter(pk=row.pk).update(receipt_q=D("999"))
    rows, totals = selectors.summary(start=SEPTEMBER, end=OCTOBER)
    assert rows[0]["receipt_q"] == D("999") and totals["receipt_q"] == D("1005")
    # A period that is not the whole closed month is computed live.
    rows, _t = selectors.summary(start=SEPTEMBER, end=date(2026, 9, 30))
    assert rows[0]["receipt_q"] == D("20")


def test_reopen_deletes_the_stored_summary_and_a_close_stores_it_again(owner, shop):
    month_close(month=AUGUST, user=owner)
    month_close(month=SEPTEMBER, user=owner)
    assert month_reopen(user=owner) == SEPTEMBER
    assert not MonthSummary.objects.filter(closed_month__month=SEPTEMBER).exists()
    assert stored_summary(month=SEPTEMBER) is None
    # Open again: a late receipt changes September, and the report shows it.
    post(owner, "receipt", date(2026, 9, 28), (*_apple_main(shop), "1", "5"))
    rows, totals = selectors.summary(start=SEPTEMBER, end=OCTOBER)
    assert (rows, totals) == live(SEPTEMBER, None, None)
    assert rows[0]["receipt_q"] == D("21")
    month_close(month=SEPTEMBER, user=owner)
    assert stored_summary(month=SEPTEMBER) == (rows, totals)


def _apple_main(shop):
    from catalog.models import Product

    return Product.objects.get(sku="A1"), shop["main"]


def test_months_closed_before_summaries_were_stored_are_computed_live(owner, shop):
    month_close(month=AUGUST, user=owner)
    month_close(month=SEPTEMBER, user=owner)
    MonthSummary.objects.all().delete()
    ClosedMonth.objects.update(summary_stored=False)
    assert stored_summary(month=SEPTEMBER) is None
    assert selectors.summary(start=SEPTEMBER, end=OCTOBER) == live(
        SEPTEMBER, None, None
    )


def test_a_period_after_the_latest_close_starts_from_its_snapshot(owner, shop):
    month_close(month=AUGUST, user=owner)
    # September is open; the snapshot is August's; these periods start later.
    for start, end in (
        (date(2026, 9, 10), date(2026, 10, 6)),
        (OCTOBER, date(2026, 11, 1)),
        (date(2026, 10, 5), date(2026, 12, 1)),
    ):
        for warehouse_id, category_id in filters(shop):
            from_snapshot = selectors.summary(
                start=start,
                end=end,
                warehouse_id=warehouse_id,
                category_id=category_id,
            )
            from_ledger = monthly_summary(
                start=moment(start),
                end=moment(end),
                warehouse_id=warehouse_id,
                category_id=category_id,
            )
            assert from_snapshot == from_ledger, (start, warehouse_id, category_id)
    rows, _t = selectors.summary(start=OCTOBER, end=date(2026, 11, 1))
    apple = next(r for r in rows if r["product"].sku == "A1")
    assert (apple["opening_q"], apple["shipment_q"]) == (D("24"), D("3"))


def test_slow_movers_are_in_stock_and_unsold_since_the_day(owner):
    main = Warehouse.objects.get(is_default=True)
    today = timezone.localdate()
    long_ago, lately = today - timedelta(days=90), today - timedelta(days=10)
    old = ProductFactory(sku="OLD")  # sold 90 days ago, 9 left
    fresh = ProductFactory(sku="NEW")  # sold 10 days ago
    never = ProductFactory(sku="NEVER")  # never sold
    empty = ProductFactory(sku="EMPTY")  # sold 90 days ago, none left
    day = today - timedelta(days=100)
    post(owner, "receipt", day, (old, main, "10", "2"), (fresh, main, "10", "1"))
    post(owner, "receipt", day, (never, main, "3", "1"), (empty, main, "1", "1"))
    post(
        owner, "shipment", long_ago, (old, main, "-1", None), (empty, main, "-1", None)
    )
    post(owner, "shipment", lately, (fresh, main, "-1", None))
    post(owner, "shipment", long_ago, (fresh, main, "-1", None))

    rows = list(slow_movers(timezone.now() - timedelta(days=60)))

    assert [p.sku for p in rows] == ["OLD", "NEVER"]  # most capital first
    assert (rows[0].on_hand, rows[0].value) == (D("9"), D("18.00"))
    assert timezone.localtime(rows[0].last_sale).date() == long_ago
    assert rows[1].last_sale is None
    assert [p.sku for p in slow_movers(timezone.now() - timedelta(days=5))] == [
        "OLD",
        "NEW",
        "NEVER",
    ]


def test_turnover_shows_100_rows_a_page_and_exports_them_all(owner_client, owner):
    main = Warehouse.objects.get(is_default=True)
    products = ProductFactory.create_batch(105)
    stock_moves_post(
        lines=[MoveLine(p.pk, main.pk, D(2), D("1.50")) for p in products],
        kind="receipt",
        source=None,
        occurred_at=at(date(2026, 10, 5)),
        user=owner,
    )
    first = owner_client.get("/reports/turnover/", {"month": "2026-10"})
    last = owner_client.get("/reports/turnover/", {"month": "2026-10", "page": 2})
    assert len(first.context["rows"]) == 100 and len(last.context["rows"]) == 5
    assert "1 / 2" in first.content.decode() and "2 / 2" in last.content.decode()
    names = {r["name"] for r in first.context["rows"]} | {
        r["name"] for r in last.context["rows"]
    }
    assert len(names) == 105
    content = owner_client.get(
        "/reports/turnover/", {"month": "2026-10", "format": "xlsx"}
    ).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    exported = [
        row[0]
        for row in sheet.iter_rows(min_row=3, values_only=True)
        if row[0] in names
    ]
    assert len(exported) == 105


def test_summary_page_fetches_its_page_and_a_page_past_the_end_is_the_last(
    owner_client, owner
):
    main = Warehouse.objects.get(is_default=True)
    products = ProductFactory.create_batch(205)
    stock_moves_post(
        lines=[MoveLine(p.pk, main.pk, D(2), D("1.50")) for p in products],
        kind="receipt",
        source=None,
        occurred_at=at(date(2026, 10, 5)),
        user=owner,
    )
    skus = sorted(p.sku for p in products)
    past = owner_client.get("/reports/summary/", {"month": "2026-10", "page": 99})
    far = owner_client.get("/reports/summary/", {"month": "2026-10", "page": "9" * 30})
    assert far.context["page_obj"].number == 2
    bad = owner_client.get("/reports/summary/", {"month": "2026-10", "page": "x"})
    assert [r["product"].sku for r in past.context["rows"]] == skus[200:]
    assert past.context["page_obj"].number == 2
    assert [r["product"].sku for r in bad.context["rows"]] == skus[:200]
    assert past.context["totals"]["closing_q"] == D(410)
    last = max(products, key=lambda p: p.sku)
    assert (
        f'<a href="/inventory/card/{last.pk}/?start=2026-10-01&amp;end=2026-10-31">'
        f"{last.sku}</a> {last.name}"
    ) in past.content.decode()
    rows, _totals = selectors.summary(
        start=OCTOBER, end=date(2026, 11, 1), window=(200, 200)
    )
    assert (len(rows), rows.count_all) == (5, 205)


def test_months_closed_before_summaries_were_stored_are_stored_by_the_command(
    owner, shop
):
    from django.core.management import call_command

    month_close(month=AUGUST, user=owner)
    month_close(month=SEPTEMBER, user=owner)
    expected = {
        m: selectors.summary(start=m, end=next_month(m)) for m in (AUGUST, SEPTEMBER)
    }
    MonthSummary.objects.all().delete()
    ClosedMonth.objects.update(summary_stored=False)
    out = io.StringIO()
    call_command("store_month_summaries", stdout=out)
    assert out.getvalue().strip() == "stored: 2026-08, 2026-09"
    for month, report in expected.items():
        assert stored_summary(month=month) == report
    again = io.StringIO()
    call_command("store_month_summaries", stdout=again)
    assert "already stored" in again.getvalue()
    assert MonthSummary.objects.filter(closed_month__month=AUGUST).count() > 0

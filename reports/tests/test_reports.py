"""Hand-computed report scenarios: the summary reconciles, month close freezes the
ledger, reorder suggests the right quantities, the dashboard counts right."""

import io
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from inventory import documents
from inventory.models import MonthSnapshot, StockLevel
from inventory.months import month_close, month_reopen
from inventory.selectors import monthly_summary
from inventory.tests.factories import issue, receive
from purchasing.models import PurchaseOrder
from reports import selectors
from sales.tests.factories import confirmed, draft, ship

pytestmark = pytest.mark.django_db
D = Decimal


def at(day: date, hour=12, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def post(product, quantity, cost, day, *, user, kind="receipt", warehouse=None):
    from inventory.services import MoveLine, stock_moves_post

    warehouse = warehouse or Warehouse.objects.get(is_default=True)
    return stock_moves_post(
        lines=[
            MoveLine(
                product.pk,
                warehouse.pk,
                D(quantity),
                D(cost) if cost is not None else None,
            )
        ],
        kind=kind,
        source=None,
        occurred_at=day,
        user=user,
    )


@pytest.fixture
def october(owner):
    """Apples: 10 opening in September; October: +20 received, −12 shipped, +1 back,
    −2 written off; one sale at 23:30 on 31 October."""
    apple = ProductFactory(sku="SG001", name="苹果")
    post(apple, "10", "4.00", at(date(2026, 9, 15)), user=owner, kind="opening")
    post(apple, "20", "5.50", at(date(2026, 10, 3)), user=owner)
    post(apple, "-10", None, at(date(2026, 10, 10)), user=owner, kind="shipment")
    post(apple, "1", "5.00", at(date(2026, 10, 12)), user=owner, kind="sales_return")
    post(apple, "-2", None, at(date(2026, 10, 20)), user=owner, kind="adjustment")
    post(apple, "-2", None, at(date(2026, 10, 31), 23, 30), user=owner, kind="shipment")
    post(apple, "-1", None, at(date(2026, 11, 1), 0, 10), user=owner, kind="shipment")
    return apple


def test_monthly_summary_reconciles_and_cuts_months_in_local_time(october):
    rows, totals = selectors.summary(start=date(2026, 10, 1), end=date(2026, 11, 1))
    [row] = rows
    assert row["opening_q"] == D("10") and row["opening_v"] == D("40.00")
    assert (row["receipt_q"], row["receipt_v"]) == (D("20"), D("110.00"))
    assert row["sales_return_q"] == D("1")
    assert row["shipment_q"] == D("12")  # 23:30 on the 31st is October
    assert row["other_out_q"] == D("2")
    assert row["closing_q"] == D("17")
    for data in (row, totals):
        for unit in ("q", "v"):
            assert data[f"closing_{unit}"] == (
                data[f"opening_{unit}"]
                + data[f"receipt_{unit}"]
                + data[f"sales_return_{unit}"]
                + data[f"other_in_{unit}"]
                - data[f"shipment_{unit}"]
                - data[f"purchase_return_{unit}"]
                - data[f"other_out_{unit}"]
            )
    level = StockLevel.objects.get(product=october)
    november, _totals = selectors.summary(
        start=date(2026, 11, 1), end=date(2026, 12, 1)
    )
    assert november[0]["closing_q"] == level.on_hand
    assert november[0]["closing_v"] == level.value


def test_transfers_cancel_out_unless_a_warehouse_is_chosen(owner):
    main = Warehouse.objects.get(is_default=True)
    back = WarehouseFactory()
    pen = ProductFactory()
    receive(pen, "10", "1", user=owner)
    documents.transfer_post(
        from_warehouse=main,
        to_warehouse=back,
        lines=[(pen, D("4"))],
        note="",
        user=owner,
    )
    today = timezone.localdate()
    start, end = today.replace(day=1), today + timedelta(days=1)
    [row], _t = selectors.summary(start=start, end=end)
    assert (row["other_in_q"], row["other_out_q"], row["closing_q"]) == (
        D("10"),
        0,
        D("10"),
    )
    [row], _t = selectors.summary(start=start, end=end, warehouse_id=back.pk)
    assert (row["other_in_q"], row["closing_q"]) == (D("4"), D("4"))


def test_month_close_snapshot_equals_the_ledger_and_freezes_the_month(owner, october):
    closed = month_close(month=date(2026, 9, 1), user=owner)
    month_close(month=date(2026, 10, 1), user=owner)
    snap = MonthSnapshot.objects.get(closed_month__month=date(2026, 10, 1))
    assert snap.quantity == D("17")
    with_snapshot = selectors.summary(start=date(2026, 11, 1), end=date(2026, 12, 1))
    from_ledger = monthly_summary(
        start=at(date(2026, 11, 1), 0), end=at(date(2026, 12, 1), 0)
    )
    assert with_snapshot[1] == from_ledger[1]
    with pytest.raises(ValidationError, match="2026-10"):
        post(october, "1", "1", at(date(2026, 10, 30)), user=owner)
    with pytest.raises(ValidationError, match="2026-11"):
        month_close(month=date(2026, 12, 1), user=owner)  # not in order / not over
    assert month_reopen(user=owner) == date(2026, 10, 1)
    post(october, "1", "1", at(date(2026, 10, 30)), user=owner)
    assert closed.month == date(2026, 9, 1)


def test_apples_below_safety_stock_are_suggested_for_a_typical_week(owner):
    supplier = SupplierFactory()
    apple = ProductFactory(
        name="苹果",
        safety_stock=D("50"),
        reorder_quantity=D("20"),
        lead_time_days=2,
        preferred_supplier=supplier,
    )
    receive(apple, "130", "4", user=owner)
    issue(apple, "100", user=owner)
    [suggestion] = selectors.reorder_suggestions(days=7)
    assert suggestion.projected == D("30")
    assert suggestion.daily == D("14.286")
    # ⌈14.286 × (2 + 7) + 50 − 30⌉ = 149: a week of 100 plus the safety gap
    assert suggestion.quantity == D("149")
    from reports import services

    [order] = services.reorder_draft_orders(
        quantities={apple: suggestion.quantity}, user=owner
    )
    assert (order.status, order.supplier) == ("draft", supplier)
    assert order.lines.get().quantity == D("149")


def test_backordered_computers_count_as_demand(owner):
    pc = ProductFactory(safety_stock=D("2"), preferred_supplier=SupplierFactory())
    receive(pc, "15", "2000", user=owner)
    from sales import services as sales_services

    sales_services.sales_order_confirm(
        order=draft(owner, [(pc, "20")]), user=owner, on_shortage="backorder"
    )
    [suggestion] = selectors.reorder_suggestions()
    assert (suggestion.reserved, suggestion.backorder, suggestion.projected) == (
        D("15"),
        D("5"),
        D("-5"),
    )
    # Nothing sold yet (daily 0): ⌈0 × (lead + 7) + 2 − (−5)⌉ = 7, the safety stock
    # plus the 5 promised to the customer that are not there.
    assert suggestion.daily == 0
    assert suggestion.quantity == D("7")


def test_dashboard_counts_today(owner):
    pc = ProductFactory(sale_price=D("10"))
    receive(pc, "5", "6", user=owner)
    ship(owner, confirmed(owner, [(pc, "2")]))
    data = selectors.dashboard()
    assert (
        data["today"]["amount"],
        data["today"]["count"],
        data["today"]["profit"],
    ) == (D("20.00"), 1, D("8.00"))
    assert data["stock_value"] == D("18.00")
    assert data["trend"][-1][1] == D("20.00")
    assert data["top"][0]["amount"] == D("20.00")


def test_summary_excel_has_title_formats_totals_and_a_chart(owner_client, october):
    response = owner_client.get("/reports/summary/export/", {"month": "2026-10"})
    assert (
        "%E8%BF%9B%E9%94%80%E5%AD%98%E6%B1%87%E6%80%BB_2026-10.xlsx"
        in response["Content-Disposition"]
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert "2026-10" in sheet["A1"].value
    assert sheet["A2"].value == "商品编码"
    assert sheet["D3"].value == 10 and sheet["E3"].number_format == '"¥"#,##0.00'
    assert sheet.cell(row=4, column=1).value == "合计金额"
    assert sheet.cell(row=3, column=18).value == 17
    assert workbook.worksheets[1]._charts  # a native Excel chart, on its own sheet


def test_reports_are_owner_only_except_reorder(staff_client, owner, october):
    assert staff_client.get("/reports/summary/").status_code == 403
    assert staff_client.get("/reports/month-close/").status_code == 403
    html = staff_client.get("/reports/reorder/").content.decode()
    assert "¥" not in html
    home = staff_client.get("/").content.decode()
    assert "毛利" not in home and 'id="stock-value"' not in home


def test_turnover_of_a_hand_computed_month(owner, october):
    """October by hand: 10 at 4.00 opening (40.00); +20 at 5.50 makes 30 worth
    150.00, an average of 5.00 that every later move keeps. Out: 10 + 2 shipped at
    5.00 (60.00), 1 back at 5.00 (5.00), 2 written off (10.00, not sold).
    COGS = 60.00 − 5.00 = 55.00; closing 17 × 5.00 = 85.00;
    average = (40.00 + 85.00) / 2 = 62.50; turnover = 55.00 / 62.50 = 0.88;
    days = 31 / 0.88 = 35.2."""
    [row] = selectors.turnover(start=date(2026, 10, 1), end=date(2026, 11, 1))
    assert (row["opening"], row["closing"], row["cogs"]) == (
        D("40.00"),
        D("85.00"),
        D("55.00"),
    )
    assert row["average"] == D("62.50")
    assert row["turnover"] == D("0.88")
    assert row["days"] == D("35.2")
    assert row["flag"] == ""


def test_sales_ranking_abc_and_period_comparison(owner):
    a = ProductFactory(name="A", sale_price=D("80"))
    b = ProductFactory(name="B", sale_price=D("15"))
    c = ProductFactory(name="C", sale_price=D("5"))
    for product in (a, b, c):
        receive(product, "10", "1", user=owner)
    ship(owner, confirmed(owner, [(a, "1"), (b, "1"), (c, "1")]))
    today = timezone.localdate()
    rows = selectors.sales_ranking(start=today, end=today + timedelta(days=1))
    assert [(r["product__name"], r["abc"]) for r in rows] == [
        ("A", "A"),
        ("B", "B"),
        ("C", "C"),
    ]
    assert rows[0]["profit"] == D("79.00")
    comparison = selectors.period_comparison(start=today, end=today + timedelta(days=1))
    assert comparison["now"]["amount"] == D("100.00")
    assert comparison["before"]["amount"] == 0 and comparison["change"] is None


def test_price_volatility_flags_a_swinging_supplier(owner):
    from purchasing.tests.factories import ordered, received

    supplier = SupplierFactory(name="波动供应商")
    apple = ProductFactory(name="苹果")
    for days_ago, price in ((20, "4.00"), (10, "6.00"), (1, "5.00")):
        order = ordered(owner, [(apple, "1", price)], supplier=supplier)
        received(owner, order, [(apple, "1")], days_ago=days_ago)
    today = timezone.localdate()
    [row] = selectors.price_volatility(
        start=today - timedelta(days=30), end=today + timedelta(days=1)
    )
    assert (row["low"], row["high"], row["mean"]) == (
        D("4.0000"),
        D("6.0000"),
        D("5.0000"),
    )
    assert row["sigma"] == D("0.8165")  # population standard deviation
    assert row["cv"] == D("16.3") and row["flag"] == "swing"
    assert (row["last"], row["trend"]) == (D("5.0000"), D("1.0000"))


def test_analysis_pages_export_and_stay_owner_only(owner_client, staff, october):
    from django.test import Client

    staff_client = Client()
    staff_client.force_login(staff)
    for url in (
        "/reports/turnover/",
        "/reports/sales/",
        "/reports/prices/",
        "/reports/slow/",
    ):
        assert owner_client.get(url, {"month": "2026-10"}).status_code == 200
        assert staff_client.get(url).status_code == 403
    content = owner_client.get(
        "/reports/turnover/", {"month": "2026-10", "format": "xlsx"}
    ).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert "2026-10" in sheet["A1"].value
    assert sheet["B3"].number_format == '"¥"#,##0.00'


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/reports/summary/",
        "/reports/reorder/",
        "/reports/turnover/",
        "/reports/sales/",
        "/reports/prices/",
        "/reports/slow/",
        "/reports/reorder/?format=xlsx",
    ],
)
def test_report_query_counts_do_not_grow_with_products(
    owner_client, owner, url, count_queries
):

    def count():
        return count_queries(owner_client, url)

    receive(ProductFactory(safety_stock=D("5")), "1", "1", user=owner)
    few = count()
    for _ in range(10):
        receive(ProductFactory(safety_stock=D("5")), "1", "1", user=owner)
    assert count() == few


def test_tables_sort_by_any_column_and_chart_the_top(owner_client, owner):
    a = ProductFactory(name="甲", sale_price=D("80"))
    b = ProductFactory(name="乙", sale_price=D("15"))
    for product in (a, b):
        receive(product, "10", "1", user=owner)
    ship(owner, confirmed(owner, [(a, "1"), (b, "3")]))
    today = timezone.localdate().isoformat()
    response = owner_client.get(
        "/reports/sales/", {"start": today, "end": today, "o": "-quantity"}
    )
    assert [r["product__name"] for r in response.context["table"].rows] == ["乙", "甲"]
    assert 'id="report-chart"' in response.content.decode()


def test_owner_makes_draft_orders_from_the_reorder_page(owner_client, owner):
    supplier = SupplierFactory()
    pen = ProductFactory(safety_stock=D("10"), preferred_supplier=supplier)
    receive(pen, "2", "1", user=owner)
    page = owner_client.get("/reports/reorder/").content.decode()
    assert f'name="quantity_{pen.pk}"' in page
    response = owner_client.post(
        "/reports/reorder/orders/", {"product": [pen.pk], f"quantity_{pen.pk}": "30"}
    )
    assert response.status_code == 302
    order = PurchaseOrder.objects.get()
    assert (order.supplier, order.lines.get().quantity) == (supplier, D("30"))


def test_summary_page_shows_200_rows_a_page_and_totals_of_all(owner_client, owner):
    from inventory.services import MoveLine, stock_moves_post

    warehouse = Warehouse.objects.get(is_default=True)
    products = ProductFactory.create_batch(205)
    stock_moves_post(
        lines=[MoveLine(p.pk, warehouse.pk, D(2), D("1.50")) for p in products],
        kind="receipt",
        source=None,
        occurred_at=at(date(2026, 10, 5)),
        user=owner,
    )

    first = owner_client.get("/reports/summary/", {"month": "2026-10"})
    second = owner_client.get("/reports/summary/", {"month": "2026-10", "page": 2})

    assert len(first.context["rows"]) == 200
    assert len(second.context["rows"]) == 5
    assert first.context["totals"]["receipt_q"] == D(410)
    assert second.context["totals"]["closing_v"] == D("615.00")
    assert "1 / 2" in first.content.decode() and "2 / 2" in second.content.decode()


def test_the_reorder_form_carries_a_submission_token(owner_client, owner):
    pen = ProductFactory(safety_stock=D("10"), preferred_supplier=SupplierFactory())
    receive(pen, "2", "1", user=owner)

    page = owner_client.get("/reports/reorder/")

    token = page.context["submission"]
    assert f'name="submission" value="{token}"' in page.content.decode()


def test_reorder_submitted_twice_makes_one_set_of_draft_orders(owner_client, owner):
    """A double click on 生成采购草稿 (or a retry after a lost answer): the second
    submit of the same form finds the orders of the first."""
    pens, paper = SupplierFactory(), SupplierFactory()
    pen = ProductFactory(safety_stock=D("10"), preferred_supplier=pens)
    ream = ProductFactory(safety_stock=D("10"), preferred_supplier=paper)
    for product in (pen, ream):
        receive(product, "2", "1", user=owner)
    data = {
        "submission": str(uuid.uuid4()),
        "product": [pen.pk, ream.pk],
        f"quantity_{pen.pk}": "30",
        f"quantity_{ream.pk}": "5",
    }

    first = owner_client.post("/reports/reorder/orders/", data, follow=True)
    second = owner_client.post("/reports/reorder/orders/", data, follow=True)

    orders = list(PurchaseOrder.objects.order_by("pk"))
    assert [o.supplier for o in orders] == [pens, paper]
    assert [o.lines.get().quantity for o in orders] == [D("30"), D("5")]
    # Both answers name the same orders.
    numbers = "、".join(o.number for o in orders)
    assert numbers in first.content.decode()
    assert numbers in second.content.decode()


def test_a_garbled_reorder_token_is_refused_and_makes_nothing(owner_client, owner):
    pen = ProductFactory(safety_stock=D("10"), preferred_supplier=SupplierFactory())
    receive(pen, "2", "1", user=owner)

    response = owner_client.post(
        "/reports/reorder/orders/",
        {"submission": "not-a-token", "product": [pen.pk], f"quantity_{pen.pk}": "3"},
        follow=True,
    )

    assert "此表单已过期或不完整" in response.content.decode()
    assert not PurchaseOrder.objects.exists()

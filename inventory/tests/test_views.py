import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Warehouse
from catalog.tests.factories import CategoryFactory, ProductFactory, WarehouseFactory
from inventory.models import Adjustment, OpeningStock, StockLevel, StockMove, Stocktake
from inventory.tests.factories import issue, receive
from jxc.testing.imports import upload

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def stocked(owner):
    apple = ProductFactory(
        sku="SG001", name="苹果", unit="斤", safety_stock=D("50"), purchase_price=D("4")
    )
    pen = ProductFactory(sku="WJ001", name="中性笔", unit="支", safety_stock=D("5"))
    receive(apple, "30", "4.00", user=owner)
    receive(pen, "100", "1.10", user=owner)
    return apple, pen


def test_overview_shows_balances_totals_and_costs_to_the_owner(owner_client, stocked):
    html = owner_client.get("/inventory/").content.decode()
    assert "苹果" in html and "中性笔" in html
    assert "¥230.00" in html  # 30 × 4.00 + 100 × 1.10
    assert 'id="total-on-hand">130<' in html


def test_staff_see_stock_but_no_cost_or_value(staff_client, stocked):
    html = staff_client.get("/inventory/").content.decode()
    assert "苹果" in html
    assert "¥" not in html
    assert "库存金额" not in html and "成本" not in html
    content = staff_client.get("/inventory/export/").content
    rows = list(
        openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(
            min_row=2, values_only=True
        )
    )
    assert "库存金额" not in rows[0] and "成本单价" not in rows[0]


def test_below_safety_stock_filter(owner_client, stocked):
    response = owner_client.get("/inventory/", {"below": "on"})
    assert [p.name for p, _levels in response.context["rows"]] == ["苹果"]


def test_overview_filters_by_warehouse(owner_client, stocked, owner):
    back = WarehouseFactory(name="后仓")
    apple, _pen = stocked
    receive(apple, "7", "4", user=owner, warehouse=back)
    response = owner_client.get("/inventory/", {"warehouse": back.pk})
    rows = {p.name: p.on_hand for p, _levels in response.context["rows"]}
    assert rows["苹果"] == D("7")
    assert response.context["totals"]["total_on_hand"] == D("7")


def test_overview_query_count_is_flat(owner_client, owner, count_queries):
    def count():
        return count_queries(owner_client, "/inventory/", status=None)

    receive(ProductFactory(), "1", "1", user=owner)
    few = count()
    for _ in range(25):
        receive(ProductFactory(category=CategoryFactory()), "2", "1", user=owner)
    assert count() == few


def test_stock_card_shows_opening_balance_and_running_balance(
    owner_client, stocked, owner
):
    apple, _pen = stocked
    issue(apple, "4", user=owner)
    response = owner_client.get(f"/inventory/card/{apple.pk}/")
    moves = list(response.context["page_obj"])
    assert [m.balance for m in moves] == [D("30"), D("26")]
    assert response.context["card"].opening_quantity == 0
    export = owner_client.get(f"/inventory/card/{apple.pk}/export/")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(
            min_row=2, values_only=True
        )
    )
    assert rows[1][6] == 0 and rows[-1][6] == 26
    # time, kind (in Chinese), document, warehouse, in, out, balance, cost, value,
    # value after
    received, shipped = rows[-2], rows[-1]
    store = Warehouse.objects.get(is_default=True).name
    assert received[1:7] == ("期初库存", None, store, 30, None, 30)
    assert shipped[1:7] == ("销售出库", None, store, None, 4, 26)
    assert shipped[7] == float(moves[1].unit_cost)
    assert shipped[8] == float(moves[1].value) and shipped[9] == float(
        moves[1].running_value
    )


def test_stock_card_refuses_a_reversed_date_range(owner_client, stocked):
    apple, _pen = stocked
    response = owner_client.get(
        f"/inventory/card/{apple.pk}/", {"start": "2026-12-01", "end": "2026-11-01"}
    )
    assert "结束日期早于开始日期" in response.content.decode()


def test_product_page_fragment_shows_stock_per_warehouse(staff_client, stocked):
    apple, _pen = stocked
    html = staff_client.get(f"/inventory/product/{apple.pk}/").content.decode()
    assert "主仓库" in html and "30 斤" in html
    assert "¥" not in html


def test_owner_posts_an_adjustment_through_the_form(owner_client, stocked):
    apple, _pen = stocked
    form = {
        "warehouse": Warehouse.objects.get(is_default=True).pk,
        "note": "",
        "submission": "6f1c1c4e-8d2a-4a53-9a39-5b0c7b1d2e11",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "sg001",
        "lines-0-direction": "out",
        "lines-0-quantity": "2.5",
        "lines-0-reason": "damaged",
        "lines-1-product": "",
        "lines-1-direction": "out",
        "lines-1-quantity": "",
        "lines-1-reason": "damaged",
    }
    response = owner_client.post("/inventory/adjustments/new/", form)
    again = owner_client.post("/inventory/adjustments/new/", form)  # a double click
    adjustment = Adjustment.objects.get()
    assert response.status_code == 302
    assert again.url == response.url
    assert StockLevel.objects.get(product=apple).on_hand == D("27.5")
    detail = owner_client.get(
        f"/inventory/adjustments/{adjustment.pk}/"
    ).content.decode()
    assert adjustment.number in detail


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"lines-0-product": "NOPE", "lines-0-quantity": "1"}, "没有编码或条码"),
        ({"lines-0-product": "SG001", "lines-0-quantity": "-1"}, "大于或等于0.001"),
        ({"lines-0-product": "SG001", "lines-0-quantity": "1.0001"}, "3 位"),
        ({"lines-0-product": "SG001", "lines-0-quantity": "31"}, "库存不足"),
        ({"lines-0-product": "", "lines-0-quantity": ""}, "请至少录入一行"),
    ],
)
def test_bad_adjustments_are_refused_and_nothing_changes(
    owner_client, stocked, line, message
):
    data = {
        "warehouse": Warehouse.objects.get(is_default=True).pk,
        "note": "",
        "submission": "0b8e1f34-2a43-4f7e-8d0c-0e8f8e3b9a10",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-direction": "out",
        "lines-0-reason": "damaged",
        **line,
    }
    moves = StockMove.objects.count()
    response = owner_client.post("/inventory/adjustments/new/", data, follow=True)
    assert message in response.content.decode()
    assert StockMove.objects.count() == moves
    assert not Adjustment.objects.exists()
    if line["lines-0-product"]:  # a failed submit keeps every typed line
        assert f'value="{line["lines-0-product"]}"' in response.content.decode()


def test_staff_may_not_adjust_or_import_opening_stock(staff_client):
    assert staff_client.get("/inventory/adjustments/new/").status_code == 403
    assert staff_client.get("/inventory/opening/").status_code == 403
    assert staff_client.get("/inventory/stocktakes/new/").status_code == 403


def test_transfer_to_the_same_warehouse_is_refused_in_the_form(owner_client, stocked):
    main = Warehouse.objects.get(is_default=True)
    response = owner_client.post(
        "/inventory/transfers/new/",
        {
            "from_warehouse": main.pk,
            "to_warehouse": main.pk,
            "submission": "3d4c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09",
            "note": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": "SG001",
            "lines-0-quantity": "1",
        },
    )
    assert "请选择另一个调入仓库" in response.content.decode()


def test_staff_enter_counts_and_the_owner_posts(owner_client, staff, stocked):
    from django.test import Client

    apple, _pen = stocked
    response = owner_client.post(
        "/inventory/stocktakes/new/",
        {"warehouse": Warehouse.objects.get(is_default=True).pk},
    )
    stocktake = Stocktake.objects.get()
    assert response.url == f"/inventory/stocktakes/{stocktake.pk}/"
    clerk = Client()
    clerk.force_login(staff)
    line = stocktake.lines.get(product=apple)
    clerk.post(
        f"/inventory/stocktakes/{stocktake.pk}/",
        {"version": "0", f"count_{line.pk}": "29"},
    )
    assert (
        clerk.post(
            f"/inventory/stocktakes/{stocktake.pk}/post/", {"version": "1"}
        ).status_code
        == 403
    )
    review = owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/review/")
    row = next(r for r in review.context["rows"] if r.line.pk == line.pk)
    assert (row.expected, row.difference, row.after) == (D("30"), D("-1"), D("29"))
    owner_client.post(f"/inventory/stocktakes/{stocktake.pk}/post/", {"version": "1"})
    assert StockLevel.objects.get(product=apple).on_hand == D("29")
    printed = owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/print/")
    assert "盘点表" in printed.content.decode()


def test_stale_count_sheet_says_so_and_keeps_the_other_counts(owner_client, stocked):
    apple, _pen = stocked
    owner_client.post(
        "/inventory/stocktakes/new/",
        {"warehouse": Warehouse.objects.get(is_default=True).pk},
    )
    stocktake = Stocktake.objects.get()
    line = stocktake.lines.get(product=apple)
    owner_client.post(
        f"/inventory/stocktakes/{stocktake.pk}/",
        {"version": "0", f"count_{line.pk}": "29"},
    )
    response = owner_client.post(
        f"/inventory/stocktakes/{stocktake.pk}/",
        {"version": "0", f"count_{line.pk}": "5"},
        follow=True,
    )
    assert "有人保存了盘点数量" in response.content.decode()
    line.refresh_from_db()
    assert line.counted_quantity == D("29")


def test_opening_stock_import(owner_client):
    ProductFactory(sku="SG001", name="苹果")
    WarehouseFactory(code="WH02", name="后仓")
    data = "商品编码,仓库,数量,成本单价\nSG001,,10,4.5\nsg001,后仓,2,4.4\n".encode(
        "gb18030"
    )
    response = upload(owner_client, "/inventory/opening/", "o.csv", data, follow=True)
    assert "期初库存" in response.content.decode()
    assert OpeningStock.objects.count() == 1
    assert sorted(StockLevel.objects.values_list("on_hand", flat=True)) == [
        D("2"),
        D("10"),
    ]


def test_opening_stock_import_refuses_bad_rows_and_writes_nothing(owner_client):
    ProductFactory(sku="SG001")
    data = (
        "商品编码,仓库,数量,成本单价\n"
        "NOPE,,1,1\nSG001,火星仓,1,1\nSG001,,0,1\nSG001,,1,-2\n"
    )
    response = owner_client.post(
        "/inventory/opening/", {"file": SimpleUploadedFile("o.csv", data.encode())}
    )
    problems = {(p.row, p.column) for p in response.context["problems"]}
    assert {(2, "商品编码"), (3, "仓库"), (4, "数量"), (5, "成本单价")} <= problems
    assert not StockMove.objects.exists()
    assert not OpeningStock.objects.exists()


def test_owner_cancels_opening_stock_and_a_posted_stocktake(owner_client, owner):
    product = ProductFactory(sku="SG001")
    data = "商品编码,数量,成本单价\nSG001,10,2\n".encode()
    upload(owner_client, "/inventory/opening/", "o.csv", data)
    opening = OpeningStock.objects.get()
    assert (
        opening.number
        in owner_client.get(f"/inventory/opening/{opening.pk}/").content.decode()
    )
    owner_client.post(
        "/inventory/stocktakes/new/",
        {"warehouse": Warehouse.objects.get(is_default=True).pk},
    )
    stocktake = Stocktake.objects.get()
    line = stocktake.lines.get(product=product)
    owner_client.post(
        f"/inventory/stocktakes/{stocktake.pk}/",
        {"version": "0", f"count_{line.pk}": "12"},
    )
    owner_client.post(f"/inventory/stocktakes/{stocktake.pk}/post/", {"version": "1"})
    assert StockLevel.objects.get(product=product).on_hand == D("12")
    owner_client.post(
        f"/inventory/stocktakes/{stocktake.pk}/cancel/", {"reason": "数错了"}
    )
    owner_client.post(
        f"/inventory/opening/{opening.pk}/cancel/", {"reason": "重新导入"}
    )
    assert StockLevel.objects.get(product=product).on_hand == D("0")
    assert StockMove.objects.filter(is_reversal=True).count() == 2


BOTH, APPLE = ["SG001", "WJ001"], ["SG001"]


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ({"warehouse": "²"}, BOTH),
        ({"warehouse": "99999999999999999999999"}, BOTH),
        ({"o": "-value"}, BOTH),
        # A checkbox: any value but an empty or false one ticks it (Django's
        # BooleanField), so only the apple below its safety stock is listed.
        ({"below": "maybe"}, APPLE),
        ({"page": "abc"}, BOTH),
    ],
)
def test_odd_overview_queries_never_fail(staff_client, stocked, query, listed):
    response = staff_client.get("/inventory/", query)
    assert response.status_code == 200
    # The odd value is ignored: the products are listed as without it.
    assert [p.sku for p, _levels in response.context["rows"]] == listed


def test_staff_cannot_sort_by_stock_value(staff_client, stocked):
    response = staff_client.get("/inventory/", {"o": "-value"})
    assert [p.sku for p, _levels in response.context["rows"]] == ["SG001", "WJ001"]


@pytest.mark.parametrize("query", [{"start": "0001-01-01"}, {"end": "9999-12-31"}])
def test_far_away_dates_on_the_stock_card_are_refused_politely(
    owner_client, stocked, query
):
    apple, _pen = stocked
    page = owner_client.get(f"/inventory/card/{apple.pk}/", query)
    assert page.status_code == 200
    assert "2000" in page.content.decode()
    assert (
        owner_client.get(f"/inventory/card/{apple.pk}/export/", query).status_code
        == 200
    )


def test_owner_export_has_unit_cost_and_value(owner_client, stocked):
    content = owner_client.get("/inventory/export/").content
    rows = list(
        openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(
            min_row=2, values_only=True
        )
    )
    assert rows[0][-2:] == ("成本单价", "库存金额")
    assert rows[1][-2:] == (4, 120)

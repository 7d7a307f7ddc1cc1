"""Documents: creating, posting, confirming, cancelling and closing each leave an
entry in the same transaction; a refused or rolled-back write leaves none; the
audit costs a posting exactly one INSERT."""

import uuid
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import Action, AuditEntry
from audit.tests.helpers import actions, last, trail
from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, SupplierFactory, WarehouseFactory
from inventory import documents
from inventory.documents import AdjustmentInput
from inventory.models import ClosedMonth, OpeningStock, StockMove
from inventory.months import month_close, month_reopen
from inventory.services import InsufficientStock
from inventory.tests.factories import receive
from jxc.testing.imports import upload
from purchasing import services as purchasing
from purchasing.models import OrderStatus, PurchaseOrder
from purchasing.tests.factories import ordered, received
from reports.services import reorder_draft_orders
from sales import services as sales
from sales.tests.factories import confirmed, draft, ship

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def main(db):
    return Warehouse.objects.get(is_default=True)


class Boom(Exception):
    pass


# --- purchasing -----------------------------------------------------------------------


def test_purchase_order_draft_edit_place_and_close(owner, staff):
    apple = ProductFactory(sku="SG001", purchase_price=D("4.00"))
    order = ordered(staff, [(apple, "10", "4")], confirm=False)
    created = last(order)
    assert (created.user, created.action, created.object_label) == (
        staff,
        Action.CREATE,
        order.number,
    )
    assert created.changes["total"] == [None, "40.00"]
    assert created.changes["lines"] == [None, 1]

    purchasing.purchase_order_save(
        order=order,
        supplier=order.supplier,
        warehouse=order.warehouse,
        order_date=order.order_date,
        expected_date=None,
        note="加急",
        lines=[purchasing.OrderLineInput(apple, D("12"), D("4"))],
        user=staff,
    )
    assert last(order).action == Action.CHANGE
    assert last(order).changes == {"note": ["", "加急"], "total": ["40.00", "48.00"]}

    purchasing.purchase_order_confirm(order=order, user=staff)
    assert last(order).changes == {"status": ["draft", "ordered"]}
    received(staff, order, [(apple, "5")])
    purchasing.purchase_order_end(order=order, user=owner, reason="缺货")
    closed = last(order)
    assert (closed.user, closed.action, closed.summary) == (owner, Action.CLOSE, "缺货")
    assert closed.changes == {"status": ["partial", "closed"]}
    assert actions(order) == [
        Action.CREATE,
        Action.CHANGE,
        Action.CONFIRM,
        Action.CHANGE,  # the receipt against it
        Action.CLOSE,
    ]


def test_receipt_post_and_cancel_record_the_receipt_and_its_order(owner, staff):
    apple = ProductFactory()
    order = ordered(staff, [(apple, "10", "4")])
    receipt = received(staff, order, [(apple, "10")])
    entry = last(receipt)
    assert (entry.user, entry.action, entry.summary) == (
        staff,
        Action.POST,
        order.number,
    )
    assert entry.changes["total"] == [None, "40.00"]
    assert last(order).summary == receipt.number
    assert last(order).changes == {"status": ["ordered", "received"]}

    purchasing.receipt_cancel(receipt=receipt, user=owner, reason="送错了")
    cancelled = last(receipt)
    assert (cancelled.user, cancelled.action, cancelled.summary) == (
        owner,
        Action.CANCEL,
        "送错了",
    )
    assert last(order).changes == {"status": ["received", "ordered"]}
    row = {str(label): (old, new) for label, old, new in cancelled.change_rows()}
    assert row["状态"] == ("已过账", "已作废")


def test_purchase_return_post_and_cancel(owner):
    apple = ProductFactory()
    receipt = purchasing.receipt_post(
        supplier=SupplierFactory(),
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[purchasing.ReceiptLineInput(apple, D("5"), unit_cost=D("2"))],
        occurred_at=timezone.now(),
        note="",
        user=owner,
    )
    document = purchasing.purchase_return_post(
        receipt=receipt,
        supplier=None,
        warehouse=None,
        lines=[purchasing.ReturnLineInput(apple, D("2"))],
        occurred_at=timezone.now(),
        note="",
        user=owner,
    )
    assert (last(document).action, last(document).summary) == (
        Action.POST,
        receipt.number,
    )
    purchasing.purchase_return_cancel(purchase_return=document, user=owner, reason="x")
    assert actions(document) == [Action.POST, Action.CANCEL]


def test_reorder_draft_orders_each_get_their_entry(owner):
    supplier = SupplierFactory()
    pen = ProductFactory(preferred_supplier=supplier)
    [order] = reorder_draft_orders(quantities={pen: D("30")}, user=owner)
    assert (last(order).user, last(order).action) == (owner, Action.CREATE)
    assert last(order).changes["note"][1]


# --- sales ----------------------------------------------------------------------------


def test_sales_order_confirm_ship_and_cancel_the_shipment(owner, staff):
    pc = ProductFactory(name="电脑")
    receive(pc, "10", "100", user=owner)
    order = draft(staff, [(pc, "4")])
    assert last(order).action == Action.CREATE
    sales.sales_order_confirm(order=order, user=staff)
    assert last(order).changes == {"status": ["draft", "confirmed"]}
    order.refresh_from_db()
    shipment = ship(staff, order, {pc: "3"})
    assert (last(shipment).action, last(shipment).summary) == (
        Action.POST,
        order.number,
    )
    assert last(shipment).changes["lines"] == [None, 1]
    assert last(order).changes == {"status": ["confirmed", "partial"]}
    sales.shipment_cancel(shipment=shipment, user=owner, reason="客户不要了")
    assert (last(shipment).action, last(shipment).user) == (Action.CANCEL, owner)
    assert last(order).changes == {"status": ["partial", "confirmed"]}
    sales.sales_order_end(order=order, user=owner, reason="取消")
    assert (last(order).action, last(order).summary) == (Action.CANCEL, "取消")


def test_confirming_with_reduced_lines_records_the_new_total(owner):
    pc = ProductFactory(sale_price=D("10"))
    receive(pc, "2", "5", user=owner)
    order = draft(owner, [(pc, "5")])
    sales.sales_order_confirm(order=order, user=owner, on_shortage="reduce")
    assert last(order).changes == {
        "status": ["draft", "confirmed"],
        "total": ["50.00", "20.00"],
    }


def test_retail_sale_records_the_order_and_its_shipment_in_one_insert(owner, main):
    pen = ProductFactory(sale_price=D("3"))
    receive(pen, "10", "1", user=owner)
    with CaptureQueriesContext(connection) as queries:
        order = sales.retail_sale_post(
            warehouse=main,
            lines=[sales.SaleLineInput(pen, D("2"))],
            amount_received=D("10"),
            user=owner,
        )
    inserts = [
        q
        for q in queries.captured_queries
        if 'INSERT INTO "audit_auditentry"' in q["sql"]
    ]
    assert len(inserts) == 1
    shipment = order.shipments.get()
    assert (last(order).action, last(order).summary) == (Action.POST, shipment.number)
    assert (last(shipment).action, last(shipment).summary) == (
        Action.POST,
        order.number,
    )
    sales.shipment_cancel(shipment=shipment, user=owner, reason="退款")
    assert last(order).action == Action.CANCEL
    assert last(order).changes == {"status": ["shipped", "cancelled"]}


def test_sales_return_post_and_cancel(owner):
    pc = ProductFactory()
    receive(pc, "5", "10", user=owner)
    shipment = ship(owner, confirmed(owner, [(pc, "2")]))
    line = shipment.lines.get()
    document = sales.sales_return_post(
        shipment=shipment,
        quantities={line.pk: D("1")},
        reason="坏了",
        occurred_at=timezone.now(),
        user=owner,
    )
    assert (last(document).action, last(document).summary) == (
        Action.POST,
        shipment.number,
    )
    sales.sales_return_cancel(sales_return=document, user=owner, reason="弄错")
    assert actions(document) == [Action.POST, Action.CANCEL]


# --- inventory documents and months ------------------------------------------------


def test_adjustment_and_transfer_post_and_cancel(owner, main):
    apple = ProductFactory()
    receive(apple, "10", "2", user=owner)
    adjustment = documents.adjustment_post(
        warehouse=main,
        lines=[AdjustmentInput(apple, D("-1"), "damaged")],
        note="",
        user=owner,
    )
    assert last(adjustment).changes == {
        "warehouse": [None, main.name],
        "lines": [None, 1],
    }
    back = WarehouseFactory(name="后仓")
    transfer = documents.transfer_post(
        from_warehouse=main,
        to_warehouse=back,
        lines=[(apple, D("2"))],
        note="",
        user=owner,
    )
    assert last(transfer).changes["to_warehouse"] == [None, "后仓"]
    documents.document_cancel(document=transfer, user=owner, reason="搬错")
    assert (last(transfer).action, last(transfer).summary) == (Action.CANCEL, "搬错")
    assert actions(adjustment) == [Action.POST]


def test_stocktake_start_counts_post_and_abandon(owner, staff, main):
    apple = ProductFactory(sku="SG001", name="苹果")
    receive(apple, "10", "2", user=owner)
    stocktake = documents.stocktake_start(
        warehouse=main, categories=[], note="", user=owner
    )
    line = stocktake.lines.get()
    stocktake = documents.stocktake_counts_save(
        stocktake=stocktake, counts={line.pk: D("8")}, version=0, user=staff
    )
    counted = last(stocktake)
    assert (counted.user, counted.action) == (staff, Action.CHANGE)
    assert counted.changes == {"SG001 苹果": [None, "8"]}
    documents.stocktake_counts_save(
        stocktake=stocktake, counts={line.pk: D("8")}, version=1, user=staff
    )  # nothing changed: no entry
    stocktake.refresh_from_db()
    documents.stocktake_post(stocktake=stocktake, version=stocktake.version, user=owner)
    assert actions(stocktake) == [Action.CREATE, Action.CHANGE, Action.POST]
    assert last(stocktake).changes == {"lines": [None, 1]}

    second = documents.stocktake_start(
        warehouse=main, categories=[], note="", user=owner
    )
    documents.stocktake_abandon(stocktake=second, user=owner, reason="重来")
    assert (last(second).action, last(second).summary) == (Action.CANCEL, "重来")


def test_opening_stock_import_records_the_document_with_its_file(owner_client, owner):
    ProductFactory(sku="SG001")
    ProductFactory(sku="SG002")
    data = "商品编码,数量,成本单价\nSG001,10,2\nSG002,3,1\n".encode()
    upload(owner_client, "/inventory/opening/", "期初.csv", data)
    opening = OpeningStock.objects.get()
    entry = last(opening)
    assert (entry.user, entry.action, entry.summary) == (owner, Action.POST, "期初.csv")
    assert entry.changes == {"lines": [None, 2]}


def test_month_close_and_reopen(owner):
    closed = month_close(month=date(2026, 10, 1), user=owner)
    pk = closed.pk
    month_reopen(user=owner)
    assert not ClosedMonth.objects.exists()
    entries = trail(model=ClosedMonth, object_id=pk)
    assert [(e.action, e.object_label, e.user) for e in entries] == [
        (Action.CLOSE, "2026-10", owner),
        (Action.REOPEN, "2026-10", owner),
    ]


def test_every_posted_document_has_its_post_entry(owner):
    """Stock moves are written in bulk, bypassing model signals; the document that
    posted them always has its entry."""
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "4")])
    received(owner, order, [(apple, "10")])
    shipment = ship(owner, confirmed(owner, [(apple, "3")]))
    sales.shipment_cancel(shipment=shipment, user=owner, reason="x")
    documents.adjustment_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[AdjustmentInput(apple, D("1"), "found")],
        note="",
        user=owner,
    )
    sources = set(
        StockMove.objects.exclude(source_id=None).values_list(
            "source_type_id", "source_id"
        )
    )
    posted = set(
        AuditEntry.objects.filter(action=Action.POST).values_list(
            "content_type_id", "object_id"
        )
    )
    assert sources and sources <= posted


# --- refused and rolled back: no entry ----------------------------------------------


def test_a_refused_posting_records_nothing(owner, main):
    apple = ProductFactory()
    with pytest.raises(InsufficientStock):
        documents.adjustment_post(
            warehouse=main,
            lines=[AdjustmentInput(apple, D("-1"), "damaged")],
            note="",
            user=owner,
        )
    order = confirmed(owner, [(apple, "1")], on_shortage="backorder")
    before = AuditEntry.objects.count()
    with pytest.raises(InsufficientStock):
        ship(owner, order)
    with pytest.raises(ValidationError, match="请填写原因"):
        sales.sales_order_end(order=order, user=owner, reason="  ")
    assert AuditEntry.objects.count() == before


def test_a_failing_stock_receiver_rolls_the_entry_back(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "4")])
    before = AuditEntry.objects.count()
    with (
        mock.patch("inventory.receivers.stock_moves_post", side_effect=Boom),
        pytest.raises(Boom),
    ):
        received(owner, order, [(apple, "10")])
    assert AuditEntry.objects.count() == before
    assert PurchaseOrder.objects.get().status == OrderStatus.ORDERED


def test_an_entry_rolls_back_with_the_transaction_it_was_written_in(owner, main):
    apple = ProductFactory()
    receive(apple, "10", "2", user=owner)
    with pytest.raises(Boom), transaction.atomic():
        documents.adjustment_post(
            warehouse=main,
            lines=[AdjustmentInput(apple, D("-1"), "damaged")],
            note="",
            user=owner,
        )
        assert AuditEntry.objects.count() == 1
        raise Boom
    assert not AuditEntry.objects.exists()


def test_a_double_submit_records_the_document_once(owner, main):
    apple = ProductFactory()
    receive(apple, "10", "2", user=owner)
    submission = uuid.uuid4()
    for _ in range(2):
        adjustment = documents.adjustment_post(
            warehouse=main,
            lines=[AdjustmentInput(apple, D("-1"), "damaged")],
            note="",
            user=owner,
            submission=submission,
        )
    assert actions(adjustment) == [Action.POST]


# --- cost: one INSERT per document write, no extra SELECT ----------------------------


def _posting(kind: str, owner, main, apple, order):
    """Set one posting of ``kind`` up; return the call that posts it."""
    if kind == "receipt":
        return lambda: received(owner, order, [(apple, "1")])
    if kind == "shipment":
        sales_order = confirmed(owner, [(apple, "1")])
        return lambda: ship(owner, sales_order)
    if kind == "adjustment":
        return lambda: documents.adjustment_post(
            warehouse=main,
            lines=[AdjustmentInput(apple, D("-1"), "damaged")],
            note="",
            user=owner,
        )
    return lambda: sales.retail_sale_post(
        warehouse=main,
        lines=[sales.SaleLineInput(apple, D("1"))],
        amount_received=D("100"),
        user=owner,
    )


@pytest.mark.parametrize("kind", ["receipt", "shipment", "adjustment", "retail"])
def test_the_audit_adds_exactly_one_insert_to_a_posting(owner, main, kind):
    """Pinned: a posting's query count grows by the audit INSERT and nothing else
    (the content type comes from the per-process cache)."""
    apple = ProductFactory()
    receive(apple, "100", "2", user=owner)
    order = ordered(owner, [(apple, "50", "2")])

    def measured() -> int:
        post = _posting(kind, owner, main, apple, order)
        with CaptureQueriesContext(connection) as queries:
            post()
        return len(queries)

    measured()  # the first posting fills the per-process caches
    with_audit = measured()
    with (
        mock.patch.object(AuditEntry, "save", lambda self: None),
        mock.patch.object(AuditEntry.objects, "bulk_create", lambda objs, **kw: objs),
    ):
        without_audit = measured()
    assert with_audit - without_audit == 1


def test_orders_statuses_are_shown_in_the_readers_language(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "1", "1")])
    rows = {str(label): (old, new) for label, old, new in last(order).change_rows()}
    assert rows["状态"] == ("草稿", str(OrderStatus.ORDERED.label))

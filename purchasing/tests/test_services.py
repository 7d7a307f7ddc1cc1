import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, SupplierFactory
from inventory.models import MoveKind, StockLevel, StockMove
from inventory.services import InsufficientStock
from inventory.tests.factories import issue
from jxc.models import DocumentStatus
from purchasing import selectors, services
from purchasing.models import (
    GoodsReceipt,
    OrderStatus,
    PurchaseOrder,
    PurchaseReturn,
)
from purchasing.tests.factories import ordered, received

pytestmark = pytest.mark.django_db
D = Decimal


def on_hand(product):
    level = StockLevel.objects.filter(product=product).first()
    return level.on_hand if level else D("0")


def nothing_written(before_moves):
    return StockMove.objects.count() == before_moves


@pytest.fixture(autouse=True)
def ledger_stays_true():
    yield
    call_command("check_stock")


def test_order_received_in_two_parts_on_different_days(owner):
    apple, pear = ProductFactory(), ProductFactory()
    order = ordered(owner, [(apple, "10", "4.50"), (pear, "5", "3.00")])
    assert order.number.startswith("PO-") and order.total == D("60.00")
    received(owner, order, [(apple, "6")], days_ago=2)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIAL
    received(owner, order, [(apple, "4"), (pear, "5")])
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert (on_hand(apple), on_hand(pear)) == (D("10"), D("5"))
    moves = StockMove.objects.filter(kind=MoveKind.RECEIPT)
    assert moves.count() == 3
    assert {m.unit_cost for m in moves.filter(product=apple)} == {D("4.5000")}


def test_rejected_goods_never_enter_stock(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "2")])
    receipt = received(owner, order, [(apple, "8", "2")])
    assert on_hand(apple) == D("8")
    line = receipt.lines.get()
    assert (line.rejected_quantity, line.reject_reason) == (D("2"), "破损")
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIAL  # two still owed


def test_direct_receipt_without_an_order(owner):
    apple = ProductFactory(purchase_price=D("3.10"))
    supplier = SupplierFactory()
    receipt = services.receipt_post(
        supplier=supplier,
        warehouse=Warehouse.objects.get(is_default=True),
        note="",
        occurred_at=timezone.now(),
        user=owner,
        lines=[services.ReceiptLineInput(apple, D("2.5"), unit_cost=D("2.80"))],
    )
    assert receipt.order is None and receipt.total == D("7.00")
    assert on_hand(apple) == D("2.5")


def test_over_receipt_is_refused_unless_tolerated(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "1")])
    moves = StockMove.objects.count()
    with pytest.raises(ValidationError, match="超出订单"):
        received(owner, order, [(apple, "11")])
    assert nothing_written(moves)
    assert not GoodsReceipt.objects.exists()
    received(owner, order, [(apple, "11")], over_receipt_percent=10)
    assert on_hand(apple) == D("11")


def test_posting_the_same_receipt_form_twice_posts_once(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "1")])
    token = uuid.uuid4()
    first = received(owner, order, [(apple, "4")], submission=token)
    second = received(owner, order, [(apple, "4")], submission=token)
    assert first == second
    assert on_hand(apple) == D("4")
    assert GoodsReceipt.objects.count() == 1


def test_last_price_paid_becomes_the_default(owner):
    apple = ProductFactory(purchase_price=D("9.99"))
    supplier = SupplierFactory()
    first = ordered(owner, [(apple, "1", None)], supplier=supplier)
    assert first.lines.get().unit_price == D("9.99")  # never bought: reference price
    order = ordered(owner, [(apple, "1", "4.20")], supplier=supplier)
    received(owner, order, [(apple, "1")])
    again = ordered(owner, [(apple, "1", None)], supplier=supplier)
    assert again.lines.get().unit_price == D("4.20")
    other = ordered(owner, [(apple, "1", None)])  # another supplier
    assert other.lines.get().unit_price == D("9.99")
    assert selectors.last_prices(supplier_id=supplier.pk, product_ids=[apple.pk]) == {
        apple.pk: D("4.20")
    }


def test_cancelling_a_receipt_reverses_stock_and_reopens_the_order(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "2")])
    receipt = received(owner, order, [(apple, "10")])
    services.receipt_cancel(receipt=receipt, user=owner, reason="送错货")
    order.refresh_from_db()
    assert order.status == OrderStatus.ORDERED
    assert order.lines.get().received_quantity == 0
    assert on_hand(apple) == 0
    assert (
        StockMove.objects.filter(is_reversal=True, kind=MoveKind.RECEIPT).count() == 1
    )


def test_cancelling_a_receipt_whose_stock_is_sold_is_refused(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "2")])
    receipt = received(owner, order, [(apple, "10")])
    issue(apple, "3", user=owner)
    with pytest.raises(InsufficientStock):
        services.receipt_cancel(receipt=receipt, user=owner, reason="送错货")
    receipt.refresh_from_db()
    order.refresh_from_db()
    assert receipt.status == DocumentStatus.POSTED
    assert order.lines.get().received_quantity == D("10")


def test_returns_are_limited_to_what_was_received_and_not_returned(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "10", "2")])
    receipt = received(owner, order, [(apple, "6", "4")])
    kwargs = {
        "supplier": None,
        "warehouse": None,
        "receipt": receipt,
        "note": "",
        "occurred_at": timezone.now(),
        "user": owner,
    }
    first = services.purchase_return_post(
        lines=[services.ReturnLineInput(apple, D("4"))], **kwargs
    )
    assert first.total == D("8.00") and on_hand(apple) == D("2")
    with pytest.raises(ValidationError, match="只有 2"):
        services.purchase_return_post(
            lines=[services.ReturnLineInput(apple, D("3"))], **kwargs
        )
    with pytest.raises(ValidationError, match="先作废这些退货"):
        services.receipt_cancel(receipt=receipt, user=owner, reason="x")
    services.purchase_return_cancel(
        purchase_return=first, user=owner, reason="供应商拒收"
    )
    assert on_hand(apple) == D("6")
    assert PurchaseReturn.objects.get().status == DocumentStatus.CANCELLED


def test_direct_return_refused_when_stock_is_short(owner):
    apple = ProductFactory(name="苹果")
    moves = StockMove.objects.count()
    with pytest.raises(InsufficientStock, match="苹果"):
        services.purchase_return_post(
            supplier=SupplierFactory(),
            warehouse=Warehouse.objects.get(is_default=True),
            lines=[services.ReturnLineInput(apple, D("1"))],
            occurred_at=timezone.now(),
            note="",
            user=owner,
        )
    assert nothing_written(moves)
    assert not PurchaseReturn.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("empty", "至少需要一行"),
        ("twice", "出现在两行"),
        ("inactive_product", "已停用"),
        ("inactive_supplier", "已停用"),
    ],
)
def test_bad_orders_are_refused_and_nothing_is_written(owner, change, message):
    apple = ProductFactory()
    supplier = SupplierFactory()
    lines = [services.OrderLineInput(apple, D("1"))]
    if change == "empty":
        lines = []
    elif change == "twice":
        lines = lines * 2
    elif change == "inactive_product":
        apple.is_active = False
        apple.save()
    elif change == "inactive_supplier":
        supplier.is_active = False
        supplier.save()
    with pytest.raises(ValidationError, match=message):
        services.purchase_order_save(
            supplier=supplier,
            warehouse=Warehouse.objects.get(is_default=True),
            order_date=timezone.localdate(),
            expected_date=None,
            note="",
            lines=lines,
            user=owner,
        )
    assert not PurchaseOrder.objects.exists()


def test_only_a_draft_can_be_edited_and_orders_end_properly(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "5", "1")])
    with pytest.raises(ValidationError, match="只有草稿"):
        services.purchase_order_save(
            order=order,
            supplier=order.supplier,
            warehouse=order.warehouse,
            order_date=order.order_date,
            expected_date=None,
            note="",
            user=owner,
            lines=[services.OrderLineInput(apple, D("9"))],
        )
    received(owner, order, [(apple, "2")])
    ended = services.purchase_order_end(order=order, user=owner, reason="缺货")
    assert ended.status == OrderStatus.CLOSED
    with pytest.raises(
        ValidationError, match=f"{order.number} 当前为“已结案（未到齐）”：不能再按"
    ):
        received(owner, order, [(apple, "1")])
    fresh = ordered(owner, [(apple, "5", "1")])
    assert (
        services.purchase_order_end(order=fresh, user=owner, reason="不要了").status
        == OrderStatus.CANCELLED
    )


def test_cancelling_a_return_brings_back_exactly_the_value_that_left(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "3", "3.33")])
    receipt = received(owner, order, [(apple, "3")])
    document = services.purchase_return_post(
        supplier=None,
        warehouse=None,
        receipt=receipt,
        note="",
        user=owner,
        occurred_at=timezone.now(),
        lines=[services.ReturnLineInput(apple, D("2"))],
    )
    level = StockLevel.objects.get(product=apple)
    before = level.value + document.total
    services.purchase_return_cancel(purchase_return=document, user=owner, reason="拒收")
    level.refresh_from_db()
    assert level.value == before == D("9.99")


def test_a_reversal_never_leaves_stock_at_no_cost(owner):
    apple = ProductFactory()
    first = received(owner, ordered(owner, [(apple, "10", "100")]), [(apple, "10")])
    received(owner, ordered(owner, [(apple, "10", "1")]), [(apple, "10")])
    services.purchase_return_post(
        supplier=first.supplier,
        warehouse=first.warehouse,
        note="",
        user=owner,
        occurred_at=timezone.now(),
        lines=[services.ReturnLineInput(apple, D("9"))],
    )
    services.receipt_cancel(receipt=first, user=owner, reason="错了")
    level = StockLevel.objects.get(product=apple)
    assert level.on_hand == D("1")
    assert level.value > 0

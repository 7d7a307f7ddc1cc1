import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import CustomerFactory, ProductFactory
from inventory import documents
from inventory.documents import AdjustmentInput
from inventory.models import MoveKind, StockLevel, StockMove
from inventory.services import InsufficientStock
from inventory.tests.factories import receive
from jxc.documents import StaleDocument
from jxc.models import DocumentStatus
from sales import selectors, services
from sales.models import OrderStatus, SalesOrder, Shipment
from sales.tests.factories import confirmed, draft, ship

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def ledger_stays_true():
    yield
    call_command("check_stock")


def level(product):
    return StockLevel.objects.get(product=product, warehouse__is_default=True)


def test_confirming_reserves_and_shipping_in_parts_uses_the_reservation(owner):
    pc = ProductFactory(name="电脑", sale_price=D("3000"))
    receive(pc, "20", "2000", user=owner)
    order = confirmed(owner, [(pc, "15")])
    assert (level(pc).reserved, level(pc).available) == (D("15"), D("5"))
    ship(owner, order, {pc: "10"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIAL
    assert (level(pc).on_hand, level(pc).reserved) == (D("10"), D("5"))
    shipment = ship(owner, order)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert (level(pc).on_hand, level(pc).reserved) == (D("5"), D("0"))
    assert shipment.cost_total == D("10000.00")
    assert selectors.order_profit(order) == {
        "sales": D("45000.00"),
        "cost": D("30000.00"),
        "profit": D("15000.00"),
    }


def test_shortage_is_refused_with_the_short_lines_until_the_clerk_chooses(owner):
    pc = ProductFactory(name="电脑")
    receive(pc, "15", "2000", user=owner)
    order = draft(owner, [(pc, "20")])
    with pytest.raises(services.OrderShortage) as error:
        services.sales_order_confirm(order=order, user=owner)
    row = error.value.rows[0]
    assert (row.line.quantity, row.available, row.missing) == (D("20"), D("15"), D("5"))
    assert level(pc).reserved == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_backorder_reserves_what_is_available_and_the_rest_waits(owner):
    pc = ProductFactory()
    receive(pc, "15", "2000", user=owner)
    order = services.sales_order_confirm(
        order=draft(owner, [(pc, "20")]), user=owner, on_shortage="backorder"
    )
    line = order.lines.get()
    assert (line.quantity, line.reserved_quantity) == (D("20"), D("15"))
    ship(owner, order, {pc: "15"})
    with pytest.raises(InsufficientStock):
        ship(owner, order, {pc: "5"})
    receive(pc, "5", "2000", user=owner)  # the goods arrive
    ship(owner, order, {pc: "5"})
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_reduce_cuts_lines_to_what_is_available(owner):
    pc, pen = ProductFactory(sale_price=D("10")), ProductFactory()
    receive(pc, "15", "2", user=owner)
    order = services.sales_order_confirm(
        order=draft(owner, [(pc, "20"), (pen, "3")]), user=owner, on_shortage="reduce"
    )
    assert [(line.product, line.quantity) for line in order.lines.all()] == [
        (pc, D("15"))
    ]
    assert order.total == D("150.00")


def test_an_order_never_ships_stock_reserved_for_another(owner):
    pc = ProductFactory(name="电脑")
    receive(pc, "10", "1", user=owner)
    first = confirmed(owner, [(pc, "8")])
    second = services.sales_order_confirm(
        order=draft(owner, [(pc, "5")]), user=owner, on_shortage="backorder"
    )
    assert second.lines.get().reserved_quantity == D("2")
    with pytest.raises(InsufficientStock, match="电脑"):
        ship(owner, second, {pc: "3"})
    ship(owner, second, {pc: "2"})
    ship(owner, first)
    assert (level(pc).on_hand, level(pc).reserved) == (D("0"), D("0"))


def test_retail_sale_takes_free_stock_only_and_gives_change(owner):
    apple = ProductFactory(name="苹果", sale_price=D("6.80"), unit="斤")
    receive(apple, "10", "4", user=owner)
    confirmed(owner, [(apple, "8")])
    with pytest.raises(InsufficientStock, match="苹果"):
        services.retail_sale_post(
            warehouse=Warehouse.objects.get(is_default=True),
            lines=[services.SaleLineInput(apple, D("3"))],
            amount_received=D("100"),
            user=owner,
        )
    assert not SalesOrder.objects.filter(is_retail=True).exists()
    sale = services.retail_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[services.SaleLineInput(apple, D("1.5"), None, D("10"))],
        amount_received=D("20"),
        user=owner,
    )
    assert (sale.status, sale.total, sale.change) == (
        OrderStatus.SHIPPED,
        D("9.18"),
        D("10.82"),
    )
    assert level(apple).on_hand == D("8.5")
    assert sale.customer.code == "RETAIL"


def test_retail_sale_refuses_too_little_money(owner):
    apple = ProductFactory(sale_price=D("10"))
    receive(apple, "10", "4", user=owner)
    with pytest.raises(ValidationError, match="少于"):
        services.retail_sale_post(
            warehouse=Warehouse.objects.get(is_default=True),
            lines=[services.SaleLineInput(apple, D("2"))],
            amount_received=D("19.99"),
            user=owner,
        )
    assert level(apple).on_hand == D("10")


def test_cancelling_or_closing_releases_reservations(owner):
    pc = ProductFactory()
    receive(pc, "10", "1", user=owner)
    order = confirmed(owner, [(pc, "6")])
    services.sales_order_end(order=order, user=owner, reason="客户不要了")
    assert level(pc).reserved == 0
    order = confirmed(owner, [(pc, "6")])
    ship(owner, order, {pc: "2"})
    closed = services.sales_order_end(order=order, user=owner, reason="缺货")
    assert closed.status == OrderStatus.CLOSED
    assert level(pc).reserved == 0


def test_returns_are_limited_and_come_back_at_the_cost_they_left(owner):
    pc = ProductFactory()
    receive(pc, "10", "3.33", user=owner)
    shipment = ship(owner, confirmed(owner, [(pc, "3")]))
    line = shipment.lines.get()
    document = services.sales_return_post(
        shipment=shipment,
        quantities={line.pk: D("2")},
        reason="尺码不对",
        occurred_at=timezone.now(),
        user=owner,
    )
    assert document.cost_total == D("6.66")
    assert level(pc).on_hand == D("9")
    with pytest.raises(ValidationError, match="只有 1"):
        services.sales_return_post(
            shipment=shipment,
            quantities={line.pk: D("2")},
            reason="",
            occurred_at=timezone.now(),
            user=owner,
        )
    order = shipment.order
    assert order.lines.get().returned_quantity == D("2")
    with pytest.raises(ValidationError, match="先作废"):
        services.shipment_cancel(shipment=shipment, user=owner, reason="x")
    services.sales_return_cancel(sales_return=document, user=owner, reason="录错")
    services.shipment_cancel(shipment=shipment, user=owner, reason="没发货")
    assert level(pc).on_hand == D("10")
    assert level(pc).value == D("33.30")


def test_posting_the_same_shipment_twice_posts_once(owner):
    pc = ProductFactory()
    receive(pc, "10", "1", user=owner)
    order = confirmed(owner, [(pc, "4")])
    token = uuid.uuid4()
    first = ship(owner, order, submission=token)
    second = ship(owner, order, submission=token)
    assert first == second
    assert StockMove.objects.filter(kind=MoveKind.SHIPMENT).count() == 1


def test_a_stale_shipment_form_is_refused(owner):
    pc = ProductFactory()
    receive(pc, "10", "1", user=owner)
    order = confirmed(owner, [(pc, "4")])
    opened_at = order.version
    ship(owner, order, {pc: "1"})
    with pytest.raises(StaleDocument):
        ship(owner, order, {pc: "1"}, version=opened_at)
    assert level(pc).on_hand == D("9")


def test_adjustment_leaving_a_reservation_uncovered_shows_the_order_short(owner):
    pc = ProductFactory()
    receive(pc, "5", "1", user=owner)
    order = confirmed(owner, [(pc, "5")])
    documents.adjustment_post(
        warehouse=order.warehouse,
        note="",
        user=owner,
        lines=[AdjustmentInput(pc, D("-2"), "damaged")],
    )
    [line] = selectors.order_lines(order)
    assert line.uncovered is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("empty", "至少需要一行"),
        ("twice", "出现在两行"),
        ("inactive_product", "已停用"),
        ("inactive_customer", "已停用"),
        ("discount", "0 到 100"),
        ("zero", "大于零"),
    ],
)
def test_bad_orders_are_refused_and_nothing_is_written(owner, change, message):
    pc = ProductFactory()
    customer = CustomerFactory()
    lines = [services.SaleLineInput(pc, D("1"))]
    if change == "empty":
        lines = []
    elif change == "twice":
        lines = lines * 2
    elif change == "inactive_product":
        pc.is_active = False
        pc.save()
    elif change == "inactive_customer":
        customer.is_active = False
        customer.save()
    elif change == "discount":
        lines = [services.SaleLineInput(pc, D("1"), None, D("100.01"))]
    elif change == "zero":
        lines = [services.SaleLineInput(pc, D("0"))]
    with pytest.raises(ValidationError, match=message):
        services.sales_order_save(
            customer=customer,
            warehouse=Warehouse.objects.get(is_default=True),
            order_date=timezone.localdate(),
            note="",
            lines=lines,
            user=owner,
        )
    assert not SalesOrder.objects.exists()


def test_shipment_cancel_keeps_documents_and_status_consistent(owner):
    pc = ProductFactory()
    receive(pc, "4", "1", user=owner)
    order = confirmed(owner, [(pc, "4")])
    shipment = ship(owner, order)
    services.shipment_cancel(shipment=shipment, user=owner, reason="错发")
    order.refresh_from_db()
    shipment.refresh_from_db()
    assert (order.status, shipment.status) == (
        OrderStatus.CONFIRMED,
        DocumentStatus.CANCELLED,
    )
    assert Shipment.objects.count() == 1


def test_a_cancelled_counter_sale_is_undone_whole(owner):
    apple = ProductFactory(sale_price=D("2"))
    receive(apple, "5", "1", user=owner)
    sale = services.retail_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[services.SaleLineInput(apple, D("2"))],
        amount_received=D("4"),
        user=owner,
    )
    services.shipment_cancel(shipment=sale.shipments.get(), user=owner, reason="退款")
    sale.refresh_from_db()
    assert sale.status == OrderStatus.CANCELLED
    assert level(apple).on_hand == D("5")


def test_returning_everything_gives_back_exactly_what_was_sold(owner):
    pen = ProductFactory(sale_price=D("3.33"))
    receive(pen, "3", "1.11", user=owner)
    shipment = ship(owner, confirmed(owner, [(pen, "3")]))
    line = shipment.lines.get()
    for _ in range(3):
        services.sales_return_post(
            shipment=shipment,
            quantities={line.pk: D("1")},
            reason="",
            occurred_at=timezone.now(),
            user=owner,
        )
    assert selectors.order_profit(shipment.order) == {
        "sales": 0,
        "cost": 0,
        "profit": 0,
    }
    assert (level(pen).on_hand, level(pen).value) == (D("3"), D("3.33"))


def test_cancelling_a_return_never_takes_stock_promised_to_another_order(owner):
    pc = ProductFactory(name="电脑")
    receive(pc, "5", "1", user=owner)
    shipment = ship(owner, confirmed(owner, [(pc, "5")]))
    document = services.sales_return_post(
        shipment=shipment,
        quantities={shipment.lines.get().pk: D("5")},
        reason="",
        occurred_at=timezone.now(),
        user=owner,
    )
    confirmed(owner, [(pc, "5")])
    with pytest.raises(InsufficientStock, match="预留"):
        services.sales_return_cancel(sales_return=document, user=owner, reason="x")
    assert (level(pc).on_hand, level(pc).reserved) == (D("5"), D("5"))


def test_confirming_checks_the_products_are_still_active(owner):
    pc = ProductFactory()
    receive(pc, "5", "1", user=owner)
    order = draft(owner, [(pc, "1")])
    pc.is_active = False
    pc.save()
    with pytest.raises(ValidationError, match="已停用"):
        services.sales_order_confirm(order=order, user=owner)
    assert level(pc).reserved == 0

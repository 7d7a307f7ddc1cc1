"""The posting payload (jxc/posting.py): documents tell every ledger the same thing,
listeners return nothing, and a second listener changes nothing about the stock
posted."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.tests.factories import ProductFactory
from inventory.models import StockLevel, StockMove
from inventory.tests.factories import receive
from jxc.posting import Partner, Posting
from jxc.tests.snapshot import everything
from purchasing import services as purchasing_services
from purchasing import signals as purchasing_signals
from purchasing.tests.factories import ordered, received
from sales import services as sales_services
from sales import signals as sales_signals
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db
D = Decimal
SIGNALS = [
    purchasing_signals.receipt_posted,
    purchasing_signals.purchase_return_posted,
    sales_signals.shipment_posted,
    sales_signals.sales_return_posted,
]


@contextmanager
def listening(returns=None):
    """A second listener on every document signal (after inventory's), as a money
    ledger would be: it records each posting and returns ``returns``."""
    heard: list[tuple[str, Posting]] = []

    def listener(sender, *, posting, **kwargs):
        heard.append((sender.__name__ if sender else "", posting))
        return returns

    for signal in SIGNALS:
        signal.connect(listener, dispatch_uid="test.second_listener")
    try:
        yield heard
    finally:
        for signal in SIGNALS:
            signal.disconnect(dispatch_uid="test.second_listener")


def a_day_of_documents(owner, shop):
    """Receipt, shipment, sales return, purchase return and every cancel on two
    products of their own; returns their ledger as (product, kind, quantity, unit
    cost, value, reversal), the shipment's costs and the balances."""
    apple = ProductFactory(sku=f"{shop}-APPLE", name="苹果", sale_price=D("5"))
    pear = ProductFactory(sku=f"{shop}-PEAR", name="梨", sale_price=D("4"))
    receive(apple, "10", "1.50", user=owner)
    order = ordered(owner, [(apple, "6", "2.10"), (pear, "5", "3")])
    receipt = received(owner, order, [(apple, "6"), (pear, "5")])
    sale = confirmed(owner, [(apple, "7"), (pear, "2")])
    shipment = ship(owner, sale)
    line = shipment.lines.get(product=apple)
    back = sales_services.sales_return_post(
        shipment=shipment,
        quantities={line.pk: D("2")},
        reason="尺码不对",
        occurred_at=timezone.now(),
        user=owner,
    )
    out = purchasing_services.purchase_return_post(
        supplier=receipt.supplier,
        warehouse=receipt.warehouse,
        receipt=receipt,
        lines=[purchasing_services.ReturnLineInput(pear, D("1"))],
        occurred_at=timezone.now(),
        note="",
        user=owner,
    )
    purchasing_services.purchase_return_cancel(
        purchase_return=out, user=owner, reason="退错了"
    )
    sales_services.sales_return_cancel(sales_return=back, user=owner, reason="退错了")
    sales_services.shipment_cancel(shipment=shipment, user=owner, reason="发错了")
    purchasing_services.receipt_cancel(receipt=receipt, user=owner, reason="录错了")
    shipment.refresh_from_db()
    ours = {apple.pk: "apple", pear.pk: "pear"}
    costs = [
        (ours[line.product_id], line.unit_cost, line.cost_amount)
        for line in shipment.lines.order_by("product__sku")
    ]
    moves = [
        (ours[m.product_id], m.kind, m.quantity, m.unit_cost, m.value, m.is_reversal)
        for m in StockMove.objects.filter(product__in=ours).order_by("pk")
    ]
    levels = sorted(
        (ours[level.product_id], level.on_hand, level.value)
        for level in StockLevel.objects.filter(product__in=ours)
    )
    return moves, costs, levels


def test_a_second_listener_changes_nothing_about_the_stock_posted(owner):
    alone = a_day_of_documents(owner, "A")
    with listening() as heard:
        with_listener = a_day_of_documents(owner, "B")
    assert with_listener == alone
    assert len(alone[0]) == 13  # 1 opening, 2 + 2 + 1 + 1 posted, 1 + 1 + 2 + 2 back
    # The second listener heard every posting and every cancel, in order.
    assert [(name, p.reversal) for name, p in heard] == [
        ("GoodsReceipt", False),
        ("Shipment", False),
        ("SalesReturn", False),
        ("PurchaseReturn", False),
        ("PurchaseReturn", True),
        ("SalesReturn", True),
        ("Shipment", True),
        ("GoodsReceipt", True),
    ]


def test_the_payload_carries_partner_amounts_and_signed_base_quantities(owner):
    apple = ProductFactory(sale_price=D("5"))
    receive(apple, "10", "1.50", user=owner)
    order = ordered(owner, [(apple, "4", "2.10")])
    with listening() as heard:
        receipt = received(owner, order, [(apple, "4")])
        sale = confirmed(owner, [(apple, "3", "5", "10")])
        shipment = ship(owner, sale)
        sales_services.shipment_cancel(shipment=shipment, user=owner, reason="发错了")
    (_, got), (_, sent), (_, cancel) = heard
    assert got.partner == Partner("supplier", receipt.supplier_id)
    assert [(ln.quantity, ln.unit_cost, ln.amount) for ln in got.lines] == [
        (D("4"), D("2.10"), D("8.40"))
    ]
    assert got.source.number == receipt.number or got.source.number.startswith("~")
    assert sent.partner == Partner("customer", sale.customer_id)
    assert [(ln.quantity, ln.unit_cost, ln.amount) for ln in sent.lines] == [
        (D("-3"), None, D("13.50"))  # 3 × 5 less 10 %; the ledger decides the cost
    ]
    assert sent.total == D("13.50")
    assert cancel.reversal and cancel.lines == ()
    assert cancel.source.object_id == shipment.pk


def test_a_listener_that_returns_data_is_refused_and_nothing_is_posted(owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "4", "2")])
    before = everything()
    with (
        listening(returns=["a row of another ledger"]),
        pytest.raises(TypeError, match="returns nothing"),
    ):
        received(owner, order, [(apple, "4")])
    assert everything() == before

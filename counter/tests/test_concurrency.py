"""Two clerks sell the last unit at the same moment: one sale, stock never below
zero, the other clerk told why (real threads, PostgreSQL)."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.tests.factories import StaffFactory
from catalog.tests.factories import ProductFactory
from counter import services
from counter.models import Shift
from counter.services import PaymentEntry
from counter.tests.factories import counter_sale
from inventory.models import StockLevel
from inventory.tests.factories import receive
from inventory.tests.test_concurrency import run_in_threads
from sales.models import SalePayment, SalesOrder, SalesReturn

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (SQLite serializes writers instead)",
    ),
]


def test_two_clerks_selling_the_last_unit_make_one_sale(owner):
    product = ProductFactory(name="最后一件", barcode="6900000000001")
    receive(product, "1", "3.00", user=owner)
    clerks = [StaffFactory(), StaffFactory()]
    for clerk in clerks:
        services.cart_scan(user=clerk, code=product.barcode)

    def sell(index):
        return services.cart_checkout(
            user=clerks[index],
            entry=PaymentEntry({}, None),
            submission=uuid.uuid4(),
        )

    results = run_in_threads(2, sell)
    sold = [r for r in results if isinstance(r, SalesOrder)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(sold) == 1 and len(refused) == 1, results
    assert "库存不足" in " ".join(refused[0].messages)
    assert SalesOrder.objects.count() == 1
    assert SalePayment.objects.get().amount == sold[0].total
    assert StockLevel.objects.get(product=product).on_hand == 0


# --- c2's tests ----------------------------------------------------------------------
# Two tabs or a double click at once: a shift closes once, a sale is not refunded
# twice.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (SQLite serializes writers)",
    ),
]
D = Decimal


def test_two_closes_at_once_close_the_shift_once(staff):
    results = run_in_threads(
        3,
        lambda i: services.shift_close(
            clerk=staff, counted_cash=D(10 + i), note="", user=staff
        ),
    )
    closed = [r for r in results if isinstance(r, Shift)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(closed) == 1 and len(refused) == 2, results
    shift = Shift.objects.get()
    assert shift.counted_cash == closed[0].counted_cash


def test_two_returns_of_one_sale_at_once_never_refund_more_than_was_paid(staff):
    apple = ProductFactory(sale_price=D("10"))
    receive(apple, "10", "4", user=staff)
    sale = counter_sale(staff, [(apple, "2")], payments=[("wechat", "20")])
    line = sale.shipments.get().lines.get()
    results = run_in_threads(
        2,
        lambda _i: services.counter_return_post(
            order=sale, quantities={line.pk: D("2")}, reason="", user=staff
        ),
    )
    assert sorted(type(r).__name__ for r in results) == [
        "SalesReturn",
        "ValidationError",
    ], results
    assert SalesReturn.objects.count() == 1
    refunds = SalePayment.objects.filter(sales_return__isnull=False)
    assert [(r.method, r.amount) for r in refunds] == [("wechat", D("-20"))]


def test_two_closes_at_once_post_one_over_entry(staff):
    from finance.models import CashEntry

    run_in_threads(
        2,
        lambda i: services.shift_close(
            clerk=staff, counted_cash=D("5"), note="", user=staff
        ),
    )
    assert CashEntry.objects.count() == 1
    assert Shift.objects.get().cash_entry.amount == D("5")


def test_two_paid_outs_at_once_never_take_more_than_the_drawer_holds(owner, staff):
    from finance.models import Account

    apple = ProductFactory(name="苹果", sale_price=D("10"))
    receive(apple, "10", "5", user=owner)
    counter_sale(staff, [(apple, "2")], payments=[("cash", "20")])
    results = run_in_threads(
        2,
        lambda i: services.shift_paid_out_add(
            clerk=staff, amount=D("15"), note=f"送货 {i}", user=staff
        ),
    )
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1, results
    assert "抽屉" in " ".join(refused[0].messages)
    assert Shift.objects.get().paid_out == D("15")
    assert Account.objects.get(name="现金").balance == D("5")

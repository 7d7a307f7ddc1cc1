"""Two clerks recording payments for the same customer at once (PostgreSQL row
locks): every payment lands once, the balances and allocations stay exact."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from catalog.tests.factories import CustomerFactory, ProductFactory, SupplierFactory
from finance.models import Account, MoneyEntry, Payment
from finance.tests.factories import balance_of, deposit, items_of, pay
from inventory.tests.factories import receive
from inventory.tests.test_concurrency import run_in_threads
from sales.tests.factories import confirmed, ship

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (SQLite serializes writers)",
    ),
]
D = Decimal


def test_two_clerks_record_payments_for_one_customer_at_once(owner, staff):
    apple = ProductFactory(sale_price=D("10"))
    receive(apple, "100", "4", user=owner)
    kid = CustomerFactory()
    for quantity in ("10", "20", "30"):
        ship(owner, confirmed(owner, [(apple, quantity)], customer=kid))
    assert balance_of(kid) == D("600.00")

    def work(index):
        # Each pays ¥250, oldest first: between them ¥500 of the ¥600.
        return pay(staff if index else owner, kid, "250", into=("现金", "微信")[index])

    results = run_in_threads(2, work)
    assert all(isinstance(result, Payment) for result in results), results
    assert balance_of(kid) == D("100.00")
    assert [item.open_amount for item in items_of(kid) if item.amount > 0] == [
        D("0"),
        D("0"),
        D("100.00"),
    ]
    assert Account.objects.get(name="现金").balance == D("250.00")
    assert Account.objects.get(name="微信").balance == D("250.00")
    entries = MoneyEntry.objects.filter(customer=kid).order_by("pk")
    assert [entry.balance_after for entry in entries][-2:] in (
        [D("350.00"), D("100.00")],
    )
    call_command("check_money")


def test_many_payments_out_of_one_till_never_overdraw_it(owner):
    till = Account.objects.get(name="现金")
    deposit(owner, till, "100")
    farm = SupplierFactory()

    def work(index):
        return pay(owner, farm, "30")

    results = run_in_threads(5, work)
    paid = [result for result in results if isinstance(result, Payment)]
    refused = [result for result in results if not isinstance(result, Payment)]
    assert len(paid) == 3 and len(refused) == 2, results
    till.refresh_from_db()
    assert till.balance == D("10.00")
    call_command("check_money")

"""Two clerks sell the last unit at the same moment: one sale, stock never below
zero, the other clerk told why (real threads, PostgreSQL)."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.tests.factories import StaffFactory
from catalog.tests.factories import ProductFactory
from counter import services
from counter.services import PaymentEntry
from inventory.models import StockLevel
from inventory.tests.factories import receive
from inventory.tests.test_concurrency import run_in_threads
from sales.models import SalePayment, SalesOrder

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

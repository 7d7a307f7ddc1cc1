"""Reservation expiry run twice at once (the cron job and a sale at the counter):
each reservation is released once."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from audit.models import AuditEntry
from catalog.tests.factories import ProductFactory
from inventory.models import StockLevel
from inventory.tests.factories import receive
from inventory.tests.test_concurrency import run_in_threads
from sales import services
from sales.models import SalesOrder
from sales.tests.factories import confirmed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (SQLite serializes writers)",
    ),
]
# Tomorrow 10:00: the clock only moves forward from the stock put in before it
# (a sale dated before its goods arrived would be a negative running balance).
START = timezone.make_aware(
    datetime.combine(timezone.localdate() + timedelta(days=1), time(10))
)


def test_two_expiry_runs_at_once_release_each_reservation_once(owner):
    services.sales_settings_save(reservation_expiry_days=2, user=owner)
    a, b = ProductFactory(), ProductFactory()
    receive(a, "10", "5", user=owner)
    receive(b, "10", "5", user=owner)
    with time_machine.travel(START, tick=False):
        orders = [
            confirmed(owner, [(a, "3"), (b, "2")]),
            confirmed(owner, [(b, "4"), (a, "1")]),
        ]
    later = START + timedelta(days=2)
    results = run_in_threads(4, lambda _i: services.reservations_expire(now=later))
    assert not [r for r in results if isinstance(r, Exception)], results
    released = [order.pk for result in results for order in result]
    assert sorted(released) == sorted(order.pk for order in orders)
    assert [level.reserved for level in StockLevel.objects.order_by("pk")] == [
        Decimal("0"),
        Decimal("0"),
    ]
    assert SalesOrder.objects.filter(reservation_expired_at=later).count() == 2
    assert (
        AuditEntry.objects.filter(
            object_id__in=[o.pk for o in orders],
            changes__has_key="reservation_expired_at",
        ).count()
        == 2
    )
    call_command("check_stock")


def test_expiry_beside_a_retail_sale_of_the_same_stock(owner):
    services.sales_settings_save(reservation_expiry_days=1, user=owner)
    product = ProductFactory()
    receive(product, "5", "5", user=owner)
    with time_machine.travel(START, tick=False):
        order = confirmed(owner, [(product, "5")])
    # The cron job and two sales at the counter, all after the expiry.
    with time_machine.travel(START + timedelta(days=1, hours=1), tick=False):

        def work(index):
            if index == 0:
                return services.reservations_expire()
            return services.retail_sale_post(
                warehouse=order.warehouse,
                lines=[services.SaleLineInput(product, Decimal("2"))],
                amount_received=Decimal("100"),
                user=owner,
            )

        results = run_in_threads(3, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (Decimal("1"), Decimal("0"))
    order.refresh_from_db()
    assert order.reservation_expired_at is not None
    assert order.lines.get().reserved_quantity == 0
    call_command("check_stock")

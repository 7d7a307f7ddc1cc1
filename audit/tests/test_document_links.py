"""Issue 20: every document number on the audit log, the stock card, product
moves and the reorder report links to its document for roles that may open it."""

from decimal import Decimal as D

import pytest

from catalog.tests.factories import CustomerFactory, ProductFactory
from finance.tests.factories import pay
from sales.tests.factories import confirmed

pytestmark = pytest.mark.django_db


def test_the_log_links_a_payment_to_its_page(owner_client, owner):
    payment = pay(owner, CustomerFactory(), "50")
    html = owner_client.get("/audit/").content.decode()
    assert f'href="/finance/payments/{payment.pk}/">{payment.number}' in html


def test_the_reorder_report_links_the_waiting_orders(owner_client, staff_client, owner):
    umbrella = ProductFactory(name="雨伞", safety_stock=D("0"), reorder_quantity=0)
    order = confirmed(owner, [(umbrella, "5")], on_shortage="backorder")
    link = f'<a href="/sales/orders/{order.pk}/">{order.number}</a>'
    assert link in owner_client.get("/reports/reorder/").content.decode()
    staff_page = staff_client.get("/reports/reorder/")
    if staff_page.status_code == 200:  # staff see the orders' numbers too
        assert f'href="/sales/orders/{order.pk}/"' in staff_page.content.decode()

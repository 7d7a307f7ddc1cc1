"""An Idempotency-Key makes a retried POST return the first answer; two identical
requests at the same instant make one sales order (real threads, PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from api.tests.helpers import KeyClient, key_for
from catalog.models import Customer
from catalog.tests.factories import ProductFactory
from inventory.models import StockLevel
from inventory.tests.factories import receive
from inventory.tests.test_concurrency import run_in_threads
from sales.models import SalesOrder


def body(product, quantity="2"):
    return {
        "customer": Customer.objects.get(code="RETAIL").pk,
        "lines": [{"product": product.pk, "quantity": quantity}],
        "confirm": True,
    }


@pytest.mark.django_db
def test_a_retry_gets_the_first_answer_and_makes_nothing_new(owner):
    product = ProductFactory(sale_price=Decimal("5"))
    receive(product, "5", "2", user=owner)
    client = KeyClient(key_for(owner, "orders")[1])
    first = client.post(
        "/api/v1/sales-orders/", body(product), **{"Idempotency-Key": "a1"}
    )
    again = client.post(
        "/api/v1/sales-orders/", body(product), **{"Idempotency-Key": "a1"}
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert SalesOrder.objects.count() == 1
    assert StockLevel.objects.get(product=product).reserved == 2


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(owner):
    product = ProductFactory()
    receive(product, "5", "2", user=owner)
    client = KeyClient(key_for(owner, "orders")[1])
    client.post("/api/v1/sales-orders/", body(product), **{"Idempotency-Key": "b"})
    other = client.post(
        "/api/v1/sales-orders/", body(product, "3"), **{"Idempotency-Key": "b"}
    )
    assert other.status_code == 422
    assert SalesOrder.objects.count() == 1


@pytest.mark.django_db
def test_a_refusal_is_kept_too_and_a_new_key_runs_again(owner):
    product = ProductFactory()
    receive(product, "1", "2", user=owner)
    client = KeyClient(key_for(owner, "orders")[1])
    refused = client.post(
        "/api/v1/sales-orders/", body(product), **{"Idempotency-Key": "c"}
    )
    assert refused.status_code == 409
    assert not SalesOrder.objects.exists()
    retried = client.post(
        "/api/v1/sales-orders/", body(product), **{"Idempotency-Key": "c"}
    )
    assert retried.status_code == 409 and retried.json() == refused.json()
    assert not SalesOrder.objects.exists()


@pytest.mark.django_db
def test_keys_of_two_api_keys_do_not_meet(owner):
    product = ProductFactory()
    receive(product, "9", "2", user=owner)
    for scope in ("orders", "full"):
        client = KeyClient(key_for(owner, scope)[1])
        response = client.post(
            "/api/v1/sales-orders/", body(product), **{"Idempotency-Key": "same"}
        )
        assert response.status_code == 201
    assert SalesOrder.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two requests at once need PostgreSQL (SQLite serializes writers)",
)
def test_two_identical_requests_at_once_make_one_order(owner):
    product = ProductFactory(sale_price=Decimal("5"))
    receive(product, "5", "2", user=owner)
    _key, token = key_for(owner, "orders")
    payload = body(product)

    def work(_index):
        response = KeyClient(token).post(
            "/api/v1/sales-orders/", payload, **{"Idempotency-Key": "together"}
        )
        return response.status_code, response.json()

    results = run_in_threads(2, work)
    assert [status for status, _body in results] == [201, 201], results
    assert results[0][1] == results[1][1]
    assert SalesOrder.objects.count() == 1
    assert StockLevel.objects.get(product=product).reserved == 2
    call_command("check_stock")


@pytest.mark.django_db
def test_a_refusal_echoing_a_nul_is_kept_too(owner):
    client = KeyClient(key_for(owner, "orders")[1])
    sent = {"on_shortage": "\x00", "lines": []}
    first = client.post("/api/v1/sales-orders/", sent, **{"Idempotency-Key": "n"})
    again = client.post("/api/v1/sales-orders/", sent, **{"Idempotency-Key": "n"})
    assert first.status_code == again.status_code == 400
    assert not SalesOrder.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two requests at once need PostgreSQL (SQLite serializes writers)",
)
def test_two_identical_payments_at_once_record_one(owner):
    from catalog.tests.factories import CustomerFactory
    from finance.models import Account, Payment
    from finance.tests.factories import balance_of

    customer = CustomerFactory(code="C1")
    _key, token = key_for(owner, "orders")
    payload = {
        "customer": customer.pk,
        "account": Account.objects.get(name="现金").pk,
        "amount": "88.00",
    }

    def work(_index):
        response = KeyClient(token).post(
            "/api/v1/customer-payments/", payload, **{"Idempotency-Key": "bank-1"}
        )
        return response.status_code, response.json()

    results = run_in_threads(2, work)
    assert [status for status, _body in results] == [201, 201], results
    assert results[0][1] == results[1][1]
    assert Payment.objects.count() == 1
    assert balance_of(customer) == Decimal("-88.00")
    call_command("check_money")

"""POST /api/v1/customer-payments/: a 收款单 through finance's payment service —
allocated oldest first or per document, numbered, audited, idempotent, with its
document.posted webhook in the same transaction; bad input a 400 with a clear
message and nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from api.models import EventKind, WebhookEvent
from api.services import api_key_create
from api.tests.helpers import KeyClient, key_for
from audit.models import Action, AuditEntry
from catalog.tests.factories import CustomerFactory, ProductFactory
from finance import services as finance
from finance.models import Account, MoneyEntry, OpenItem, Payment
from finance.tests.factories import account, balance_of
from inventory.tests.factories import receive
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/v1/customer-payments/"


@pytest.fixture
def customer():
    return CustomerFactory(code="C1", name="阳光幼儿园")


@pytest.fixture
def owed(owner, customer):
    """Two shipments on account: 20.00 (older) and 30.00."""
    apple = ProductFactory(sku="APL", sale_price=D("10.00"))
    receive(apple, "10", "4", user=owner)
    return [
        ship(owner, confirmed(owner, [(apple, quantity)], customer=customer)).number
        for quantity in ("2", "3")
    ]


@pytest.fixture
def hook(owner):
    return api_key_create(
        name="网店", scope="read", user=owner, webhook_url="http://127.0.0.1:9/"
    ).key


@pytest.fixture
def orders(owner):
    return KeyClient(key_for(owner, "orders")[1])


def body(customer, amount="25.00", **extra):
    return {
        "customer": customer.pk,
        "account": account("现金").pk,
        "amount": amount,
        **extra,
    }


def ledger():
    """What a refused call must leave as it was."""
    return (
        Payment.objects.count(),
        MoneyEntry.objects.count(),
        list(OpenItem.objects.order_by("pk").values_list("pk", "settled")),
        WebhookEvent.objects.count(),
    )


def test_a_payment_pays_the_oldest_documents_first(owner, customer, owed, orders, hook):
    response = orders.post(URL, body(customer, "25.00", note="网店 T1001"))
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["number"].startswith("SK-")
    assert (made["amount"], made["customer"], made["status"]) == (
        "25.00", customer.pk, "posted",
    )  # fmt: skip
    assert made["allocated"] == [
        {"document": owed[0], "amount": "20.00"},
        {"document": owed[1], "amount": "5.00"},
    ]
    assert balance_of(customer) == D("25.00")  # 50 owed, 25 paid
    payment = Payment.objects.get()
    assert payment.note == "网店 T1001"
    assert AuditEntry.objects.filter(
        action=Action.POST, object_id=payment.pk, summary=str(customer)
    ).exists()
    event = WebhookEvent.objects.get(key=hook, kind=EventKind.DOCUMENT_POSTED)
    assert event.payload["document"] == {
        "app": "finance", "type": "payment", "id": payment.pk,
    }  # fmt: skip
    assert event.payload["amount"] == "25.00"
    assert event.payload["allocated"] == made["allocated"]
    assert event.payload["partner"] == {"kind": "customer", "id": customer.pk}


def test_a_payment_pays_the_documents_it_names(owner, customer, owed, orders):
    response = orders.post(
        URL,
        body(customer, "40.00", allocations=[{"document": owed[1], "amount": "30"}]),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["allocated"] == [{"document": owed[1], "amount": "30.00"}]
    # 20 still owed on the first; 10 paid in advance: the balance nets them.
    assert balance_of(customer) == D("10.00")
    first = OpenItem.objects.get(source_number=owed[0])
    assert first.is_open and first.settled == 0


def test_more_than_owed_is_a_prepayment(owner, customer, orders):
    response = orders.post(URL, body(customer, "100"))
    assert response.status_code == 201
    assert response.json()["allocated"] == []
    assert balance_of(customer) == D("-100.00")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"amount": "0"}, "detail", ("greater than zero", "大于")),
        ({"amount": "-5"}, "detail", ("greater than zero", "大于")),
        ({"amount": "0.001"}, "amount", ("2 decimals", "两位小数")),
        ({"amount": "12.345"}, "amount", ("2 decimals", "两位小数")),
        ({"amount": "abc"}, "amount", ("120.50",)),
        ({"amount": "1e20"}, "amount", ("too large", "太大")),
        ({"amount": None}, "amount", ("",)),
        ({"customer": 999999}, "customer", ("999999",)),
        ({"customer": "x"}, "customer", ("",)),
        ({"account": 999999}, "account", ("999999",)),
        ({"date": "2999-01-01"}, "date", ("future", "未来")),
        (
            {"allocations": [{"document": "SH-19990101-001", "amount": "5"}]},
            "allocations",
            ("SH-19990101-001",),
        ),
    ],
)
def test_bad_input_is_a_clear_400_and_writes_nothing(
    owner, customer, owed, orders, hook, change, field, words
):
    before, balance = ledger(), balance_of(customer)
    response = orders.post(URL, {**body(customer), **change})
    assert response.status_code == 400, response.json()
    answer = response.json()
    assert field in answer, answer
    assert any(word in str(answer[field]) for word in words), answer
    assert (ledger(), balance_of(customer)) == (before, balance)


def test_an_allocation_above_the_open_amount_is_refused(
    owner, customer, owed, orders, hook
):
    before = ledger()
    response = orders.post(
        URL,
        body(customer, "50", allocations=[{"document": owed[0], "amount": "20.01"}]),
    )
    assert response.status_code == 400
    assert owed[0] in str(response.json()["detail"])
    assert "20.01" in str(response.json()["detail"])
    assert ledger() == before


def test_allocations_above_the_payment_or_named_twice_are_refused(
    owner, customer, owed, orders, hook
):
    before = ledger()
    above = orders.post(
        URL,
        body(
            customer,
            "25",
            allocations=[
                {"document": owed[0], "amount": "20"},
                {"document": owed[1], "amount": "10"},
            ],
        ),
    )
    assert above.status_code == 400
    twice = orders.post(
        URL,
        body(
            customer,
            "25",
            allocations=[
                {"document": owed[0], "amount": "5"},
                {"document": owed[0].lower(), "amount": "5"},
            ],
        ),
    )
    assert twice.status_code == 400
    assert "allocations" in twice.json()
    assert ledger() == before


def test_another_customers_document_is_not_paid(owner, customer, owed, orders):
    other = CustomerFactory(code="C2")
    before = ledger()
    response = orders.post(
        URL, body(other, "5", allocations=[{"document": owed[0], "amount": "5"}])
    )
    assert response.status_code == 400
    assert ledger() == before


def test_an_account_no_longer_in_use_is_refused(owner, customer, orders):
    cash = account("现金")
    Account.objects.filter(pk=cash.pk).update(is_active=False)
    before = ledger()
    response = orders.post(URL, body(customer))
    assert response.status_code == 400
    assert "account" in response.json()
    assert ledger() == before


def test_a_retry_with_the_same_idempotency_key_posts_once(
    owner, customer, owed, orders, hook
):
    first = orders.post(URL, body(customer), **{"Idempotency-Key": "bank-7781"})
    again = orders.post(URL, body(customer), **{"Idempotency-Key": "bank-7781"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Payment.objects.count() == 1
    assert balance_of(customer) == D("25.00")
    assert (
        WebhookEvent.objects.filter(kind=EventKind.DOCUMENT_POSTED, key=hook)
        .filter(payload__document__type="payment")
        .count()
        == 1
    )
    other = orders.post(URL, body(customer, "26"), **{"Idempotency-Key": "bank-7781"})
    assert other.status_code == 422


def test_scopes_read_cannot_record_a_payment_orders_and_full_can(
    owner, customer, orders
):
    read = KeyClient(key_for(owner, "read")[1])
    assert read.post(URL, body(customer)).status_code == 403
    assert not Payment.objects.exists()
    assert orders.post(URL, body(customer, "1")).status_code == 201
    full = KeyClient(key_for(owner, "full")[1])
    assert full.post(URL, body(customer, "2")).status_code == 201


def test_payments_and_accounts_are_read_back(owner, customer, owed, orders):
    orders.post(URL, body(customer, "25"))
    read = KeyClient(key_for(owner, "read")[1])
    listed = read.get(URL, {"customer": customer.pk}).json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["customer_code"], row["account_name"]) == ("C1", "现金")
    detail = read.get(f"{URL}{row['id']}/").json()
    assert [a["amount"] for a in detail["allocated"]] == ["20.00", "5.00"]
    assert read.get(URL, {"customer": "x"}).status_code == 400
    assert read.get(URL, {"since": "2999-01-01"}).json()["count"] == 0
    accounts = read.get("/api/v1/accounts/").json()["results"]
    assert "现金" in [a["name"] for a in accounts]
    assert "balance" not in accounts[0]


def test_a_cancelled_payment_sends_document_cancelled(owner, customer, owed, hook):
    payment = finance.payment_post(
        customer=customer,
        account=account("现金"),
        amount=D("20"),
        occurred_at=timezone.now(),
        user=owner,
    )
    finance.payment_cancel(payment=payment, user=owner, reason="重复")
    kinds = list(
        WebhookEvent.objects.filter(key=hook, payload__document__type="payment")
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == [EventKind.DOCUMENT_POSTED, EventKind.DOCUMENT_CANCELLED]

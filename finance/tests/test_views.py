"""The finance pages: who sees what, the payment form end to end, bad input."""

import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.tests.factories import CustomerFactory, ProductFactory, SupplierFactory
from finance.models import Payment
from finance.tests.factories import account, balance_of, deposit, items_of, pay
from inventory.tests.factories import receive
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def ledger_stays_true():
    yield
    call_command("check_money")


@pytest.fixture
def owed(owner):
    """阳光幼儿园 owes ¥459 for one shipment and ¥100 for another."""
    apple = ProductFactory(sale_price=D("10"))
    receive(apple, "100", "4", user=owner)
    kid = CustomerFactory(name="阳光幼儿园", code="KID")
    ship(owner, confirmed(owner, [(apple, "45.9")], customer=kid))
    ship(owner, confirmed(owner, [(apple, "10")], customer=kid))
    return kid


def test_a_clerk_records_a_customer_payment_against_chosen_documents(
    staff_client, owed
):
    url = reverse("finance:collection_create")
    page = staff_client.get(url, {"partner": "KID"})
    assert page.status_code == 200
    assert "¥559.00" in page.content.decode()
    first, second = items_of(owed)
    token = str(uuid.uuid4())
    data = {
        "partner": "KID",
        "account": account("微信").pk,
        "amount": "150",
        "date": page.context["form"]["date"].value(),
        "note": "",
        "submission": token,
        f"pay_{second.pk}": "100",
        f"pay_{first.pk}": "50",
    }
    response = staff_client.post(url, data)
    payment = Payment.objects.get()
    assert response.status_code == 302 and response.url == payment.get_absolute_url()
    again = staff_client.post(url, data)
    assert again.status_code == 302 and Payment.objects.count() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.open_amount, second.open_amount) == (D("409.00"), D("0"))
    assert balance_of(owed) == D("409.00")
    detail = staff_client.get(payment.get_absolute_url())
    assert detail.status_code == 200
    assert "¥150.00" in detail.content.decode()


@pytest.mark.parametrize("amount", ["0", "-1", "1.234", "", "abc", "100000000"])
def test_bad_amounts_are_refused_and_nothing_changes(staff_client, owed, amount):
    url = reverse("finance:collection_create")
    response = staff_client.post(
        url,
        {
            "partner": "KID",
            "account": account().pk,
            "amount": amount,
            "date": "",
            "submission": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    assert not Payment.objects.exists()
    assert balance_of(owed) == D("559.00")


def test_allocating_more_than_is_open_is_refused(staff_client, owed):
    first, _second = items_of(owed)
    page = staff_client.get(reverse("finance:collection_create"), {"partner": "KID"})
    response = staff_client.post(
        reverse("finance:collection_create"),
        {
            "partner": "KID",
            "account": account().pk,
            "amount": "500",
            "date": page.context["form"]["date"].value(),
            "submission": str(uuid.uuid4()),
            f"pay_{first.pk}": "460",
        },
    )
    assert response.status_code == 200
    assert not Payment.objects.exists()


def test_a_clerk_never_sees_payables(staff_client, owner):
    farm = SupplierFactory()
    deposit(owner, account(), "100")
    payment = pay(owner, farm, "10")
    for url in [
        reverse("finance:disbursement_list"),
        reverse("finance:disbursement_create"),
        reverse("finance:payables"),
        reverse("finance:supplier_account", args=[farm.pk]),
        payment.get_absolute_url(),
    ]:
        assert staff_client.get(url).status_code == 403, url
    assert (
        staff_client.post(
            reverse("finance:payment_cancel", args=[payment.pk]), {"reason": "x"}
        ).status_code
        == 403
    )


def test_the_owner_cancels_a_payment(owner_client, owner, owed):
    payment = pay(owner, owed, "100")
    response = owner_client.post(
        reverse("finance:payment_cancel", args=[payment.pk]), {"reason": "收错"}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == "cancelled"
    assert balance_of(owed) == D("559.00")


def test_pages_show_balances_and_history(owner_client, owed, count_queries):
    for url in [
        reverse("finance:receivables"),
        reverse("finance:customer_account", args=[owed.pk]),
        reverse("finance:collection_list"),
    ]:
        response = owner_client.get(url)
        assert response.status_code == 200
        assert "559.00" in response.content.decode() or "collection" in url


def test_the_owner_sets_a_credit_limit(owner_client, owed):
    url = reverse("finance:credit_limit", args=[owed.pk])
    assert owner_client.post(url, {"credit_limit": "-5"}).status_code == 302
    owed.refresh_from_db()
    assert owed.credit_limit is None
    owner_client.post(url, {"credit_limit": "500"})
    owed.refresh_from_db()
    assert owed.credit_limit == D("500")


def test_a_clerk_may_not_set_a_credit_limit(staff_client, owed):
    url = reverse("finance:credit_limit", args=[owed.pk])
    assert staff_client.post(url, {"credit_limit": "5000"}).status_code == 403


def test_a_shipment_form_takes_payment_and_the_owners_credit_approval(
    staff_client, owner, owed
):
    from sales.models import Shipment

    owed.credit_limit = D("600")
    owed.save(update_fields=["credit_limit"])
    apple = ProductFactory(sale_price=D("10"))
    receive(apple, "100", "4", user=owner)
    order = confirmed(owner, [(apple, "10")], customer=owed)
    line = order.lines.get()
    url = reverse("sales:shipment_create") + f"?order={order.pk}"
    data = {
        "submission": str(uuid.uuid4()),
        "version": order.version,
        f"ship_{line.pk}": "10",
        "note": "",
        "paid": "",
        "paid_account": "",
    }
    refused = staff_client.post(url, data)
    assert refused.status_code == 200
    assert "600.00" in refused.content.decode()
    assert not Shipment.objects.filter(order=order).exists()
    # Paid ¥60 now: ¥599 owed stays within the limit.
    paid = {**data, "paid": "60", "paid_account": account("现金").pk}
    assert staff_client.post(url, paid).status_code == 302
    assert balance_of(owed) == D("599.00")
    assert account("现金").balance == D("60.00")


PAGES = {
    "receivables": lambda w: reverse("finance:receivables"),
    "customer": lambda w: reverse("finance:customer_account", args=[w.pk]),
    "collections": lambda w: reverse("finance:collection_list"),
    "form": lambda w: reverse("finance:collection_create") + "?partner=KID",
}


def test_page_queries_are_pinned_and_do_not_grow(
    owner_client, owner, owed, count_queries
):
    payment = pay(owner, owed, "10")
    first = {
        name: count_queries(owner_client, url(owed)) for name, url in PAGES.items()
    }
    first["payment"] = count_queries(owner_client, payment.get_absolute_url())
    for _ in range(3):
        pay(owner, owed, "10")
        pay(owner, CustomerFactory(), "5")
    again = {
        name: count_queries(owner_client, url(owed)) for name, url in PAGES.items()
    }
    again["payment"] = count_queries(owner_client, payment.get_absolute_url())
    assert again == first
    assert first == PINNED, first


# Queries per page (session, user, permissions and the page's own reads).
PINNED = {
    "receivables": 10,
    "customer": 15,
    "collections": 10,  # + the account filter's choices
    "form": 14,
    "payment": 10,
}


def test_payment_lists_filter_by_customer_account_and_status_and_export_as_filtered(
    owner_client, owner, owed
):
    import io

    from openpyxl import load_workbook

    other = CustomerFactory(name="晨光文具", code="CG")
    in_cash = pay(owner, owed, "100")
    by_wechat = pay(owner, owed, "30", into="微信")
    pay(owner, other, "5")
    cancelled = pay(owner, owed, "7")
    owner_client.post(
        reverse("finance:payment_cancel", args=[cancelled.pk]), {"reason": "错"}
    )
    url = reverse("finance:collection_list")

    def listed(**query):
        page = owner_client.get(url, query)
        assert page.status_code == 200
        return {payment.number for payment in page.context["page_obj"]}

    assert listed(customer="KID", status="posted") == {
        in_cash.number,
        by_wechat.number,
    }
    assert listed(account=account("微信").pk) == {by_wechat.number}
    assert listed(customer="无此客户") == set()
    export = owner_client.get(
        reverse("finance:collection_export"), {"customer": "KID", "status": "posted"}
    )
    assert export.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
    )
    numbers = {row[0] for row in rows[2:-1]}
    assert numbers == {in_cash.number, by_wechat.number}
    assert rows[-1][5] == 130


def test_a_clerk_may_not_export_supplier_payments(staff_client):
    response = staff_client.get(reverse("finance:disbursement_export"))
    assert response.status_code == 403

"""Reading and writing through /api/v1/: keys, scopes, costs, writes through the
pages' services, bad input refused with nothing changed, every call audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from api.models import ApiKey, RateWindow
from api.services import api_key_revoke
from api.tests.helpers import KeyClient, key_for
from audit.models import Action, AuditEntry
from catalog.models import Customer, Product
from catalog.tests.factories import ProductFactory
from inventory.models import StockLevel
from inventory.tests.factories import receive
from sales.models import OrderStatus, SalesOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def apple(owner):
    product = ProductFactory(
        sku="APL", name="苹果", unit="斤", sale_price=Decimal("6.50"),
        purchase_price=Decimal("3.20"),
    )  # fmt: skip
    receive(product, "10", "3.20", user=owner)
    return product


def order_body(product, quantity="2", **extra):
    return {
        "customer": Customer.objects.get(code="RETAIL").pk,
        "lines": [{"product": product.pk, "quantity": quantity}],
        **extra,
    }


def test_a_call_without_a_key_is_refused_with_401():
    response = KeyClient("nothing").client.get("/api/v1/products/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_wrong_secret_or_a_revoked_key_is_refused(owner):
    key, token = key_for(owner)
    assert KeyClient(token).get("/api/v1/products/").status_code == 200
    assert KeyClient(token[:-1] + "x").get("/api/v1/products/").status_code == 401
    api_key_revoke(key=key, user=owner)
    assert KeyClient(token).get("/api/v1/products/").status_code == 401


def test_a_key_of_a_deactivated_owner_stops_working(owner):
    _key, token = key_for(owner)
    owner.is_active = False
    owner.save()
    assert KeyClient(token).get("/api/v1/products/").status_code == 401


def test_the_key_is_stored_only_as_a_hash(owner):
    key, token = key_for(owner)
    secret = token.split("_", 2)[2]
    stored = ApiKey.objects.filter(pk=key.pk).values()[0]
    assert all(secret not in str(value) for value in stored.values())
    assert token.startswith(f"jxc_{key.prefix}_")


def test_products_list_with_prices_and_costs_only_for_full(owner, apple):
    full = KeyClient(key_for(owner, "full")[1]).get("/api/v1/products/").json()
    read = KeyClient(key_for(owner, "read")[1]).get("/api/v1/products/").json()
    assert full["count"] == read["count"] == 1
    assert full["results"][0]["purchase_price"] == "3.20"
    assert full["results"][0]["unit"] == "斤"
    assert read["results"][0]["sale_price"] == "6.50"
    assert "purchase_price" not in read["results"][0]


def test_stock_shows_available_and_costs_only_for_full(owner, apple):
    full = KeyClient(key_for(owner, "full")[1]).get("/api/v1/stock/").json()
    orders = KeyClient(key_for(owner, "orders")[1]).get("/api/v1/stock/").json()
    row = full["results"][0]
    assert (row["on_hand"], row["reserved"], row["available"]) == (
        "10.000", "0.000", "10.000",
    )  # fmt: skip
    assert row["value"] == "32.00"
    assert "value" not in orders["results"][0]
    assert "unit_cost" not in orders["results"][0]


def test_updated_since_filters_and_a_bad_date_is_a_clear_400(owner, apple):
    client = KeyClient(key_for(owner)[1])
    later = client.get("/api/v1/products/", {"updated_since": "2999-01-01"}).json()
    assert later["count"] == 0
    bad = client.get("/api/v1/products/", {"updated_since": "yesterday"})
    assert bad.status_code == 400
    assert "updated_since" in bad.json()


def test_summary_is_for_full_keys_only(owner, apple):
    assert (
        KeyClient(key_for(owner, "read")[1]).get("/api/v1/summary/").status_code == 403
    )
    response = KeyClient(key_for(owner, "full")[1]).get("/api/v1/summary/")
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["sku"] == "APL"
    assert body["results"][0]["closing_q"] == "10.000"


def test_create_and_confirm_a_sales_order_reserves_stock(owner, apple):
    client = KeyClient(key_for(owner, "orders")[1])
    response = client.post("/api/v1/sales-orders/", order_body(apple, confirm=True))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == OrderStatus.CONFIRMED
    assert body["number"].startswith("SO-")
    assert body["lines"][0]["reserved_quantity"] == "2.000"
    assert StockLevel.objects.get(product=apple).reserved == 2
    # The order's own audit entry and the call's.
    order = SalesOrder.objects.get()
    assert AuditEntry.objects.filter(object_id=order.pk, action=Action.CREATE).exists()
    assert AuditEntry.objects.filter(
        action=Action.API, summary__contains="POST"
    ).exists()
    call_command("check_stock")


def test_an_order_beyond_the_stock_is_refused_and_changes_nothing(owner, apple):
    client = KeyClient(key_for(owner, "orders")[1])
    response = client.post(
        "/api/v1/sales-orders/", order_body(apple, quantity="11", confirm=True)
    )
    assert response.status_code == 409
    assert response.json()["short"][0]["available"] == "10.000"
    assert not SalesOrder.objects.exists()
    assert StockLevel.objects.get(product=apple).reserved == 0


@pytest.mark.parametrize(
    "quantity", ["0", "-1", "1.0001", "99999999999999", "abc", None]
)
def test_bad_quantities_are_refused_and_nothing_is_written(owner, apple, quantity):
    client = KeyClient(key_for(owner, "orders")[1])
    response = client.post(
        "/api/v1/sales-orders/", order_body(apple, quantity=quantity)
    )
    assert response.status_code == 400
    assert not SalesOrder.objects.exists()


def test_missing_fields_and_duplicate_lines_are_refused(owner, apple):
    client = KeyClient(key_for(owner, "orders")[1])
    assert client.post("/api/v1/sales-orders/", {}).status_code == 400
    body = order_body(apple)
    body["lines"] *= 2
    response = client.post("/api/v1/sales-orders/", body)
    assert response.status_code == 400
    assert "两行" in str(response.json()) or "two lines" in str(response.json())
    assert not SalesOrder.objects.exists()


def test_an_orders_key_cannot_sell_below_the_floor(owner, apple):
    apple.min_price = Decimal("6.00")
    apple.save()
    body = order_body(apple)
    body["lines"][0]["unit_price"] = "1.00"
    orders = KeyClient(key_for(owner, "orders")[1])
    assert orders.post("/api/v1/sales-orders/", body).status_code == 400
    assert not SalesOrder.objects.exists()
    full = KeyClient(key_for(owner, "full")[1])
    assert full.post("/api/v1/sales-orders/", body).status_code == 201


def test_a_read_key_cannot_write(owner, apple):
    client = KeyClient(key_for(owner, "read")[1])
    assert client.post("/api/v1/sales-orders/", order_body(apple)).status_code == 403
    assert not SalesOrder.objects.exists()


def test_create_a_product_with_the_product_forms_rules(owner):
    client = KeyClient(key_for(owner, "full")[1])
    response = client.post(
        "/api/v1/products/", {"sku": "NEW-1", "name": "新品", "sale_price": "9.90"}
    )
    assert response.status_code == 201, response.json()
    product = Product.objects.get(sku="NEW-1")
    assert product.unit == "件" and product.search_text  # the service's search keys
    duplicate = client.post("/api/v1/products/", {"sku": "new-1", "name": "重复"})
    assert duplicate.status_code == 400
    negative = client.post(
        "/api/v1/products/", {"sku": "NEW-2", "name": "负价", "sale_price": "-1"}
    )
    assert negative.status_code == 400
    assert Product.objects.count() == 1
    orders = KeyClient(key_for(owner, "orders")[1])
    assert (
        orders.post("/api/v1/products/", {"sku": "X", "name": "x"}).status_code == 403
    )


def test_documents_with_lines_and_costs_only_for_full(owner, apple):
    from sales.tests.factories import confirmed, ship

    order = confirmed(owner, [(apple, "2")])
    ship(owner, order)
    full = KeyClient(key_for(owner, "full")[1]).get("/api/v1/shipments/").json()
    read = KeyClient(key_for(owner, "read")[1]).get("/api/v1/shipments/").json()
    assert full["results"][0]["lines"][0]["unit_cost"] == "3.2000"
    assert "cost_total" in full["results"][0]
    assert "unit_cost" not in read["results"][0]["lines"][0]
    assert "cost_total" not in read["results"][0]
    orders = KeyClient(key_for(owner, "read")[1]).get("/api/v1/sales-orders/").json()
    assert orders["results"][0]["lines"][0]["shipped_quantity"] == "2.000"


def test_every_call_is_audited_and_marks_the_key_used(owner, apple):
    key, token = key_for(owner, "read")
    KeyClient(token).get("/api/v1/products/")
    KeyClient(token).get("/api/v1/stock/")
    entries = AuditEntry.objects.filter(action=Action.API, object_id=key.pk)
    assert entries.count() == 2
    assert "GET /api/v1/products/" in entries.last().summary
    key.refresh_from_db()
    assert key.last_used_at is not None


@override_settings(JXC_API_CALLS_PER_MINUTE=3)
def test_calls_are_limited_per_key_in_the_database(owner):
    _key, token = key_for(owner, "read")
    other = KeyClient(key_for(owner, "read")[1])
    client = KeyClient(token)
    answers = [client.get("/api/v1/products/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert other.get("/api/v1/products/").status_code == 200  # its own count
    assert sorted(RateWindow.objects.values_list("calls", flat=True)) == [1, 4]


@time_machine.travel("2026-12-01 10:00:30 +0800", tick=False)  # one minute
def test_query_counts_stay_flat(owner, apple, count_queries):
    client = KeyClient(key_for(owner, "full")[1])
    from sales.tests.factories import confirmed

    confirmed(owner, [(apple, "1")])
    client.get("/api/v1/products/")  # the key's first call of the minute
    one = count_queries(client, "/api/v1/sales-orders/")
    confirmed(owner, [(apple, "1")])
    confirmed(owner, [(apple, "1")])
    three = count_queries(client, "/api/v1/sales-orders/")
    assert one == three

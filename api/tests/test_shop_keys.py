"""API keys bound to one shop (连锁): such a key reads stock, warehouses, documents
and the summary of its shop's warehouses only, and creates sales orders only in
them; a key of no shop sees every shop."""

from __future__ import annotations

import uuid
from decimal import Decimal as D

import pytest

from api.models import ApiKey
from api.tests.helpers import KeyClient, key_for
from catalog.models import Customer, Shop, Warehouse
from catalog.tests.factories import ProductFactory, ShopFactory, WarehouseFactory
from inventory.models import StockLevel
from inventory.tests.factories import receive
from reports.forms import this_month
from sales.models import SalesOrder
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(owner):
    """Apples in the first shop's warehouse, pears in the second's; a key of each
    shop and one of every shop (all full: costs and the summary too)."""
    first = Shop.objects.get()
    second = ShopFactory(code="S02", name="二店")
    main = Warehouse.objects.get(is_default=True)
    other = WarehouseFactory(code="B1", name="二店仓", shop=second)
    apple = ProductFactory(sku="APL", name="苹果", sale_price=D("5"))
    pear = ProductFactory(sku="PER", name="鸭梨", sale_price=D("4"))
    receive(apple, "10", "2", user=owner, warehouse=main)
    receive(pear, "8", "3", user=owner, warehouse=other)
    return {
        "main": main,
        "other": other,
        "apple": apple,
        "pear": pear,
        "all": KeyClient(key_for(owner, "full")[1]),
        "first": KeyClient(key_for(owner, "full", shop_id=first.pk)[1]),
        "second": KeyClient(key_for(owner, "full", shop_id=second.pk)[1]),
        "second_orders": KeyClient(key_for(owner, "orders", shop_id=second.pk)[1]),
    }


def order(product, warehouse=None, quantity="1"):
    body = {
        "customer": Customer.objects.get(code="RETAIL").pk,
        "lines": [{"product": product.pk, "quantity": quantity}],
        "confirm": True,
    }
    if warehouse is not None:
        body["warehouse"] = warehouse.pk
    return body


def skus(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["sku"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "key, expected",
    [("all", {"APL", "PER"}), ("first", {"APL"}), ("second", {"PER"})],
)
def test_stock_and_a_products_stock_are_the_keys_shops(chain, key, expected):
    client = chain[key]
    assert skus(client.get("/api/v1/stock/")) == expected
    # One product's stock (?product=): none shows outside the key's shop.
    for name in ("apple", "pear"):
        product = chain[name]
        found = skus(client.get("/api/v1/stock/", {"product": product.pk}))
        assert found == ({product.sku} & expected)
    level = StockLevel.objects.get(product=chain["pear"])
    detail = client.get(f"/api/v1/stock/{level.pk}/")
    assert detail.status_code == (200 if "PER" in expected else 404)


@pytest.mark.parametrize(
    "key, codes",
    [("all", {"MAIN", "B1"}), ("first", {"MAIN"}), ("second", {"B1"})],
)
def test_warehouses_are_the_keys_shops(chain, key, codes):
    rows = chain[key].get("/api/v1/warehouses/").json()["results"]
    found = {row["code"] for row in rows}
    main = chain["main"].code
    assert found == {main if code == "MAIN" else code for code in codes}


def test_documents_are_the_keys_shops(chain):
    made = chain["all"].post("/api/v1/sales-orders/", order(chain["apple"]))
    assert made.status_code == 201, made.json()
    mine = chain["second"].post("/api/v1/sales-orders/", order(chain["pear"]))
    assert mine.status_code == 201, mine.json()
    first_order, second_order = made.json()["id"], mine.json()["id"]

    def ids(client):
        return {
            row["id"] for row in client.get("/api/v1/sales-orders/").json()["results"]
        }

    assert ids(chain["all"]) == {first_order, second_order}
    assert ids(chain["first"]) == {first_order}
    assert ids(chain["second"]) == {second_order}
    assert (
        chain["second"].get(f"/api/v1/sales-orders/{first_order}/").status_code == 404
    )
    assert chain["first"].get(f"/api/v1/sales-orders/{first_order}/").status_code == 200


def test_a_shop_key_orders_only_in_its_shop(chain):
    client = chain["second_orders"]
    before = SalesOrder.objects.count()
    refused = client.post("/api/v1/sales-orders/", order(chain["apple"], chain["main"]))
    assert refused.status_code == 400
    message = str(refused.json()["warehouse"])
    assert "one shop" in message or "一个门店" in message
    assert SalesOrder.objects.count() == before
    assert StockLevel.objects.get(product=chain["apple"]).reserved == 0
    # The same refusal under an Idempotency-Key: nothing written either.
    again = client.post(
        "/api/v1/sales-orders/",
        order(chain["apple"], chain["main"]),
        **{"Idempotency-Key": str(uuid.uuid4())},
    )
    assert again.status_code == 400
    assert SalesOrder.objects.count() == before
    # No warehouse named: its own shop's; its own warehouse named: made.
    made = client.post("/api/v1/sales-orders/", order(chain["pear"]))
    assert made.status_code == 201, made.json()
    assert made.json()["warehouse"] == chain["other"].pk
    named = client.post("/api/v1/sales-orders/", order(chain["pear"], chain["other"]))
    assert named.status_code == 201
    assert StockLevel.objects.get(product=chain["pear"]).reserved == 2
    # A key of every shop orders anywhere.
    anywhere = chain["all"].post(
        "/api/v1/sales-orders/", order(chain["pear"], chain["other"])
    )
    assert anywhere.status_code == 201


def test_the_summary_is_the_keys_shops(chain):
    month = f"{this_month()[0]:%Y-%m}"
    for key, expected in (("all", {"APL", "PER"}), ("second", {"PER"})):
        rows = chain[key].get("/api/v1/summary/", {"month": month}).json()["results"]
        assert {row["sku"] for row in rows} == expected
    other_shop = chain["second"].get(
        "/api/v1/summary/", {"month": month, "warehouse": chain["main"].pk}
    )
    assert other_shop.status_code == 400


def test_the_owner_binds_a_key_to_a_shop_on_the_form(owner_client, chain):
    second = Shop.objects.get(code="S02")
    page = owner_client.get("/api/keys/new/")
    assert 'name="shop"' in page.content.decode()
    response = owner_client.post(
        "/api/keys/new/",
        {
            "name": "二店网店",
            "scope": "orders",
            "shop": second.pk,
            "webhook_url": "",
            "submission": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    key = ApiKey.objects.get(name="二店网店")
    assert key.shop == second
    assert "二店" in owner_client.get(f"/api/keys/{key.pk}/").content.decode()
    listing = owner_client.get("/api/keys/").content.decode()
    assert "二店" in listing
    # A shop that does not exist: refused, no key.
    refused = owner_client.post(
        "/api/keys/new/",
        {
            "name": "x",
            "scope": "read",
            "shop": 999999,
            "submission": str(uuid.uuid4()),
        },
    )
    assert refused.status_code == 200
    assert not ApiKey.objects.filter(name="x").exists()


def test_a_shop_keys_webhook_gets_its_shops_events_only(owner, chain):
    from api.models import WebhookEvent

    second = Shop.objects.get(code="S02")
    everywhere, _token = key_for(owner, "read", webhook_url="http://127.0.0.1:9/")
    mine, _token = key_for(
        owner, "read", webhook_url="http://127.0.0.1:9/", shop_id=second.pk
    )
    receive(chain["apple"], "1", "2", user=owner, warehouse=chain["main"])
    receive(chain["pear"], "1", "3", user=owner, warehouse=chain["other"])
    ship(owner, confirmed(owner, [(chain["apple"], "1")]))  # from the first shop

    def products(key):
        found = set()
        for event in WebhookEvent.objects.filter(key=key):
            payload = event.payload
            found.add((event.kind, payload.get("product_id")))
            found |= {
                (event.kind, line["product_id"]) for line in payload.get("lines", ())
            }
        return {pk for _kind, pk in found if pk}

    assert products(everywhere) == {chain["apple"].pk, chain["pear"].pk}
    assert products(mine) == {chain["pear"].pk}

    def kinds(key):
        return set(WebhookEvent.objects.filter(key=key).values_list("kind", flat=True))

    # The first shop's shipment posted: only the key of every shop hears of it.
    assert "document.posted" in kinds(everywhere)
    assert kinds(mine) == {"stock.changed"}

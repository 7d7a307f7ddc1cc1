"""Shops of a chain (门店): the default shop the migration makes, the owner's shop
and account pages, and the one rule — a clerk acts only in their shops'
warehouses — on forms, lists, detail pages, stock pages and the ledger itself,
for two shops × both roles."""

import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from catalog import shops
from catalog.models import Shop, ShopProfile, Warehouse
from catalog.tests.factories import (
    ProductFactory,
    ShopFactory,
    SupplierFactory,
    WarehouseFactory,
)
from inventory.models import MoveKind, StockLevel, StockMove
from inventory.services import MoveLine, stock_moves_post
from inventory.tests.factories import receive
from purchasing import services as purchasing_services
from purchasing.models import PurchaseOrder
from sales.models import Shipment

pytestmark = pytest.mark.django_db

migration = importlib.import_module("catalog.migrations.0009_shops")


@pytest.fixture
def chain(owner):
    """Two shops: 本店 (the migration's, with the default warehouse) and 二店 with
    its own warehouse; a clerk in each; apples in stock in both."""
    first = Shop.objects.get()
    second = ShopFactory(code="S02", name="二店")
    main = Warehouse.objects.get(is_default=True)
    other = WarehouseFactory(code="B1", name="二店仓", shop=second)
    clerk_a = StaffFactory(username="clerk_a")
    clerk_b = StaffFactory(username="clerk_b")
    first.members.add(clerk_a)
    second.members.add(clerk_b)
    apple = ProductFactory(sku="SG001", name="苹果", sale_price=D("5"))
    receive(apple, "10", "2", user=owner, warehouse=main)
    receive(apple, "7", "3", user=owner, warehouse=other)
    return {
        "first": first,
        "second": second,
        "main": main,
        "other": other,
        "a": clerk_a,
        "b": clerk_b,
        "apple": apple,
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the default shop ------------------------------------------------------------


def test_the_migration_puts_every_warehouse_and_clerk_in_one_default_shop(staff):
    shop = Shop.objects.get()
    assert shop.code == "S01"
    assert not Warehouse.objects.filter(shop__isnull=True).exists()
    loose = Warehouse.objects.create(code="X", name="散仓")
    migration.shops(apps, None)  # idempotent: files the new one, makes no 2nd shop
    migration.shops(apps, None)
    assert Shop.objects.count() == 1
    loose.refresh_from_db()
    assert loose.shop == shop


def test_the_default_shop_is_named_after_the_shop_profile(staff):
    Warehouse.objects.update(shop=None)
    Shop.objects.all().delete()
    ShopProfile.objects.update_or_create(pk=1, defaults={"name": "阿芳水果"})
    migration.shops(apps, None)
    shop = Shop.objects.get()
    assert shop.name == "阿芳水果"
    assert list(shop.members.all()) == [staff]  # existing clerks join it


def test_with_one_shop_a_clerk_outside_it_still_acts_everywhere(staff):
    assert not staff.shops.exists()
    assert set(shops.warehouses_for(staff)) == set(Warehouse.objects.all())
    assert shops.restricted_warehouse_ids(staff) is None


# --- the owner's pages -----------------------------------------------------------


def test_the_owner_opens_a_shop_with_its_clerks_and_the_trail_says_so(
    owner_client, staff
):
    response = owner_client.post(
        "/catalog/shops/new/",
        {
            "code": "S02",
            "name": "二店",
            "address": "西街 2 号",
            "phone": "123",
            "is_active": "on",
            "members": [staff.pk],
        },
    )
    assert response.status_code == 302
    shop = Shop.objects.get(code="S02")
    assert list(shop.members.all()) == [staff]
    page = owner_client.get("/catalog/shops/").content.decode()
    assert "二店" in page and "西街 2 号" in page
    from audit.models import AuditEntry

    entry = AuditEntry.objects.filter(object_id=str(shop.pk)).get()
    assert entry.changes["members"] == [None, staff.username]


def test_a_shop_code_twice_is_refused_and_nothing_is_saved(owner_client):
    response = owner_client.post(
        "/catalog/shops/new/", {"code": "s01", "name": "重复", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "“本店”" in response.content.decode()
    assert Shop.objects.count() == 1


def test_a_shop_with_warehouses_cannot_be_deleted(owner_client):
    shop = Shop.objects.get()
    response = owner_client.post(f"/catalog/shops/{shop.pk}/delete/", follow=True)
    assert Shop.objects.filter(pk=shop.pk).exists()
    assert response.status_code == 200


def test_a_warehouse_is_put_in_a_shop_on_its_page(owner_client):
    second = ShopFactory(code="S02", name="二店")
    owner_client.post(
        "/catalog/warehouses/new/",
        {"code": "B1", "name": "二店仓", "shop": second.pk, "is_active": "on"},
    )
    assert Warehouse.objects.get(code="B1").shop == second


def test_the_owner_puts_a_clerk_in_shops_on_the_account_pages(owner_client, staff):
    second = ShopFactory(code="S02", name="二店")
    response = owner_client.post(
        f"/accounts/users/{staff.pk}/",
        {"first_name": "", "role": "staff", "is_active": "on", "shops": [second.pk]},
    )
    assert response.status_code == 302
    assert list(staff.shops.all()) == [second]
    owner_client.post(
        "/accounts/users/new/",
        {
            "username": "newbie",
            "first_name": "",
            "role": "staff",
            "password1": "Zx9!long-enough",
            "password2": "Zx9!long-enough",
        },
    )
    from django.contrib.auth import get_user_model

    newbie = get_user_model().objects.get(username="newbie")
    assert list(newbie.shops.all()) == [Shop.objects.get(code="S01")]


def test_a_clerk_cannot_open_the_shop_pages_that_change_things(staff_client):
    shop = Shop.objects.get()
    assert staff_client.get("/catalog/shops/").status_code == 200
    assert staff_client.get("/catalog/shops/new/").status_code == 403
    assert staff_client.post(f"/catalog/shops/{shop.pk}/edit/", {}).status_code == 403


# --- two shops × roles -----------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "a", "b"])
def test_each_role_chooses_only_its_shops_warehouses(chain, owner, who):
    user = owner if who == "owner" else chain[who]
    client = signed_in(user)
    page = client.get("/purchasing/orders/new/").content.decode()
    sees_main = f'<option value="{chain["main"].pk}"' in page
    sees_other = f'<option value="{chain["other"].pk}"' in page
    assert (sees_main, sees_other) == {
        "owner": (True, True),
        "a": (True, False),
        "b": (False, True),
    }[who]


def test_a_forged_post_into_another_shops_warehouse_is_refused(chain):
    client = signed_in(chain["b"])
    supplier = SupplierFactory()
    response = client.post(
        "/purchasing/orders/new/",
        {
            "supplier": supplier.code,
            "warehouse": chain["main"].pk,  # shop A's: not on clerk B's form
            "order_date": timezone.localdate().isoformat(),
            "expected_date": "",
            "note": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": "SG001",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "2",
        },
    )
    assert response.status_code == 200
    assert not PurchaseOrder.objects.exists()
    moves = StockMove.objects.count()
    retail = client.post(
        "/sales/retail/",
        {
            "warehouse": chain["main"].pk,
            "amount_received": "5",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": "SG001",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "",
            "lines-0-discount": "",
        },
    )
    assert retail.status_code == 200
    assert StockMove.objects.count() == moves
    assert not Shipment.objects.exists()
    assert StockLevel.objects.get(warehouse=chain["main"]).on_hand == D("10")


def test_the_ledger_refuses_a_clerk_posting_into_another_shop(chain):
    moves = StockMove.objects.count()
    with pytest.raises(PermissionDenied):
        stock_moves_post(
            lines=[MoveLine(chain["apple"].pk, chain["main"].pk, D("1"), D("2"))],
            kind=MoveKind.RECEIPT,
            source=None,
            occurred_at=timezone.now(),
            user=chain["b"],
        )
    assert StockMove.objects.count() == moves
    # Into their own shop the same clerk posts.
    stock_moves_post(
        lines=[MoveLine(chain["apple"].pk, chain["other"].pk, D("1"), D("2"))],
        kind=MoveKind.RECEIPT,
        source=None,
        occurred_at=timezone.now(),
        user=chain["b"],
    )
    assert StockMove.objects.count() == moves + 1


def test_another_shops_documents_are_not_found_and_not_listed(chain, owner):
    order_a = purchasing_services.purchase_order_save(
        supplier=SupplierFactory(),
        warehouse=chain["main"],
        order_date=timezone.localdate(),
        expected_date=None,
        note="",
        user=owner,
        lines=[purchasing_services.OrderLineInput(chain["apple"], D("1"), D("2"))],
    )
    a, b, boss = signed_in(chain["a"]), signed_in(chain["b"]), signed_in(owner)
    url = f"/purchasing/orders/{order_a.pk}/"
    assert a.get(url).status_code == 200
    assert boss.get(url).status_code == 200
    assert b.get(url).status_code == 404
    assert b.get(f"{url}edit/").status_code == 404
    assert b.post(f"{url}confirm/").status_code == 404
    assert order_a.number in a.get("/purchasing/").content.decode()
    assert order_a.number not in b.get("/purchasing/").content.decode()
    back = WarehouseFactory(code="A2", name="本店后仓", shop=chain["first"])

    def transfer(to, submission):
        response = boss.post(
            "/inventory/transfers/new/",
            {
                "from_warehouse": chain["main"].pk,
                "to_warehouse": to.pk,
                "submission": submission,
                "note": "",
                "lines-TOTAL_FORMS": "1",
                "lines-INITIAL_FORMS": "0",
                "lines-0-product": "SG001",
                "lines-0-quantity": "1",
            },
        )
        assert response.status_code == 302
        return response.url

    between = transfer(chain["other"], "3d4c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a10")
    inside_a = transfer(back, "3d4c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a11")
    # A transfer between the two shops belongs to both; one inside A to A only.
    assert (a.get(between).status_code, b.get(between).status_code) == (200, 200)
    assert (a.get(inside_a).status_code, b.get(inside_a).status_code) == (200, 404)
    listed = b.get("/inventory/transfers/").content.decode()
    assert between.rstrip("/").rsplit("/", 1)[1] and "本店后仓" not in listed


def test_a_clerk_of_a_chain_sees_only_their_shops_stock(chain, owner):
    b = signed_in(chain["b"])
    page = b.get("/inventory/").content.decode()
    assert "二店仓" in page and "主仓库" not in page
    fragment = b.get(f"/inventory/product/{chain['apple'].pk}/").content.decode()
    assert "二店仓" in fragment and "主仓库" not in fragment
    card = b.get(f"/inventory/card/{chain['apple'].pk}/").content.decode()
    assert "主仓库" not in card
    everything = signed_in(owner).get("/inventory/").content.decode()
    assert "二店仓" in everything and "主仓库" in everything


def test_a_clerk_of_the_second_shop_sells_at_the_counter_from_their_warehouse(chain):
    b = signed_in(chain["b"])
    page = b.get("/counter/").content.decode()
    assert "二店仓" in page
    refused = b.post("/counter/warehouse/", {"warehouse": chain["main"].pk})
    assert refused.status_code in (200, 302)
    from counter.models import Cart

    cart = Cart.objects.filter(clerk=chain["b"]).first()
    assert cart is None or cart.warehouse_id != chain["main"].pk


def test_the_owner_sees_every_shop(chain, owner):
    assert set(shops.warehouses_for(owner)) == set(Warehouse.objects.all())
    assert shops.restricted_warehouse_ids(owner) is None
    assert shops.restricted_warehouse_ids(chain["b"]) == [chain["other"].pk]
    assert shops.restricted_warehouse_ids(chain["a"]) == [chain["main"].pk]


def test_a_new_shop_may_start_inactive(owner_client):
    """Found by the form fuzz: an inactive new shop asked its warehouses before it
    was saved (a 500)."""
    from catalog.models import Shop

    response = owner_client.post(
        "/catalog/shops/new/",
        {"code": "S9", "name": "筹备店", "address": "", "phone": ""},
    )
    assert response.status_code == 302
    assert not Shop.objects.get(code="S9").is_active

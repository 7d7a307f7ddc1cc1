"""Reading what catalog grew: variants (style and attribute values), package
units (name, factor, barcode, price) and level prices on products; customers
with their price level and balance; stock in package units too. Query counts
stay flat however many rows there are."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from api.tests.helpers import KeyClient, key_for
from catalog import services as catalog
from catalog.models import PriceLevel
from catalog.tests.factories import CustomerFactory, ProductFactory, style_with
from finance.tests.factories import pay
from inventory.tests.factories import receive
from sales.tests.factories import confirmed

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def wholesale():
    return PriceLevel.objects.create(name="批发价", sort_order=1)


def cola(owner, wholesale, sku="COLA"):
    """A bottle sold by the 箱 of 24 too, with wholesale prices for both."""
    product = ProductFactory(sku=sku, unit="瓶", sale_price=D("3.00"))
    catalog.package_units_save(
        product=product,
        rows=[
            {"pk": None, "name": "箱", "factor": D("24"), "barcode": f"{sku}-B",
             "sale_price": None},
            {"pk": None, "name": "提", "factor": D("6"), "barcode": "",
             "sale_price": D("17.00")},
        ],
    )  # fmt: skip
    box = product.package_units.get(name="箱")
    catalog.level_prices_save(
        product=product,
        prices={(wholesale.pk, None): D("2.50"), (wholesale.pk, box.pk): D("55.00")},
    )
    return product


def test_products_come_with_package_units_and_level_prices(owner, wholesale):
    product = cola(owner, wholesale)
    row = KeyClient(key_for(owner, "read")[1]).get(f"/api/v1/products/{product.pk}/")
    body = row.json()
    assert [(u["name"], u["factor"], u["barcode"], u["sale_price"], u["price"])
            for u in body["package_units"]] == [
        ("提", "6.000", "", "17.00", "17.00"),
        ("箱", "24.000", "COLA-B", None, "72.00"),  # 3.00 × 24
    ]  # fmt: skip
    box = next(u["id"] for u in body["package_units"] if u["name"] == "箱")
    # The level's base price first, then its package prices.
    assert [
        (p["level_name"], p["package_unit"], p["price"]) for p in body["level_prices"]
    ] == [("批发价", None, "2.50"), ("批发价", box, "55.00")]
    assert body["style"] is None and body["variant_values"] == []


def test_a_variant_names_its_style_and_attribute_values(owner):
    style = style_with(code="T100", colours=("RD",), sizes=("S", "M"))
    variants = catalog.style_variants_generate(style=style)
    variant = next(v for v in variants if v.sku.endswith("M"))
    body = (
        KeyClient(key_for(owner, "read")[1])
        .get(f"/api/v1/products/{variant.pk}/")
        .json()
    )
    assert body["style"] == {"id": style.pk, "code": "T100", "name": "圆领T恤"}
    assert sorted(
        (v["attribute"], v["code"], v["name"]) for v in body["variant_values"]
    ) == [
        ("尺码", "M", "M"),
        ("颜色", "RD", "红色"),
    ]


def test_price_levels_are_listed(owner, wholesale):
    body = KeyClient(key_for(owner, "read")[1]).get("/api/v1/price-levels/").json()
    assert [(r["id"], r["name"]) for r in body["results"]] == [(wholesale.pk, "批发价")]


def test_customers_come_with_price_level_and_balance(owner, wholesale):
    apple = ProductFactory(sku="APL", sale_price=D("10.00"))
    receive(apple, "10", "4", user=owner)
    shop = CustomerFactory(code="C1", price_level=wholesale, credit_limit=D("500"))
    from sales.tests.factories import ship

    ship(owner, confirmed(owner, [(apple, "3")], customer=shop))  # owes 30
    pay(owner, shop, "12.50")
    prepaid = CustomerFactory(code="C2")
    pay(owner, prepaid, "8")
    body = KeyClient(key_for(owner, "read")[1]).get("/api/v1/customers/").json()
    rows = {r["code"]: r for r in body["results"]}
    assert rows["C1"]["price_level"] == {
        "id": wholesale.pk, "name": "批发价", "sort_order": 1, "note": "",
    }  # fmt: skip
    assert (rows["C1"]["balance"], rows["C1"]["credit_limit"]) == ("17.50", "500.00")
    assert rows["C2"]["balance"] == "-8.00"  # paid in advance
    assert rows["RETAIL"]["balance"] == "0.00"
    assert rows["RETAIL"]["price_level"] is None


def test_stock_shows_quantities_in_each_package_unit(owner, wholesale):
    product = cola(owner, wholesale)
    receive(product, "77", "1", user=owner)
    confirmed(owner, [(product, "30")])  # 30 reserved: 47 free
    body = (
        KeyClient(key_for(owner, "read")[1])
        .get("/api/v1/stock/", {"product": product.pk})
        .json()
    )
    (row,) = body["results"]
    assert (row["on_hand"], row["available"]) == ("77.000", "47.000")
    assert [
        (p["name"], p["factor"], p["on_hand_packages"], p["on_hand_rest"],
         p["available_packages"], p["available_rest"], p["on_hand_text"])
        for p in row["packages"]
    ] == [
        ("提", "6.000", 12, "5.000", 7, "5.000", "12 提 5 瓶"),
        ("箱", "24.000", 3, "5.000", 1, "23.000", "3 箱 5 瓶"),
    ]  # fmt: skip


def test_a_product_without_packages_has_none(owner):
    product = ProductFactory(sku="PLAIN")
    receive(product, "2", "1", user=owner)
    body = KeyClient(key_for(owner, "read")[1]).get("/api/v1/stock/").json()
    assert body["results"][0]["packages"] == []


@time_machine.travel("2026-12-01 10:00:30 +0800", tick=False)  # one rate minute
@pytest.mark.parametrize(
    "url", ["/api/v1/products/", "/api/v1/stock/", "/api/v1/customers/",
            "/api/v1/customer-payments/", "/api/v1/price-levels/",
            "/api/v1/accounts/"],
)  # fmt: skip
def test_query_counts_stay_flat(owner, wholesale, count_queries, url):
    client = KeyClient(key_for(owner, "full")[1])
    client.get("/api/v1/warehouses/")  # the key's first call of the minute

    def more(n: int):
        product = cola(owner, wholesale, sku=f"C{n}")
        receive(product, "30", "1", user=owner)
        variant = catalog.style_variants_generate(
            style=style_with(code=f"T{n}", colours=("RD",), sizes=("S",))
        )[0]
        receive(variant, "3", "10", user=owner)
        customer = CustomerFactory(code=f"K{n}", price_level=wholesale)
        pay(owner, customer, "5")
        PriceLevel.objects.create(name=f"会员{n}")

    more(1)
    one = count_queries(client, url)
    more(2)
    more(3)
    assert count_queries(client, url) == one

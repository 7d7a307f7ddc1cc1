"""Package units, prices per level and in-store barcodes."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from catalog import selectors, services
from catalog.models import LevelPrice, PackageUnit, Product, ShopProfile
from catalog.tests.factories import CustomerFactory, ProductFactory
from jxc.matching import gtin_check_digit

pytestmark = pytest.mark.django_db


def box(product, **row):
    services.package_units_save(
        product=product,
        rows=[
            {
                "pk": None,
                "name": "箱",
                "factor": Decimal(24),
                "barcode": "",
                "sale_price": None,
                **row,
            }
        ],
    )
    return product.package_units.get(name=row.get("name", "箱"))


def units_of(product):
    return list(PackageUnit.objects.filter(product=product).values())


# --- package units ----------------------------------------------------------


def test_a_box_barcode_sells_the_product_by_the_box():
    water = ProductFactory(sku="YL001", barcode="6900000000106", unit="瓶")
    unit = box(water, barcode="6900000000205")
    found = selectors.sellable_by_code("6900000000205")
    assert (found.product, found.unit, found.factor) == (water, unit, Decimal(24))
    assert found.unit_name == "箱"
    bottle = selectors.sellable_by_code("6900000000106")
    assert (bottle.product, bottle.unit, bottle.factor) == (water, None, 1)
    assert selectors.sellable_by_code("YL001").unit is None
    assert selectors.sellable_by_code("nothing") is None
    # product_by_code keeps answering with a product (its callers rely on it).
    assert selectors.product_by_code("6900000000205") is None


@pytest.mark.parametrize(
    "barcode, taken_by",
    [("6900000000106", "矿泉水"), ("6911111111110", "可乐")],
)
def test_a_box_barcode_no_other_product_or_package_may_carry(barcode, taken_by):
    water = ProductFactory(name="矿泉水", barcode="6900000000106", unit="瓶")
    cola = ProductFactory(name="可乐", unit="罐")
    box(cola, barcode="6911111111110")
    before = units_of(water)
    with pytest.raises(ValidationError, match=taken_by):
        box(water, barcode=barcode)
    assert units_of(water) == before


def test_a_product_barcode_a_package_carries_is_refused():
    water = ProductFactory(unit="瓶")
    box(water, barcode="6900000000205")
    with pytest.raises(ValidationError, match="6900000000205"):
        services.product_save(
            data={"sku": "NEW", "name": "新", "barcode": "6900000000205"}
        )
    assert not Product.objects.filter(sku="NEW").exists()


@pytest.mark.parametrize(
    "row, problem",
    [
        ({"factor": Decimal("0.0001")}, "3"),
        ({"factor": Decimal(0)}, "0"),
        ({"name": "瓶"}, "瓶"),
    ],
)
def test_bad_package_units_are_refused_and_change_nothing(row, problem):
    water = ProductFactory(unit="瓶")
    with pytest.raises(ValidationError, match=problem):
        box(water, **row)
    assert units_of(water) == []


def test_package_units_are_edited_and_deleted():
    water = ProductFactory(unit="瓶")
    unit = box(water)
    services.package_units_save(
        product=water,
        rows=[
            {"pk": unit.pk, "name": "箱", "factor": Decimal(12), "barcode": "",
             "sale_price": Decimal("20.00"), "delete": False},
            {"pk": None, "name": "提", "factor": Decimal(6), "barcode": "",
             "sale_price": None},
        ],
    )  # fmt: skip
    assert sorted(water.package_units.values_list("name", "factor")) == [
        ("提", Decimal(6)),
        ("箱", Decimal(12)),
    ]
    services.package_units_save(
        product=water,
        rows=[{"pk": unit.pk, "name": "箱", "factor": Decimal(12), "barcode": "",
               "sale_price": None, "delete": True}],
    )  # fmt: skip
    assert list(water.package_units.values_list("name", flat=True)) == ["提"]


# --- price levels ------------------------------------------------------------


@pytest.fixture
def wholesale():
    return services.price_level_save(data={"name": "批发价"})


def test_price_for_falls_back_level_then_sale_price(wholesale):
    water = ProductFactory(unit="瓶", sale_price=Decimal("2.00"))
    unit = box(water)
    retail = CustomerFactory()
    trader = CustomerFactory(price_level=wholesale)
    assert selectors.price_for(water, retail) == Decimal("2.00")
    assert selectors.price_for(water, trader) == Decimal("2.00")
    assert selectors.price_for(water, None, unit) == Decimal("48.00")
    services.level_prices_save(
        product=water, prices={(wholesale.pk, None): Decimal("1.50")}
    )
    assert selectors.price_for(water, trader) == Decimal("1.50")
    assert selectors.price_for(water, retail) == Decimal("2.00")
    # A box on the level without its own price: the level's bottle price × 24.
    assert selectors.price_for(water, trader, unit) == Decimal("36.00")
    PackageUnit.objects.filter(pk=unit.pk).update(sale_price=Decimal("40.00"))
    unit.refresh_from_db()
    assert selectors.price_for(water, retail, unit) == Decimal("40.00")
    assert selectors.price_for(water, trader, unit) == Decimal("40.00")
    services.level_prices_save(
        product=water, prices={(wholesale.pk, unit.pk): Decimal("33.00")}
    )
    assert selectors.price_for(water, trader, unit) == Decimal("33.00")


def test_price_for_makes_one_query_at_most(wholesale, django_assert_max_num_queries):
    water = ProductFactory()
    trader = CustomerFactory(price_level=wholesale)
    with django_assert_max_num_queries(1):
        selectors.price_for(water, trader)
    walk_in = CustomerFactory()
    with django_assert_max_num_queries(0):
        selectors.price_for(water, walk_in)


def test_emptying_a_level_price_drops_it(wholesale, owner):
    water = ProductFactory()
    services.level_prices_save(
        product=water, prices={(wholesale.pk, None): Decimal("1.50")}, user=owner
    )
    services.level_prices_save(product=water, prices={(wholesale.pk, None): None})
    assert not LevelPrice.objects.exists()


def test_a_level_customers_are_on_cannot_be_deleted(wholesale):
    CustomerFactory(price_level=wholesale)
    with pytest.raises(ValidationError, match="批发价"):
        services.price_level_delete(level=wholesale)


# --- in-store barcodes ------------------------------------------------------


def test_in_store_barcodes_are_valid_ean13_under_the_prefix_and_skip_taken_ones():
    services.instore_prefix_save(prefix="21")
    body = "21" + "1".zfill(10)
    ProductFactory(barcode=body + str(gtin_check_digit(body)))  # already taken
    products = [ProductFactory(barcode=""), ProductFactory(barcode="")]
    given = services.instore_barcodes_assign(products=products)
    codes = list(given.values())
    assert len(set(codes)) == 2
    for code in codes:
        assert len(code) == 13 and code.startswith("21")
        assert int(code[-1]) == gtin_check_digit(code[:-1])
    assert body + str(gtin_check_digit(body)) not in codes


def test_a_product_with_a_barcode_keeps_it():
    product = ProductFactory(barcode="6900000000106")
    assert services.instore_barcodes_assign(products=[product]) == {}
    product.refresh_from_db()
    assert product.barcode == "6900000000106"


@pytest.mark.parametrize("prefix", ["1", "30", "2a", "29999", ""])
def test_a_prefix_outside_20_to_29_is_refused(prefix):
    with pytest.raises(ValidationError):
        services.instore_prefix_save(prefix=prefix)
    profile = ShopProfile.objects.filter(pk=1).first()
    assert profile is None or profile.instore_prefix == "29"


@pytest.mark.django_db(transaction=True)
def test_two_clerks_assigning_at_once_never_draw_the_same_number():
    if connection.vendor != "postgresql":
        pytest.skip("row locks between threads need PostgreSQL")
    products = [ProductFactory(barcode="") for _ in range(8)]
    barrier = threading.Barrier(4)
    errors = []

    def assign(group):
        try:
            barrier.wait()
            services.instore_barcodes_assign(products=group)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=assign, args=(products[i::4],)) for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    codes = list(Product.objects.values_list("barcode", flat=True))
    assert len(codes) == 8 and len(set(codes)) == 8

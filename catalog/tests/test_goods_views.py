"""The pages of styles, attributes, price levels, package units and level prices:
what they show, query counts pinned, bad input refused with nothing changed."""

from decimal import Decimal

import pytest

from catalog import services
from catalog.models import (
    Attribute,
    LevelPrice,
    PackageUnit,
    PriceLevel,
    Product,
    Style,
    Warehouse,
)
from catalog.tests.factories import (
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    style_with,
)
from inventory import documents

pytestmark = pytest.mark.django_db


@pytest.fixture
def tee():
    style = style_with(colours=("RD", "BK"), sizes=("S", "M", "L"))
    services.style_variants_generate(style=style)
    services.price_level_save(data={"name": "批发价"})
    return style


def test_style_pages_keep_their_query_counts_as_variants_grow(
    owner_client, count_queries, tee
):
    pages = [
        "/catalog/styles/",
        f"/catalog/styles/{tee.pk}/",
        f"/catalog/styles/{tee.pk}/generate/",
        f"/inventory/style/{tee.pk}/",
        "/catalog/attributes/",
        "/catalog/price-levels/",
    ]
    before = {url: count_queries(owner_client, url) for url in pages}
    bigger = style_with(
        code="T200",
        colours=("RD", "BK", "WH", "NV"),
        sizes=("S", "M", "L", "XL", "XXL"),
    )
    services.style_variants_generate(style=bigger)
    services.price_level_save(data={"name": "会员价"})
    after = {
        url: count_queries(owner_client, url.replace(f"/{tee.pk}/", f"/{bigger.pk}/"))
        for url in pages
    }
    assert after == before
    assert before == {
        "/catalog/styles/": 10,
        f"/catalog/styles/{tee.pk}/": 10,
        f"/catalog/styles/{tee.pk}/generate/": 10,
        f"/inventory/style/{tee.pk}/": 12,
        "/catalog/attributes/": 10,
        "/catalog/price-levels/": 9,
    }


def test_the_owner_makes_a_style_and_its_variants_from_the_pages(owner_client):
    style_with(code="SEED", colours=("RD",), sizes=("S",))  # the attributes
    values = [
        str(pk)
        for pk in Attribute.objects.get(name="尺码")
        .values.filter(code__in=["S", "M"])
        .values_list("pk", flat=True)
    ]
    values.append(str(Attribute.objects.get(name="颜色").values.get(code="BK").pk))
    response = owner_client.post(
        "/catalog/styles/new/",
        {"code": "ｐ200", "name": "牛仔裤", "category": CategoryFactory().pk,
         "unit": "条", "supplier": "", "purchase_price": "80", "sale_price": "159",
         "note": "", "values": values},
    )  # fmt: skip
    style = Style.objects.get(code="p200")
    assert response.url == f"/catalog/styles/{style.pk}/"
    preview = owner_client.get(f"/catalog/styles/{style.pk}/generate/").content.decode()
    assert "P200-BK-S" not in preview and "p200-BK-S" in preview
    owner_client.post(
        f"/catalog/styles/{style.pk}/generate/", {"instore_barcodes": "on"}
    )
    # A second click (or a second tab) makes nothing more.
    owner_client.post(f"/catalog/styles/{style.pk}/generate/", {})
    assert sorted(style.variants.values_list("sku", flat=True)) == [
        "p200-BK-M",
        "p200-BK-S",
    ]
    assert all(len(p.barcode) == 13 for p in style.variants.all())


@pytest.mark.parametrize(
    "code, problem", [("T100", "已被"), ("A-1", "-"), ("", "必填")]
)
def test_a_bad_style_is_refused_and_nothing_changes(owner_client, tee, code, problem):
    before = list(Style.objects.values())
    html = owner_client.post(
        "/catalog/styles/new/",
        {
            "code": code,
            "name": "x",
            "unit": "件",
            "purchase_price": "0",
            "sale_price": "1",
        },
    ).content.decode()
    assert problem in html
    assert list(Style.objects.values()) == before


def test_attribute_values_are_typed_one_per_line(owner_client):
    owner_client.post(
        "/catalog/attributes/new/",
        {"name": "口味", "sort_order": "2", "values_text": "LA 原味\n\nLA2  微辣 \n"},
    )
    assert list(
        Attribute.objects.get(name="口味").values.values_list("code", "name")
    ) == [("LA", "原味"), ("LA2", "微辣")]
    html = owner_client.post(
        "/catalog/attributes/new/",
        {"name": "甜度", "sort_order": "3", "values_text": "justonename"},
    ).content.decode()
    assert "justonename" in html
    assert not Attribute.objects.filter(name="甜度").exists()


def test_package_units_page_saves_and_refuses_a_taken_barcode(owner_client):
    water = ProductFactory(unit="瓶", barcode="6900000000106")
    data = {
        "units-TOTAL_FORMS": "2", "units-INITIAL_FORMS": "0",
        "units-MIN_NUM_FORMS": "0", "units-MAX_NUM_FORMS": "10",
        "units-0-name": "箱", "units-0-factor": "24",
        "units-0-barcode": "6900000000106", "units-0-sale_price": "",
    }  # fmt: skip
    html = owner_client.post(f"/catalog/products/{water.pk}/units/", data, follow=True)
    assert "6900000000106" in html.content.decode()
    assert not PackageUnit.objects.exists()
    data["units-0-barcode"] = "6900000000205"
    owner_client.post(f"/catalog/products/{water.pk}/units/", data)
    unit = PackageUnit.objects.get()
    assert (unit.name, unit.factor, unit.barcode) == (
        "箱",
        Decimal(24),
        "6900000000205",
    )
    page = owner_client.get(f"/catalog/products/{water.pk}/").content.decode()
    assert "1 箱 = 24 瓶" in page


def test_an_over_precise_factor_is_refused_on_the_page(owner_client):
    water = ProductFactory(unit="瓶")
    data = {
        "units-TOTAL_FORMS": "1", "units-INITIAL_FORMS": "0",
        "units-MIN_NUM_FORMS": "0", "units-MAX_NUM_FORMS": "10",
        "units-0-name": "箱", "units-0-factor": "0.3333", "units-0-barcode": "",
        "units-0-sale_price": "",
    }  # fmt: skip
    response = owner_client.post(f"/catalog/products/{water.pk}/units/", data)
    assert response.status_code == 200
    assert not PackageUnit.objects.exists()


def test_level_prices_page_sets_and_clears_prices(owner_client, tee):
    level = PriceLevel.objects.get(name="批发价")
    product = tee.variants.first()
    url = f"/catalog/products/{product.pk}/level-prices/"
    owner_client.post(url, {f"price_{level.pk}_0": "45"})
    assert LevelPrice.objects.get().price == Decimal("45.00")
    owner_client.post(url, {f"price_{level.pk}_0": "-1"})
    assert LevelPrice.objects.get().price == Decimal("45.00")
    owner_client.post(url, {f"price_{level.pk}_0": ""})
    assert not LevelPrice.objects.exists()


def test_a_customer_is_put_on_a_level(owner_client, tee):
    level = PriceLevel.objects.get(name="批发价")
    owner_client.post(
        "/catalog/customers/new/",
        {"code": "PF1", "name": "批发客户", "is_active": "on", "price_level": level.pk},
    )
    assert PriceLevel.objects.get().customers.get().code == "PF1"


def test_the_stock_grid_shows_on_hand_and_available_per_cell(owner_client, owner, tee):
    main = Warehouse.objects.get(is_default=True)
    red_m = Product.objects.get(sku="T100-RD-M")
    documents.opening_stock_post(
        lines=[(red_m, main, Decimal(7), Decimal("30.00"))], note="", user=owner
    )
    html = owner_client.get(f"/inventory/style/{tee.pk}/").content.decode()
    assert 'id="grid-total">7<' in html
    from inventory.selectors import style_stock

    grid = style_stock(tee)
    assert [label for label, _c, _t in grid.rows] == ["红色", "黑色"]
    assert [v.name for v in grid.columns] == ["S", "M", "L"]
    cell = grid.rows[0][1][1]
    assert (cell[0], cell[1], cell[2]) == (red_m, Decimal(7), Decimal(7))
    assert style_stock(tee, main.pk + 1000).total == (0, 0)


def test_staff_see_styles_but_cannot_change_them(staff_client, tee):
    assert staff_client.get(f"/catalog/styles/{tee.pk}/").status_code == 200
    assert staff_client.get("/catalog/styles/new/").status_code == 403
    assert staff_client.post(f"/catalog/styles/{tee.pk}/generate/").status_code == 403
    assert (
        staff_client.get(
            f"/catalog/products/{tee.variants.first().pk}/units/"
        ).status_code
        == 403
    )


def test_an_unused_customer_level_shows_its_count(owner_client, tee):
    CustomerFactory(price_level=PriceLevel.objects.get())
    html = owner_client.get("/catalog/price-levels/").content.decode()
    assert "批发价" in html

"""Variants from a sheet with 款号 / 颜色 / 尺码 columns, and back unchanged."""

from decimal import Decimal

import pytest

from catalog import services
from catalog.models import Product, Style
from catalog.tests.factories import ProductFactory, style_with
from catalog.tests.test_imports import upload, xlsx

pytestmark = pytest.mark.django_db

HEADER = ["款号", "款名", "颜色", "尺码", "商品编码", "条形码", "售价"]


def variants():
    return list(
        Product.objects.filter(style__isnull=False)
        .order_by("sku")
        .values("sku", "name", "barcode", "sale_price", "style__code", "variant_key")
    )


def test_a_sheet_makes_styles_and_their_variants(owner_client):
    style_with(code="SEED", colours=("RD",), sizes=("S",))  # the attributes
    data = xlsx(
        [
            HEADER,
            ["J200", "牛仔裤", "黑色", "M", "", "6901234567892", 159],
            ["J200", "", "bk", "L", "", "", ""],
            ["J200", "", "红色", "M", "J200-RD-M", "", "149.5"],
        ]
    )
    html = upload(owner_client, "款式.xlsx", data, "variants").content.decode()
    assert "新建 3 条" in html
    style = Style.objects.get(code="J200")
    assert style.name == "牛仔裤"
    black_m = Product.objects.get(sku="J200-BK-M")
    assert (black_m.barcode, black_m.sale_price, black_m.style) == (
        "6901234567892",
        Decimal("159.00"),
        style,
    )
    assert Product.objects.get(sku="J200-RD-M").sale_price == Decimal("149.50")
    assert style.variants.count() == 3
    # The variants are the style's like generated ones: generating adds the rest.
    made = services.style_variants_generate(style=style)
    assert sorted(p.sku for p in made) == ["J200-RD-L"]


def test_export_then_import_changes_nothing(owner_client):
    style = style_with(colours=("RD", "BK"), sizes=("S", "M"))
    services.style_variants_generate(style=style, instore_barcodes=True)
    Product.objects.filter(sku="T100-RD-S").update(sale_price=Decimal("49.90"))
    before = variants()
    exported = owner_client.get("/catalog/variants/export/")
    html = upload(owner_client, "export.xlsx", exported.content, "variants")
    assert "新建 0 条，更新 0 条，不变 4 条" in html.content.decode()
    assert variants() == before


@pytest.mark.parametrize(
    "row, problem",
    [
        (["T100", "", "紫色", "S", "", "", ""], "紫色"),
        (["NEW1", "", "红色", "S", "", "", ""], "款名"),
        (["T100", "", "", "", "", "", ""], "颜色"),
        (["T100", "", "红色", "S", "T100-X", "", ""], "T100-RD-S"),
        (["T100", "", "红色", "S", "", "6900000000106", ""], "别的商品"),
        (["T-1", "x", "红色", "S", "", "", ""], "-"),
    ],
)
def test_bad_rows_are_listed_and_nothing_is_imported(owner_client, row, problem):
    style_with(colours=("RD",), sizes=("S",))
    ProductFactory(name="别的商品", barcode="6900000000106")
    before = (variants(), list(Style.objects.values()))
    html = upload(owner_client, "bad.xlsx", xlsx([HEADER, row]), "variants")
    assert problem in html.content.decode()
    assert (variants(), list(Style.objects.values())) == before


def test_the_same_variant_twice_in_a_file_is_refused(owner_client):
    style_with(colours=("RD",), sizes=("S",))
    data = xlsx([HEADER, ["T100", "", "红色", "S"], ["T100", "", "RD", "s"]])
    html = upload(owner_client, "twice.xlsx", data, "variants").content.decode()
    assert "第 2 行" in html or "row 2" in html
    assert not Product.objects.filter(style__isnull=False).exists()


def test_a_product_import_cannot_take_a_box_barcode(owner_client):
    water = ProductFactory(name="矿泉水", unit="瓶")
    services.package_units_save(
        product=water,
        rows=[{"pk": None, "name": "箱", "factor": Decimal(24),
               "barcode": "6900000000205", "sale_price": None}],
    )  # fmt: skip
    data = xlsx([["商品编码", "商品名称", "条形码"], ["NEW", "新", "6900000000205"]])
    html = upload(owner_client, "p.xlsx", data).content.decode()
    assert "“矿泉水”" in html and "箱" in html
    assert not Product.objects.filter(sku="NEW").exists()

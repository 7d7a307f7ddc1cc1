"""The minimum sale price (最低售价): an optional floor on the product form, in
the spreadsheet import and export; sales.authority enforces it."""

import io
from decimal import Decimal

import openpyxl
import pytest

from catalog.models import Product
from catalog.tests.factories import ProductFactory
from catalog.tests.test_imports import upload, xlsx
from catalog.tests.test_views import GOOD

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_owner_sets_a_minimum_sale_price(owner_client):
    response = owner_client.post(
        "/catalog/products/new/", {**GOOD, "sale_price": "10", "min_price": "8.5"}
    )
    product = Product.objects.get()
    assert response.url == f"/catalog/products/{product.pk}/"
    assert product.min_price == D("8.50")
    assert "最低售价" in owner_client.get(response.url).content.decode()


def test_no_minimum_sale_price_is_no_floor(owner_client):
    owner_client.post("/catalog/products/new/", {**GOOD, "min_price": ""})
    assert Product.objects.get().min_price is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12", "最低售价高于售价（¥10.00）"),
        ("-1", "大于或等于0"),
        ("abc", "输入一个数字"),
    ],
)
def test_a_bad_minimum_sale_price_is_refused_and_nothing_changes(
    owner_client, value, message
):
    response = owner_client.post(
        "/catalog/products/new/", {**GOOD, "sale_price": "10", "min_price": value}
    )
    assert message in response.content.decode()
    assert not Product.objects.exists()


def test_the_import_reads_it_and_the_export_writes_it(owner_client):
    ProductFactory(sku="SG01", name="苹果", sale_price=D("10"), min_price=D("6"))
    rows = [
        ["商品编码", "商品名称", "售价", "最低售价"],
        ["SG01", "苹果", 10, 7.5],
        ["SG02", "梨", 6, None],
    ]
    response = upload(owner_client, "商品.xlsx", xlsx(rows))
    assert "新建 1 条，更新 1 条" in response.content.decode()
    assert Product.objects.get(sku="SG01").min_price == D("7.50")
    assert Product.objects.get(sku="SG02").min_price is None
    exported = openpyxl.load_workbook(
        io.BytesIO(owner_client.get("/catalog/products/export/").content)
    ).active
    values = list(exported.iter_rows(min_row=2, values_only=True))
    column = values[0].index("最低售价")
    assert [row[column] for row in values[1:]] == [7.5, None]


def test_a_negative_minimum_sale_price_in_a_file_is_refused(owner_client):
    rows = [["商品编码", "商品名称", "最低售价"], ["SG01", "苹果", -1]]
    response = upload(owner_client, "商品.xlsx", xlsx(rows))
    assert "不能为负" in response.content.decode()
    assert not Product.objects.exists()

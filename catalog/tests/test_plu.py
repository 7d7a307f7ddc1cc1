"""A product's PLU for the label scale: form, list, import and export."""

import io

import pytest
from openpyxl import load_workbook

from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ProductFactory
from counter.models import CounterSettings

pytestmark = pytest.mark.django_db


def _product(**values):
    data = {
        "sku": "SG100",
        "name": "葡萄",
        "category": CategoryFactory().pk,
        "unit": "斤",
        "purchase_price": "5",
        "sale_price": "9.9",
        "min_price": "0",
        "safety_stock": "0",
        "reorder_quantity": "0",
        "lead_time_days": "0",
        "is_active": "on",
    }
    data.update(values)
    return data


def test_the_form_stores_a_plu_without_the_scale_s_padding(owner_client):
    response = owner_client.post("/catalog/products/new/", _product(plu="000123"))
    assert response.status_code == 302
    assert Product.objects.get(sku="SG100").plu == "123"


@pytest.mark.parametrize(
    ("plu", "message"),
    [
        ("12a", "digits only"),
        ("1234567", "at most 6 digits"),
        ("0000", "PLU 0"),
        ("-1", "digits only"),
    ],
)
def test_a_bad_plu_is_refused(owner_client, plu, message):
    response = owner_client.post("/catalog/products/new/", _product(plu=plu))
    assert response.status_code == 200
    assert not Product.objects.filter(sku="SG100").exists()


def test_the_plu_length_follows_the_label_prefix(owner_client):
    CounterSettings.objects.create(pk=1, scale_prefix="21")
    response = owner_client.post("/catalog/products/new/", _product(plu="123456"))
    assert response.status_code == 200
    assert not Product.objects.filter(sku="SG100").exists()
    assert (
        owner_client.post("/catalog/products/new/", _product(plu="12345")).status_code
        == 302
    )


def test_a_plu_is_unique(owner_client):
    ProductFactory(name="苹果", plu="7")
    response = owner_client.post("/catalog/products/new/", _product(plu="07"))
    assert response.status_code == 200
    assert "苹果" in response.content.decode()
    assert not Product.objects.filter(sku="SG100").exists()


def test_the_list_filters_weighed_products_and_finds_a_plu(owner_client):
    ProductFactory(name="苹果", plu="7", sku="A1")
    ProductFactory(name="铅笔", sku="B1")
    weighed = owner_client.get("/catalog/products/?scale=1").content.decode()
    assert "苹果" in weighed and "铅笔" not in weighed
    other = owner_client.get("/catalog/products/?scale=0").content.decode()
    assert "铅笔" in other and "苹果" not in other


def test_export_and_import_round_trip_the_plu(owner_client):
    from catalog.tests.test_imports import upload

    ProductFactory(name="苹果", sku="A1", plu="7")
    ProductFactory(name="铅笔", sku="B1")
    before = list(Product.objects.order_by("pk").values())
    exported = owner_client.get("/catalog/products/export/").content
    book = load_workbook(io.BytesIO(exported))
    rows = [[cell.value for cell in row] for row in book.active.iter_rows()]
    header = next(row for row in rows if "PLU码" in row)
    column = header.index("PLU码")
    by_sku = {row[0]: row[column] for row in rows[rows.index(header) + 1 :] if row[0]}
    assert by_sku == {"A1": "7", "B1": None} or by_sku == {"A1": "7", "B1": ""}
    # The file comes back unchanged: nothing changes.
    response = upload(owner_client, "export.xlsx", exported)
    assert "更新 0 条" in response.content.decode()
    after = list(Product.objects.order_by("pk").values())
    for row in before + after:
        row.pop("updated_at")
        row.pop("search_text")  # the factory's keys leave the PLU out
    assert after == before
    # PLUs changed in the file (padded as a scale prints them) are taken.
    for row in book.active.iter_rows(min_row=rows.index(header) + 2):
        if row[0].value == "A1":
            row[column].value = "00008"
        if row[0].value == "B1":
            row[column].value = 9
    buffer = io.BytesIO()
    book.save(buffer)
    upload(owner_client, "changed.xlsx", buffer.getvalue())
    assert dict(Product.objects.values_list("sku", "plu")) == {"A1": "8", "B1": "9"}


def test_import_refuses_a_bad_duplicate_or_taken_plu(owner_client):
    from catalog.tests.test_imports import upload, xlsx

    ProductFactory(name="苹果", sku="A1", plu="7")
    data = xlsx(
        [
            ["商品编码", "商品名称", "PLU码"],
            ["N1", "一", "12x"],
            ["N2", "二", "5"],
            ["N3", "三", "005"],
            ["N4", "四", "7"],
            ["N5", "五", "1234567"],
        ]
    )
    response = upload(owner_client, "plu.xlsx", data)
    problems = {(p.row, p.column): p.problem for p in response.context["problems"]}
    assert set(problems) == {(2, "PLU码"), (4, "PLU码"), (5, "PLU码"), (6, "PLU码")}
    assert "苹果" in problems[(5, "PLU码")]
    assert not Product.objects.filter(sku__startswith="N").exists()

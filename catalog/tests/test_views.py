from decimal import Decimal

import pytest

from catalog.models import Category, Product, Supplier
from catalog.tests.factories import CategoryFactory, ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "sku": "SG001", "name": "红富士苹果", "barcode": "6972168279211", "unit": "斤",
    "spec": "", "purchase_price": "4.50", "sale_price": "6.80", "safety_stock": "5",
    "reorder_quantity": "10", "lead_time_days": "2", "is_active": "on", "note": "",
}  # fmt: skip


def snapshot():
    return list(Product.objects.order_by("pk").values())


def test_owner_creates_a_product_and_lands_on_its_page(owner_client):
    response = owner_client.post("/catalog/products/new/", GOOD)
    product = Product.objects.get(sku="SG001")
    assert response.status_code == 302
    assert response.url == f"/catalog/products/{product.pk}/"
    assert product.purchase_price == Decimal("4.50")
    assert "hfspg" in product.search_text


def test_text_is_trimmed(owner_client):
    owner_client.post(
        "/catalog/products/new/", {**GOOD, "sku": "  SG009 ", "name": "\u3000梨 "}
    )
    product = Product.objects.get()
    assert (product.sku, product.name) == ("SG009", "梨")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"sku": ""}, "sku", "这个字段是必填项"),
        ({"name": "   "}, "name", "这个字段是必填项"),
        ({"sale_price": "-1"}, "sale_price", "大于或等于0"),
        ({"safety_stock": "-0.001"}, "safety_stock", "大于或等于0"),
        ({"sale_price": "1.005"}, "sale_price", "小数不超过 2 位"),
        ({"safety_stock": "1.0005"}, "safety_stock", "小数不超过 3 位"),
        ({"purchase_price": "1000000000000"}, "purchase_price", "小数点前不超过 12 位"),
        ({"purchase_price": "100000000"}, "purchase_price", "小于或等于"),
        ({"sale_price": "abc"}, "sale_price", "输入一个数字"),
        ({"name": "长" * 10_000}, "name", "不超过 200 字符"),
        ({"lead_time_days": "400"}, "lead_time_days", "小于或等于365"),
    ],
)
def test_bad_product_input_is_refused_and_nothing_changes(
    owner_client, change, field, message
):
    ProductFactory(sku="EXIST")
    before = snapshot()
    response = owner_client.post("/catalog/products/new/", {**GOOD, **change})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert snapshot() == before


def test_duplicate_sku_and_barcode_name_the_clash(owner_client):
    ProductFactory(sku="SG001", name="老苹果")
    ProductFactory(sku="X1", name="条码占用者", barcode="6972168279211")
    before = snapshot()
    response = owner_client.post("/catalog/products/new/", {**GOOD, "sku": "sg001"})
    errors = response.context["form"].errors
    assert "老苹果" in errors["sku"][0]
    assert "条码占用者" in errors["barcode"][0]
    assert snapshot() == before


def test_emoji_and_script_in_names_are_stored_and_shown_escaped(owner_client):
    owner_client.post(
        "/catalog/products/new/", {**GOOD, "name": "<script>alert(1)</script>🍎"}
    )
    product = Product.objects.get()
    assert product.name == "<script>alert(1)</script>🍎"
    html = owner_client.get("/catalog/products/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;🍎" in html


def test_sale_below_purchase_price_is_saved_with_a_warning(owner_client):
    response = owner_client.post(
        "/catalog/products/new/", {**GOOD, "sale_price": "3.00"}, follow=True
    )
    assert Product.objects.filter(sku="SG001").exists()
    assert "低于进价" in response.content.decode()


def test_staff_may_look_up_but_not_change_the_catalog(staff_client):
    ProductFactory()
    assert staff_client.get("/catalog/products/").status_code == 200
    assert staff_client.get("/catalog/products/new/").status_code == 403
    assert staff_client.post("/catalog/products/new/", GOOD).status_code == 403
    assert staff_client.get("/catalog/products/import/").status_code == 403
    assert not Product.objects.filter(sku="SG001").exists()


def test_staff_never_see_purchase_prices(staff_client):
    product = ProductFactory(
        purchase_price=Decimal("4321.09"), sale_price=Decimal("9876.54")
    )
    for url in ("/catalog/products/", f"/catalog/products/{product.pk}/"):
        html = staff_client.get(url).content.decode()
        assert "9,876.54" in html
        assert "4,321.09" not in html
        assert "进价" not in html


def test_owner_sees_purchase_prices(owner_client):
    product = ProductFactory(purchase_price=Decimal("4321.09"))
    assert (
        "¥4,321.09"
        in owner_client.get(f"/catalog/products/{product.pk}/").content.decode()
    )


def test_scanned_barcode_in_the_top_box_opens_the_product(staff_client):
    product = ProductFactory(barcode="6972168279211")
    response = staff_client.get("/catalog/products/go/", {"q": " 6972168279211 "})
    assert response.status_code == 302
    assert response.url == f"/catalog/products/{product.pk}/"


def test_an_exact_sku_in_the_list_search_filters_the_list(staff_client):
    """Issue 20: the list's own search box filters; only the top box opens."""
    wanted = ProductFactory(sku="SG001", name="红富士苹果")
    ProductFactory(sku="XJ002", name="香蕉")
    response = staff_client.get("/catalog/products/", {"q": "SG001"})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [wanted]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "/catalog/products/"),
        ("苹果", "/catalog/products/?q=%E8%8B%B9%E6%9E%9C"),
        ("SG", "/catalog/products/?q=SG"),  # no exact code: the list
        ("<b>\x00", "/catalog/products/"),  # a control character: nothing to find
    ],
)
def test_the_top_box_lists_what_is_not_one_exact_code(staff_client, text, expected):
    ProductFactory(sku="SG001", name="红富士苹果")
    ProductFactory(sku="SG002", name="青苹果")
    response = staff_client.get("/catalog/products/go/", {"q": text})
    assert response.status_code == 302
    assert response.url == expected


def test_the_top_box_is_on_every_page_for_who_may_see_products(staff_client):
    html = staff_client.get("/sales/").content.decode()
    assert 'id="top-search"' in html
    assert 'action="/catalog/products/go/"' in html


def test_search_by_pinyin_initials_lists_the_product(staff_client):
    from catalog import services

    services.product_save(data={"sku": "SG001", "name": "红富士苹果"})
    ProductFactory(name="香蕉")
    html = staff_client.get(
        "/catalog/products/", {"q": "hfs", "active": "1"}
    ).content.decode()
    assert "红富士苹果" in html
    assert "香蕉" not in html


def test_product_list_filters_by_category_and_status(staff_client):
    fruit = CategoryFactory(name="水果")
    ProductFactory(name="在售苹果", category=fruit)
    ProductFactory(name="停售苹果", category=fruit, is_active=False)
    ProductFactory(name="铅笔")
    html = staff_client.get(
        "/catalog/products/", {"category": fruit.pk, "active": "1"}
    ).content.decode()
    assert "在售苹果" in html
    assert "停售苹果" not in html
    assert "铅笔" not in html


def test_product_list_sorts_by_column(staff_client):
    ProductFactory(name="B", sale_price=Decimal("1"))
    ProductFactory(name="A", sale_price=Decimal("9"))
    response = staff_client.get("/catalog/products/", {"o": "-sale_price"})
    assert [p.name for p in response.context["object_list"]] == ["A", "B"]


@pytest.mark.parametrize(
    "url",
    [
        "/catalog/products/",
        "/catalog/suppliers/",
        "/catalog/customers/",
        "/catalog/categories/",
        "/catalog/warehouses/",
    ],
)
def test_list_query_count_does_not_grow_with_rows(owner_client, url, count_queries):
    def count():
        return count_queries(owner_client, url)

    ProductFactory(preferred_supplier=SupplierFactory())
    few = count()
    for _ in range(30):
        ProductFactory(category=CategoryFactory(), preferred_supplier=SupplierFactory())
    assert count() == few
    assert few <= 12


def test_empty_catalog_teaches_what_to_do(owner_client):
    html = owner_client.get("/catalog/products/").content.decode()
    assert 'id="empty-state"' in html
    assert "从 Excel 导入" in html


def test_deleting_a_used_category_shows_why_and_keeps_it(owner_client):
    category = CategoryFactory(name="水果")
    ProductFactory(category=category)
    response = owner_client.post(
        f"/catalog/categories/{category.pk}/delete/", follow=True
    )
    assert "不能删除" in response.content.decode()
    assert Category.objects.filter(pk=category.pk).exists()


def test_deleting_an_unused_supplier_asks_first_then_deletes(owner_client):
    supplier = SupplierFactory(name="旧供应商")
    page = owner_client.get(
        f"/catalog/suppliers/{supplier.pk}/delete/"
    ).content.decode()
    assert "旧供应商" in page
    assert Supplier.objects.filter(pk=supplier.pk).exists()
    owner_client.post(f"/catalog/suppliers/{supplier.pk}/delete/")
    assert not Supplier.objects.filter(pk=supplier.pk).exists()


def test_duplicate_supplier_code_is_refused_naming_the_holder(owner_client):
    SupplierFactory(code="GYS001", name="南方果业")
    response = owner_client.post(
        "/catalog/suppliers/new/", {"code": "gys001", "name": "X", "is_active": "on"}
    )
    assert "南方果业" in str(response.context["form"].errors["code"])
    assert Supplier.objects.count() == 1


def test_staff_cannot_sort_by_purchase_price(staff_client):
    ProductFactory(name="贵", purchase_price=Decimal("9"), sku="A")
    ProductFactory(name="便宜", purchase_price=Decimal("1"), sku="B")
    for order in ("purchase_price", "-purchase_price"):
        response = staff_client.get("/catalog/products/", {"o": order})
        assert [p.sku for p in response.context["object_list"]] == ["A", "B"]


def test_a_scan_into_the_filter_form_lists_the_product(staff_client):
    product = ProductFactory(barcode="6972168279211")
    ProductFactory(barcode="6972168279228")
    response = staff_client.get(
        "/catalog/products/", {"q": "6972168279211", "category": "", "active": ""}
    )
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [product]


def test_full_width_sku_is_stored_folded(owner_client):
    owner_client.post("/catalog/products/new/", {**GOOD, "sku": "ＳＧ００１"})
    assert Product.objects.get().sku == "SG001"


@pytest.mark.django_db
def test_a_second_warehouse_of_the_same_name_is_refused(owner_client):
    from catalog.models import Warehouse

    before = list(Warehouse.objects.values_list("pk", "code", "name"))
    response = owner_client.post(
        "/catalog/warehouses/new/",
        {"code": "WH07", "name": "主仓库", "address": "", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "已有名为“主仓库”的仓库" in response.content.decode()
    assert list(Warehouse.objects.values_list("pk", "code", "name")) == before

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog import services
from catalog.models import Category, Customer, Product, Warehouse
from catalog.tests.factories import CategoryFactory, ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_product_save_stores_pinyin_search_keys():
    product = services.product_save(
        data={"sku": "SG001", "name": "红富士苹果", "barcode": "6901", "unit": "斤"}
    )
    assert product.search_text == "sg001 6901 红富士苹果 hongfushipingguo hfspg"
    services.product_save(product=product, data={"name": "香蕉"})
    product.refresh_from_db()
    assert "xiangjiao xj" in product.search_text
    assert "pingguo" not in product.search_text


def test_deleting_a_used_category_is_refused_with_a_message_and_changes_nothing():
    category = CategoryFactory(name="水果")
    ProductFactory(category=category)
    with pytest.raises(ValidationError, match="已被使用，不能删除"):
        services.category_delete(category=category)
    assert Category.objects.filter(pk=category.pk).exists()


def test_an_unused_product_can_be_deleted():
    product = ProductFactory()
    services.product_delete(product=product)
    assert not Product.objects.filter(pk=product.pk).exists()


def test_walk_in_customer_cannot_be_deleted_or_deactivated():
    walk_in = Customer.objects.get(code="RETAIL")
    with pytest.raises(ValidationError, match="零售客户不能删除"):
        services.party_delete(party=walk_in)
    with pytest.raises(ValidationError, match="零售开单需要零售客户：它必须保持启用"):
        services.party_save(model=Customer, party=walk_in, data={"is_active": False})
    walk_in.refresh_from_db()
    assert walk_in.is_active


def test_default_warehouse_moves_atomically_and_cannot_be_deleted():
    first = Warehouse.objects.get(is_default=True)
    second = WarehouseFactory()
    services.warehouse_save(warehouse=second, data={}, make_default=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    with pytest.raises(ValidationError, match="默认仓库不能删除"):
        services.warehouse_delete(warehouse=second)
    with pytest.raises(ValidationError, match="默认仓库不能停用"):
        services.warehouse_save(warehouse=second, data={"is_active": False})
    services.warehouse_delete(warehouse=first)
    assert Warehouse.objects.count() == 1


def test_a_category_cannot_sit_under_itself():
    parent = CategoryFactory(name="A")
    child = CategoryFactory(name="B", parent=parent)
    with pytest.raises(ValidationError, match="分类不能放在它自己下面"):
        services.category_save(category=parent, data={"parent": child})


def test_products_import_creates_and_updates_by_sku_ignoring_case():
    ProductFactory(sku="SG001", name="旧名字", sale_price=Decimal("1.00"))
    created, updated = services.products_import(
        rows=[
            {"sku": "sg001", "name": "苹果", "sale_price": Decimal("6.80")},
            {"sku": "SG002", "name": "香蕉", "category_name": "水果"},
        ]
    )
    assert (created, updated) == (1, 1)
    apple = Product.objects.get(sku="SG001")
    assert (apple.name, apple.sale_price) == ("苹果", Decimal("6.80"))
    assert "pg" in apple.search_text.split()
    assert Product.objects.get(sku="SG002").category.name == "水果"

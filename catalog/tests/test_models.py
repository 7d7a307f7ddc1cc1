from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from catalog.models import Customer, Product, Warehouse
from catalog.tests.factories import CategoryFactory, ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_sku_is_unique_ignoring_case_in_the_database():
    ProductFactory(sku="AB-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(sku="ab-1")


def test_barcode_is_unique_when_given_and_may_be_blank_many_times():
    ProductFactory(barcode="")
    ProductFactory(barcode="")
    ProductFactory(barcode="6901234567890")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(barcode="6901234567890")


def test_negative_price_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(sale_price=Decimal("-1"))


def test_only_one_default_warehouse():
    assert Warehouse.objects.filter(is_default=True).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        WarehouseFactory(is_default=True)


def test_walk_in_customer_and_default_warehouse_always_exist():
    assert Customer.objects.get(code="RETAIL").name == "零售客户"
    assert Warehouse.objects.get(is_default=True).is_active


def test_a_category_in_use_is_protected():
    product = ProductFactory(category=CategoryFactory(name="水果"))
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        product.category.delete()
    assert Product.objects.filter(pk=product.pk).exists()

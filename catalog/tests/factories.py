from decimal import Decimal

import factory

from catalog.models import Category, Customer, Product, Supplier, Warehouse
from catalog.pinyin import search_text


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"分类{n}")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"供应商{n}")
    search_text = factory.LazyAttribute(lambda o: search_text(o.code, name=o.name))


class CustomerFactory(SupplierFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"客户{n}")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"W{n:03d}")
    name = factory.Sequence(lambda n: f"仓库{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"商品{n}")
    category = factory.SubFactory(CategoryFactory)
    unit = "件"
    purchase_price = Decimal("4.50")
    sale_price = Decimal("6.80")
    search_text = factory.LazyAttribute(
        lambda o: search_text(
            o.sku, o.barcode if hasattr(o, "barcode") else "", name=o.name
        )
    )

from decimal import Decimal

import factory

from catalog.models import Category, Customer, Product, Shop, Supplier, Warehouse
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
    shop = factory.LazyFunction(lambda: Shop.objects.order_by("pk").first())


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    code = factory.Sequence(lambda n: f"S{n + 2:02d}")
    name = factory.Sequence(lambda n: f"分店{n + 2}")


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


def attribute_with(name: str, values: list[tuple[str, str]], sort_order=0):
    """An attribute and its values, made through the service."""
    from catalog.services import attribute_save

    return attribute_save(data={"name": name, "sort_order": sort_order}, values=values)


def style_with(code="T100", colours=("RD", "BK"), sizes=("S", "M", "L"), **data):
    """A style coming in the given colour and size codes (attributes 颜色 and 尺码
    made as needed), saved through the service, no variants yet."""
    from catalog.models import Attribute
    from catalog.services import style_save

    names = {"RD": "红色", "BK": "黑色", "WH": "白色", "NV": "藏青"}
    colour = Attribute.objects.filter(name="颜色").first() or attribute_with(
        "颜色", list(names.items())
    )
    size = Attribute.objects.filter(name="尺码").first() or attribute_with(
        "尺码", [(s, s) for s in ("S", "M", "L", "XL", "XXL")], sort_order=1
    )
    values = list(colour.values.filter(code__in=colours)) + list(
        size.values.filter(code__in=sizes)
    )
    return style_save(
        data={
            "code": code,
            "name": data.pop("name", "圆领T恤"),
            "unit": "件",
            "sale_price": data.pop("sale_price", Decimal("59.00")),
            **data,
        },
        values=values,
    )

"""Styles and their variants: one ordinary product per combination, made once."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEntry
from catalog import selectors, services
from catalog.models import AttributeValue, Product, Style
from catalog.tests.factories import ProductFactory, attribute_with, style_with

pytestmark = pytest.mark.django_db


def test_generating_makes_one_product_per_colour_and_size():
    style = style_with(colours=("RD", "BK"), sizes=("S", "M", "L"))
    made = services.style_variants_generate(style=style)
    assert len(made) == 6
    skus = sorted(p.sku for p in style.variants.all())
    assert skus == sorted(
        f"T100-{c}-{s}" for c in ("RD", "BK") for s in ("S", "M", "L")
    )
    red_m = Product.objects.get(sku="T100-RD-M")
    assert (red_m.name, red_m.unit, red_m.sale_price, red_m.spec) == (
        "圆领T恤 红色 M",
        "件",
        Decimal("59.00"),
        "红色 M",
    )
    assert {v.name for v in red_m.variant_values.all()} == {"红色", "M"}
    assert "t100-rd-m" in red_m.search_text


def test_generating_again_adds_only_the_missing_combinations():
    style = style_with(colours=("RD",), sizes=("S", "M"))
    services.style_variants_generate(style=style)
    Product.objects.filter(sku="T100-RD-S").update(sale_price=Decimal("49.00"))
    xl = AttributeValue.objects.get(attribute__name="尺码", code="XL")
    style.values.add(xl)
    made = services.style_variants_generate(style=style)
    assert [p.sku for p in made] == ["T100-RD-XL"]
    assert services.style_variants_generate(style=style) == []
    assert style.variants.count() == 3
    # An existing variant keeps its own price.
    assert Product.objects.get(sku="T100-RD-S").sale_price == Decimal("49.00")


def test_the_database_refuses_a_combination_twice():
    style = style_with(colours=("RD",), sizes=("S",))
    services.style_variants_generate(style=style)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(
            sku="OTHER", style=style, variant_key=style.variants.get().variant_key
        )


def test_a_sku_held_by_another_product_is_refused_and_nothing_is_made():
    ProductFactory(sku="T100-RD-M", name="别的商品")
    style = style_with(colours=("RD",), sizes=("S", "M"))
    with pytest.raises(ValidationError, match="T100-RD-M"):
        services.style_variants_generate(style=style)
    assert style.variants.count() == 0


def test_variants_get_in_store_barcodes_when_asked():
    style = style_with(colours=("RD",), sizes=("S", "M"))
    made = services.style_variants_generate(style=style, instore_barcodes=True)
    codes = sorted(
        Product.objects.filter(style=style).values_list("barcode", flat=True)
    )
    assert len(codes) == 2 and all(len(c) == 13 and c.startswith("29") for c in codes)
    assert sorted(p.barcode for p in made) == codes


def test_a_value_variants_use_stays_in_the_style():
    style = style_with(colours=("RD", "BK"), sizes=("S",))
    services.style_variants_generate(style=style)
    red = AttributeValue.objects.get(code="RD")
    with pytest.raises(ValidationError, match="红色"):
        services.style_save(
            style=style, data={}, values=list(style.values.exclude(pk=red.pk))
        )
    assert style.values.filter(pk=red.pk).exists()


def test_a_used_attribute_value_cannot_be_removed_but_can_be_renamed():
    style = style_with(colours=("RD",), sizes=("S",))
    services.style_variants_generate(style=style)
    colour = AttributeValue.objects.get(code="RD").attribute
    with pytest.raises(ValidationError, match="红色"):
        services.attribute_save(attribute=colour, data={}, values=[("BK", "黑色")])
    services.attribute_save(
        attribute=colour,
        data={},
        values=[("BK", "黑色"), ("RD", "大红"), ("WH", "白色"), ("NV", "藏青")],
    )
    red = AttributeValue.objects.get(attribute=colour, code="RD")
    assert (red.name, red.sort_order) == ("大红", 1)


def test_attribute_values_swap_names_in_one_save():
    attribute = attribute_with("尺码", [("S", "小"), ("L", "大")])
    services.attribute_save(
        attribute=attribute, data={}, values=[("S", "大"), ("L", "小")]
    )
    assert dict(attribute.values.values_list("code", "name")) == {"S": "大", "L": "小"}


def test_the_plan_lists_every_combination_in_the_shops_order():
    style = style_with(colours=("RD", "BK"), sizes=("M", "S"))
    plan = selectors.style_variant_plan(style)
    # Colours in the attribute's order (红 before 黑 as listed), sizes S before M.
    assert [row.sku for row in plan.rows] == [
        "T100-RD-S",
        "T100-RD-M",
        "T100-BK-S",
        "T100-BK-M",
    ]
    assert all(row.product is None for row in plan.rows)


def test_generating_writes_an_audit_entry_per_variant(owner):
    style = style_with(colours=("RD",), sizes=("S", "M"))
    before = AuditEntry.objects.count()
    services.style_variants_generate(style=style, user=owner)
    assert AuditEntry.objects.count() == before + 2


def test_style_codes_are_unique_ignoring_case():
    style_with(code="T100")
    with pytest.raises(IntegrityError), transaction.atomic():
        Style.objects.create(code="t100", name="x")

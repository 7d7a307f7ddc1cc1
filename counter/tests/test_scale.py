"""Scale labels (条码秤), generated the way a label scale prints them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.tests.factories import ProductFactory
from counter.models import CounterSettings, ScaleLayout
from counter.scale import example_label, plu_digits, read_label
from jxc.lines import line_amount

pytestmark = pytest.mark.django_db


def _settings(prefix="2", layout=ScaleLayout.WEIGHT):
    return CounterSettings.objects.update_or_create(
        pk=1, defaults={"scale_prefix": prefix, "scale_layout": layout}
    )[0]


def test_plu_field_shrinks_with_a_two_digit_prefix():
    assert plu_digits("2") == 6
    assert plu_digits("21") == 5
    assert len(example_label("2", "123", 1234)) == 13
    assert example_label("21", "123", 1234).startswith("2100123" + "01234")


def test_weight_label_in_kilograms():
    apple = ProductFactory(plu="123", unit="公斤", sale_price=Decimal("8.80"))
    _settings("2")
    reading = read_label(example_label("2", "123", 1234))
    assert reading.product == apple
    assert reading.quantity == Decimal("1.234")
    assert reading.amount is None
    assert reading.unit_price == Decimal("8.80")


def test_weight_label_in_jin_is_grams_over_500():
    pear = ProductFactory(plu="7", unit="斤", sale_price=Decimal("3.00"))
    _settings("2")
    reading = read_label(example_label("2", "7", 1251))
    assert reading.product == pear
    # 1251 g = 2.502 斤
    assert reading.quantity == Decimal("2.502")


def test_weight_label_rounds_to_three_decimals_half_up():
    ProductFactory(plu="8", unit="斤")
    _settings("2")
    # 1 g = 0.002 斤; 3 g = 0.006 斤; 1 g of a 公斤 product = 0.001
    assert read_label(example_label("2", "8", 3)).quantity == Decimal("0.006")


def test_price_label_keeps_the_label_amount_exactly():
    melon = ProductFactory(plu="55", unit="公斤", sale_price=Decimal("6.98"))
    _settings("2", ScaleLayout.PRICE)
    # The scale weighed 2.345 kg at ¥6.98: ¥16.37 (16.3681 rounded).
    reading = read_label(example_label("2", "55", 1637))
    assert reading.product == melon
    assert reading.amount == Decimal("16.37")
    assert reading.quantity == Decimal("2.345")
    assert reading.unit_price == Decimal("6.98")
    assert line_amount(reading.quantity, reading.unit_price) == reading.amount


@pytest.mark.parametrize(
    ("price", "fen"), [("12.80", 1), ("99.90", 99999), ("0.35", 7), ("23.45", 4321)]
)
def test_price_label_amount_always_equals_the_line_amount(price, fen):
    ProductFactory(plu="56", unit="公斤", sale_price=Decimal(price))
    _settings("2", ScaleLayout.PRICE)
    try:
        reading = read_label(example_label("2", "56", fen))
    except ValidationError as error:
        # Only when no quantity near amount ÷ price gives the amount.
        assert "对不上" in str(error)
        return
    assert reading.amount == Decimal(fen) / 100
    assert line_amount(reading.quantity, reading.unit_price) == reading.amount


def test_two_digit_prefix_reads_a_five_digit_plu():
    ProductFactory(plu="12345", unit="kg")
    _settings("21")
    reading = read_label(example_label("21", "12345", 500))
    assert reading.quantity == Decimal("0.500")


def test_prefix_2_and_21_are_different_layouts():
    """With prefix 2 the digits after it are a 6-digit PLU; with 21 they are 5."""
    one = ProductFactory(plu="100123", unit="kg")  # 2 | 100123 | 00500
    five = ProductFactory(plu="123", unit="kg")  # 21 | 00123 | 00500
    label = example_label("2", "100123", 500)
    assert label == example_label("21", "123", 500)
    assert read_label(label, settings=_settings("2")).product == one
    assert read_label(label, settings=_settings("21")).product == five


def test_not_a_scale_label_is_none():
    ProductFactory(plu="123", unit="kg")
    _settings("2")
    assert read_label("6901234567892") is None  # another prefix: a product code
    assert read_label("212345") is None  # not 13 digits
    assert read_label("2000123O01234") is None  # a letter
    assert read_label("") is None


def test_wrong_check_digit_is_refused_in_chinese():
    ProductFactory(plu="123", unit="kg")
    _settings("2")
    good = example_label("2", "123", 1234)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError, match="校验位不对"):
        read_label(bad)


def test_wrong_check_digit_message_is_chinese(settings):
    from django.utils import translation

    ProductFactory(plu="123", unit="kg")
    _settings("2")
    good = example_label("2", "123", 1234)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        read_label(good[:-1] + str((int(good[-1]) + 1) % 10))
    assert "校验位" in error.value.messages[0]


def test_unknown_plu_is_refused():
    _settings("2")
    with pytest.raises(ValidationError, match="没有商品的 PLU 是 999"):
        read_label(example_label("2", "999", 1234))


def test_zero_weight_is_refused():
    ProductFactory(plu="123", unit="kg")
    _settings("2")
    with pytest.raises(ValidationError, match="为零"):
        read_label(example_label("2", "123", 0))


def test_a_product_not_sold_by_weight_is_refused():
    ProductFactory(plu="123", unit="件")
    _settings("2")
    with pytest.raises(ValidationError, match="不按重量"):
        read_label(example_label("2", "123", 1000))


def test_a_deactivated_product_is_refused():
    ProductFactory(plu="123", unit="kg", is_active=False)
    _settings("2")
    with pytest.raises(ValidationError, match="已停用"):
        read_label(example_label("2", "123", 1000))


def test_defaults_apply_before_the_owner_saves_settings():
    ProductFactory(plu="42", unit="kg")
    assert not CounterSettings.objects.exists()
    assert read_label(example_label("2", "42", 250)).quantity == Decimal("0.250")

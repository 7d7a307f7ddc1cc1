"""条码秤: reading the EAN-13 labels a label scale prints.

A label is 13 digits, read left to right::

    prefix | PLU            | value   | check
    2      | 6 digits       | 5 digits| 1        (a 1-digit prefix, e.g. "2")
    21     | 5 digits       | 5 digits| 1        (a 2-digit prefix, e.g. "21")

The PLU field is what is left between the prefix and the value: 7 − length of
the prefix digits, so it shrinks by one when the prefix has two digits; the
scale pads it with zeros on the left (PLU 123 is printed 000123 or 00123). The
value is the owner's ``CounterSettings.scale_layout``:

weight
    the weight in grams (00000–99999). It becomes a quantity in the product's
    unit: 公斤/千克/kg → grams ÷ 1000, 斤 → grams ÷ 500 (the market jin), 克/g →
    grams; any other unit is not sold by weight and the label is refused.
    Quantities keep 3 decimals (half-up). The line amount is quantity × sale
    price as on any line (``amount`` is None).
price
    the amount in fen (00000–99999, up to ¥999.99): what the customer pays for
    the line, exactly. The quantity is amount ÷ sale price in the product's
    unit, 3 decimals; ``unit_price`` is the price the line is entered with so
    that ``jxc.lines.line_amount(quantity, unit_price) == amount``: the sale
    price itself whenever a quantity within a few thousandths of the exact one
    gives the amount (nearly always: the scale computed the amount from a
    weight and this price), otherwise the nearest price a fen or two away.

The last digit is the EAN-13 check digit; a label whose check digit is wrong
was misread or mistyped and is refused, as are a PLU no product carries and a
zero weight or amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog.models import Product
from counter.models import CounterSettings, ScaleLayout
from jxc.decimals import money, quantity
from jxc.lines import line_amount
from jxc.matching import gtin_check_digit

LABEL_LENGTH = 13
VALUE_DIGITS = 5
# Units a weight label can be sold in: grams per unit.
GRAMS_PER_UNIT = {
    "公斤": Decimal(1000),
    "千克": Decimal(1000),
    "kg": Decimal(1000),
    "斤": Decimal(500),
    "克": Decimal(1),
    "g": Decimal(1),
}
THOUSANDTH = Decimal("0.001")
FEN = Decimal("0.01")
# How far from the exact quantity (in thousandths) and from the sale price (in
# fen) a price label's line may move so its amount is the label's amount.
NEAR = 20


@dataclass(frozen=True)
class ScaleReading:
    """What a scale label says: the product, the quantity in its unit, the amount
    a price label printed (None for a weight label), and the unit price the line
    takes (quantity × unit_price rounded to the fen is ``amount`` exactly)."""

    product: Product
    quantity: Decimal
    amount: Decimal | None
    unit_price: Decimal


def plu_digits(prefix: str) -> int:
    """How many digits the PLU field of a label has after ``prefix``."""
    return LABEL_LENGTH - len(prefix) - VALUE_DIGITS - 1


def example_label(prefix: str, plu: str, value: int) -> str:
    """A valid label (check digit included) for ``plu`` and a value in grams or
    fen, as the settings page shows one and tests generate them."""
    body = prefix + plu.zfill(plu_digits(prefix)) + str(value).zfill(VALUE_DIGITS)
    return body + str(gtin_check_digit(body))


def _settings() -> CounterSettings:
    return CounterSettings.objects.filter(pk=1).first() or CounterSettings(pk=1)


def read_label(code: str, *, settings: CounterSettings | None = None):
    """The ScaleReading of a scale label, or None when ``code`` is not one (not 13
    digits, or not starting with the owner's prefix). A label that is one but
    cannot be sold (wrong check digit, unknown PLU, zero weight or amount, a
    product not sold by weight) raises ValidationError saying why."""
    code = (code or "").strip()
    if len(code) != LABEL_LENGTH or not (code.isascii() and code.isdigit()):
        return None
    settings = settings or _settings()
    prefix = settings.scale_prefix
    if not prefix or not code.startswith(prefix):
        return None
    if gtin_check_digit(code[:-1]) != int(code[-1]):
        raise ValidationError(
            _(
                "Scale label %(code)s: the check digit is wrong (it should be "
                "%(expected)d). Scan it again or type the product instead."
            )
            % {"code": code, "expected": gtin_check_digit(code[:-1])}
        )
    digits = plu_digits(prefix)
    plu_field = code[len(prefix) : len(prefix) + digits]
    value = int(code[len(prefix) + digits : -1])
    plu = plu_field.lstrip("0")
    product = (
        Product.objects.filter(plu=plu).select_related("category").first()
        if plu
        else None
    )
    if product is None:
        raise ValidationError(
            _(
                "Scale label %(code)s: no product has the PLU %(plu)s. Give the "
                "product this PLU on its page, or check the scale's PLU."
            )
            % {"code": code, "plu": plu or "0"}
        )
    if not product.is_active:
        raise ValidationError(
            _("Scale label %(code)s: “%(name)s” is deactivated.")
            % {"code": code, "name": product.name}
        )
    if value == 0:
        raise ValidationError(
            _("Scale label %(code)s: the weight or amount on it is zero.")
            % {"code": code}
        )
    if settings.scale_layout == ScaleLayout.PRICE:
        return _priced(product, money(Decimal(value) / 100), code)
    return _weighed(product, value, code)


def _weighed(product: Product, grams: int, code: str) -> ScaleReading:
    per_unit = GRAMS_PER_UNIT.get(product.unit.strip().lower())
    if per_unit is None:
        raise ValidationError(
            _(
                "Scale label %(code)s: “%(name)s” is sold by %(unit)s, not by "
                "weight; give it the unit 公斤 or 斤 to sell it from the scale."
            )
            % {"code": code, "name": product.name, "unit": product.unit}
        )
    # A gram is at least 0.001 of a kilogram or a jin: never rounds to zero.
    return ScaleReading(
        product, quantity(Decimal(grams) / per_unit), None, product.sale_price
    )


def _priced(product: Product, amount: Decimal, code: str) -> ScaleReading:
    price = product.sale_price
    if price <= 0:
        raise ValidationError(
            _(
                "Scale label %(code)s: “%(name)s” has no sale price, so the "
                "quantity of a priced label cannot be worked out."
            )
            % {"code": code, "name": product.name}
        )
    exact = quantity(amount / price)
    found = _line_for(amount, exact, price)
    if found is None:
        raise ValidationError(
            _(
                "Scale label %(code)s: ¥%(amount)s does not fit the sale price "
                "¥%(price)s of “%(name)s”; check the price set on the scale."
            )
            % {
                "code": code,
                "amount": f"{amount:,.2f}",
                "price": f"{price:,.2f}",
                "name": product.name,
            }
        )
    return ScaleReading(product, found[0], amount, found[1])


def _line_for(amount: Decimal, exact: Decimal, price: Decimal):
    """The (quantity, unit price) nearest to (``exact``, ``price``) whose line
    amount is ``amount``: the sale price with the nearest quantity first, then
    prices a fen further away."""
    for fen in sorted(range(-NEAR, NEAR + 1), key=abs):
        unit_price = price + fen * FEN
        if unit_price <= 0:
            continue
        for step in sorted(range(-NEAR, NEAR + 1), key=abs):
            candidate = exact + step * THOUSANDTH
            if candidate > 0 and line_amount(candidate, unit_price) == amount:
                return candidate, unit_price
    return None

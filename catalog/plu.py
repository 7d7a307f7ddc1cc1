"""A product's PLU (条码秤 number): the rules the product form and the import share.

A PLU is digits only, stored without leading zeros (the scale pads it: 00123 on a
label is PLU 123), unique among products, and at most as long as the PLU field of
the owner's scale labels: 6 digits after a 1-digit prefix, 5 after a 2-digit one
(counter.scale documents the label). The counter's settings are read by their
label: catalog imports no other app.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext as _

from catalog.models import Product

LONGEST = 6  # after a 1-digit prefix: 13 − 1 − 5 − 1 check digit


def plu_digits() -> int:
    """How many digits a PLU may have with the owner's current label prefix."""
    settings = apps.get_model("counter", "CounterSettings").objects.filter(pk=1)
    prefix = settings.values_list("scale_prefix", flat=True).first() or "2"
    return LONGEST + 1 - len(prefix)


def plu_problem(value: str, digits: int) -> str | None:
    """What is wrong with a typed PLU (None: fine; empty is fine: not weighed)."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        return _("a PLU is digits only")
    if len(value.lstrip("0")) > digits:
        return _(
            "at most %(digits)d digits: the scale labels have a %(digits)d-digit "
            "PLU field"
        ) % {"digits": digits}
    if not value.lstrip("0"):
        return _("the PLU 0 is not a product's number")
    return None


def plu_canonical(value: str) -> str:
    """The PLU as stored: without the zeros a scale pads it with."""
    return value.lstrip("0")


def plu_holders(plus, *, excluding_skus=()) -> dict[str, Product]:
    """The products already holding some of ``plus`` (canonical), by PLU."""
    excluded = {sku.lower() for sku in excluding_skus}
    return {
        product.plu: product
        for product in Product.objects.filter(plu__in=list(plus))
        if product.sku.lower() not in excluded
    }

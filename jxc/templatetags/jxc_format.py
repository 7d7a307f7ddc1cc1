"""Template filters for numbers; the functions themselves live in jxc.formatting."""

from decimal import Decimal

from django import template
from django.utils.translation import pgettext

from jxc import units
from jxc.formatting import cost, money, negate, plain, qty

register = template.Library()

for _filter in (money, qty, negate, cost, plain):
    register.filter(_filter.__name__, _filter)


@register.filter
def in_packages(value, product):
    """A base-unit quantity as "3 箱 5 瓶" when ``product.package`` (a package unit
    the view attached) is set; empty otherwise."""
    package = getattr(product, "package", None)
    if package is None or value is None or value == "":
        return ""
    return units.in_packages(Decimal(value), package.factor, package.name, product.unit)


@register.simple_tag
def colon():
    """What sits between a label and its value in the reader's language: "：" in
    Chinese (全角冒号, no space), ": " in English."""
    return pgettext("between a label and its value", ": ")

"""Template filters for numbers; the functions themselves live in jxc.formatting."""

from django import template
from django.utils.translation import pgettext

from jxc.formatting import cost, money, negate, plain, qty

register = template.Library()

for _filter in (money, qty, negate, cost, plain):
    register.filter(_filter.__name__, _filter)


@register.simple_tag
def colon():
    """What sits between a label and its value in the reader's language: "：" in
    Chinese (全角冒号, no space), ": " in English."""
    return pgettext("between a label and its value", ": ")

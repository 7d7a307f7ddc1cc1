"""Template filters for numbers; the functions themselves live in jxc.formatting."""

from django import template

from jxc.formatting import cost, money, negate, plain, qty

register = template.Library()

for _filter in (money, qty, negate, cost, plain):
    register.filter(_filter.__name__, _filter)

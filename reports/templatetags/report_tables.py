"""Cells of report tables: one value, formatted by its column's kind."""

from django import template

from jxc.templatetags.jxc_format import money, qty

register = template.Library()


@register.filter
def cell(row, column):
    """row[key] formatted for ``column`` = (key, label, kind)."""
    key, _label, kind = column
    value = row.get(key)
    if value is None or value == "":
        return "—"
    if kind == "money":
        return money(value)
    if kind in {"quantity", "number"}:
        return qty(value)
    if kind == "percent":
        return f"{qty(value)}%"
    return value

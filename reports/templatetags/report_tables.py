"""Cells of report tables: one value, formatted by its column's kind."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from jxc.formatting import money, qty

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


SUMMARY_CELLS = [
    (f"{flow}_{part}", qty if part == "q" else money)
    for flow in (
        "opening",
        "receipt",
        "sales_return",
        "other_in",
        "shipment",
        "purchase_return",
        "other_out",
        "closing",
    )  # fmt: skip
    for part in ("q", "v")
]


@register.simple_tag
def summary_cells(row, values_only=False):
    """The 16 figure cells of a summary row, in one call: 200 rows × 16 filters
    through an include were most of the page's time. ``values_only``: the totals
    row, whose quantities would add 斤 to 件 to 支: their cells stay empty."""
    return mark_safe(  # noqa: S308 - digits, signs, ¥ and separators only
        "".join(
            '<td class="num"></td>'
            if values_only and key.endswith("_q")
            else f'<td class="num">{format(row.get(key))}</td>'
            for key, format in SUMMARY_CELLS
        )
    )


@register.simple_tag
def summary_product(row, card):
    """The product cell of a summary row: SKU linking to its stock card over the
    same period, then the name. ``card``: (the cards' path, the query), built
    once per page rather than reversed per row."""
    product = row["product"]
    base, query = card
    return format_html(
        '<a href="{}{}/?{}">{}</a> {}',
        base,
        product.pk,
        query,
        product.sku,
        product.name,
    )

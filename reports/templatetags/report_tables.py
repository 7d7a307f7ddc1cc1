"""Cells of report tables: one value, formatted by its column's kind."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


def summary_labels():
    """The 16 figure columns' names, as a phone's card shows them beside each
    figure (the two header rows are hidden there): 期初 数量, 采购入库 金额, …"""
    flows = [
        _("Opening"),
        _("Purchase receipts"),
        _("Sales returns"),
        _("Other in"),
        _("Shipments"),
        _("Purchase returns"),
        _("Other out"),
        _("Closing"),
    ]
    parts = [_("qty"), _("value")]
    return [conditional_escape(f"{flow} {part}") for flow in flows for part in parts]


@register.simple_tag
def summary_cells(row, values_only=False, labels=None):
    """The 16 figure cells of a summary row, in one call: 200 rows × 16 filters
    through an include were most of the page's time. ``values_only``: the totals
    row, whose quantities would add 斤 to 件 to 支: their cells stay empty.
    ``labels``: summary_labels(), worked out once per page."""
    labels = labels or summary_labels()
    return mark_safe(  # noqa: S308 - digits, signs, ¥, separators and escaped labels only
        "".join(
            f'<td class="num" data-label="{label}"></td>'
            if values_only and key.endswith("_q")
            else f'<td class="num" data-label="{label}">{format(row.get(key))}</td>'
            for (key, format), label in zip(SUMMARY_CELLS, labels, strict=True)
        )
    )


@register.simple_tag(name="summary_labels")
def summary_labels_tag():
    return summary_labels()


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

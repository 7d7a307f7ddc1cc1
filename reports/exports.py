"""Excel files of the reports (selector output in, sheets out; no queries)."""

from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from jxc.excel import MONEY, QUANTITY, TEXT, Col, Sheet


def period_name(start: date, end: date) -> str:
    """2026-11 for a whole month, else 2026-11-03_2026-11-17 ([start, end))."""
    last = end - timedelta(days=1)
    if (
        start.day == 1
        and (last + timedelta(days=1)).day == 1
        and start.month == last.month
    ):
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m-%d}_{last:%Y-%m-%d}"


PAIRS = [
    ("opening", "Opening"), ("receipt", "Purchase receipts"),
    ("sales_return", "Sales returns"), ("other_in", "Other in"),
    ("shipment", "Shipments"), ("purchase_return", "Purchase returns"),
    ("other_out", "Other out"), ("closing", "Closing"),
]  # fmt: skip


def summary_sheet(rows, totals, *, start: date, end: date) -> Sheet:
    columns = [Col(_("SKU")), Col(_("Name"), width=26), Col(_("Unit"), width=6)]
    for _key, label in PAIRS:
        columns += [
            Col(f"{_(label)} {_('quantity')}", QUANTITY),
            Col(f"{_(label)} {_('value')}", MONEY),
        ]

    def values(row):
        out = []
        for key, _label in PAIRS:
            out += [row[f"{key}_q"], row[f"{key}_v"]]
        return out

    caption = _("%(shop)s · Stock summary · %(period)s") % {
        "shop": settings.JXC_SHOP_NAME or _("JXC"),
        "period": period_name(start, end),
    }
    return Sheet(
        title=_("Stock summary"),
        columns=columns,
        caption=caption,
        rows=(
            [r["product"].sku, r["product"].name, r["product"].unit, *values(r)]
            for r in rows
        ),
        totals=[_("Total"), "", "", *values(totals)],
        chart={"title": _("Closing value"), "category": 2, "values": [len(columns)]},
    )


KINDS = {
    "money": MONEY,
    "quantity": QUANTITY,
    "number": QUANTITY,
    "percent": QUANTITY,
    "text": TEXT,
}


def table_sheet(table, *, start: date, end: date) -> Sheet:
    """Any report table as a sheet: caption, typed columns, the same rows."""
    caption = _("%(shop)s · %(report)s · %(period)s") % {
        "shop": settings.JXC_SHOP_NAME or _("JXC"),
        "report": table.title,
        "period": period_name(start, end),
    }
    columns = [
        Col(str(label), KINDS[kind], width=24 if kind == "text" else None)
        for _key, label, kind in table.columns
    ]
    rows = (
        [_plain_value(row.get(key), kind) for key, _label, kind in table.columns]
        for row in table.rows
    )
    return Sheet(title=str(table.title), columns=columns, rows=rows, caption=caption)


def _plain_value(value, kind):
    if value is None:
        return None
    return str(value) if kind == "text" else value

"""Excel files of the reports (selector output in, sheets out; no queries)."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from jxc.excel import (
    MONEY,
    PERCENT,
    QUANTITY,
    TEXT,
    Chart,
    Col,
    Sheet,
    top_points,
)


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


def period_title(start: date, end: date) -> str:
    """The period as a title row says it: 2026-11, or 2026-11-03 – 2026-11-17."""
    return period_name(start, end).replace("_", " – ")


PAIRS = [
    ("opening", "Opening"), ("receipt", "Purchase receipts"),
    ("sales_return", "Sales returns"), ("other_in", "Other in"),
    ("shipment", "Shipments"), ("purchase_return", "Purchase returns"),
    ("other_out", "Other out"), ("closing", "Closing"),
]  # fmt: skip


def summary_sheet(rows, totals) -> Sheet:
    columns = [Col(_("SKU")), Col(_("Name"), width=26), Col(_("Unit"), width=6)]
    for _key, label in PAIRS:
        columns += [
            Col(f"{_(label)} {_('quantity')}", QUANTITY),
            Col(f"{_(label)} {_('value')}", MONEY),
        ]

    def values(row, *, quantities=True):
        out = []
        for key, _label in PAIRS:
            out += [row[f"{key}_q"] if quantities else None, row[f"{key}_v"]]
        return out

    return Sheet(
        title=_("Stock summary"),
        columns=columns,
        rows=(
            [r["product"].sku, r["product"].name, r["product"].unit, *values(r)]
            for r in rows
        ),
        # Quantities in 斤, 件 and 支 do not add up: the totals row is values only.
        totals=[_("Total value"), "", "", *values(totals, quantities=False)],
        chart=Chart(
            title=_("Closing value, top 15"),
            label=_("Product"),
            value=_("Closing value"),
            points=top_points(
                rows,
                label=lambda r: f"{r['product'].sku} {r['product'].name}",
                value=lambda r: r["closing_v"],
            ),
        ),
    )


KINDS = {
    "money": MONEY,
    "quantity": QUANTITY,
    "number": QUANTITY,
    "percent": PERCENT,
    "text": TEXT,
}
HUNDRED = Decimal(100)


def table_sheet(table, *, chart: tuple[str, str] | None = None) -> Sheet:
    """Any report table as a sheet: typed columns, the same rows; ``chart``
    (label column, value column): the top 15 by that value as a bar chart."""
    columns = [
        Col(str(label), KINDS[kind], width=24 if kind == "text" else None)
        for _key, label, kind in table.columns
    ]
    rows = (
        [_plain_value(row.get(key), kind) for key, _label, kind in table.columns]
        for row in table.rows
    )
    drawn = None
    if chart:
        name, value = chart
        labels = {key: label for key, label, _kind in table.columns}
        drawn = Chart(
            title=_("%(figure)s, top 15") % {"figure": labels[value]},
            label=str(labels[name]),
            value=str(labels[value]),
            points=top_points(
                table.rows, label=lambda r: r[name], value=lambda r: r.get(value)
            ),
        )
    return Sheet(title=str(table.title), columns=columns, rows=rows, chart=drawn)


def _plain_value(value, kind):
    if value is None:
        return None
    if kind == "percent":
        return Decimal(value) / HUNDRED  # 35.2 (%) is 0.352 in a 0.0% cell
    return str(value) if kind == "text" else value

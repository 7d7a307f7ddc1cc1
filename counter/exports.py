"""The shifts of a day as an Excel sheet (jxc.excel: formula-safe, no queries)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jxc.excel import INTEGER, MONEY, TEXT, Col, Sheet
from sales.models import PaymentMethod


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def shifts_sheet(rows, total, day, shop) -> Sheet:
    """One row per clerk: counts, net takings per method, float, paid out, cash
    expected, counted and the difference; the day's total in bold."""
    columns = [
        Col(_("Clerk"), TEXT),
        Col(_("Status"), TEXT),
        Col(_("Sales"), INTEGER),
        Col(_("Returns"), INTEGER),
        *[Col(str(method.label), MONEY) for method in PaymentMethod],
        Col(_("Net takings"), MONEY),
        Col(_("Opening cash float"), MONEY),
        Col(_("Cash paid out"), MONEY),
        Col(_("Cash expected"), MONEY),
        Col(_("Cash counted"), MONEY),
        Col(_("Difference"), MONEY),
    ]

    def values(row, name, status):
        return [
            name,
            status,
            row.sales_count,
            row.returns_count,
            *[method.net for method in row.method_rows],
            row.net_total,
            row.opening_float,
            row.paid_out,
            row.expected_cash,
            row.counted_cash,
            row.difference,
        ]

    closed, still_open = pgettext("shift", "Closed"), _("Open")
    body = [
        values(row, _name(row.clerk), closed if row.is_closed else still_open)
        for row in rows
    ]
    totals = values(total, _("Day total"), "")
    totals[-2:] = [None, None]
    caption = " · ".join(
        part for part in [shop.name, _("Shifts"), day.isoformat()] if part
    )
    return Sheet(
        title=_("Shifts"), columns=columns, rows=body, totals=totals, caption=caption
    )

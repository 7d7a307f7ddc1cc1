"""Excel files of the cash book and the money reports (reads in, workbooks out)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from finance import statements
from jxc.excel import (
    DATETIME,
    MONEY,
    TEXT,
    Chart,
    Col,
    Sheet,
    shop_name,
    title_line,
    xlsx_response,
)
from jxc.models import DocumentStatus


def _period(start, end) -> str:
    return f"{start:%Y-%m-%d}_{end:%Y-%m-%d}"


def _ledger_rows(ledger):
    for line in statements.all_lines(ledger):
        entry = line.entry
        yield [
            timezone.localtime(entry.occurred_at).replace(tzinfo=None),
            entry.source_number,
            entry.get_kind_display()
            + (f" ({_('reversal')})" if entry.is_reversal else ""),
            entry.memo,
            entry.amount if entry.amount > 0 else None,
            -entry.amount if entry.amount < 0 else None,
            line.balance,
        ]


def _ledger_sheet(title, caption, ledger, *, increase: str, decrease: str) -> Sheet:
    columns = [
        Col(_("Date"), DATETIME),
        Col(_("Document"), width=22),
        Col(_("Kind"), width=14),
        Col(_("Memo"), width=20),
        Col(increase, MONEY),
        Col(decrease, MONEY),
        Col(_("Running balance"), MONEY),
    ]
    opening = [[None, "", _("Balance brought forward"), "", None, None, ledger.opening]]
    return Sheet(
        title=title,
        columns=columns,
        caption=caption,
        rows=(row for part in (opening, _ledger_rows(ledger)) for row in part),
        totals=[
            _("Closing balance"),
            "",
            "",
            "",
            ledger.increase,
            -ledger.decrease,
            ledger.closing,
        ],
    )


def journal(account, ledger):
    caption = title_line(
        shop_name(),
        _("Account journal: %(account)s") % {"account": account.name},
        _period(ledger.start, ledger.end),
    )
    sheet = _ledger_sheet(
        _("Journal"), caption, ledger, increase=_("Money in"), decrease=_("Money out")
    )
    return xlsx_response(
        [sheet],
        f"{_('Journal')}_{account.name}_{_period(ledger.start, ledger.end)}",
        dated=False,
    )


def statement(partner, ledger, *, customers: bool):
    caption = title_line(
        shop_name(),
        _("Statement for %(partner)s") % {"partner": partner.name},
        _period(ledger.start, ledger.end),
    )
    if customers:
        increase, decrease = _("Sold"), _("Paid or returned")
    else:
        increase, decrease = _("Bought"), _("Paid or returned")
    sheet = _ledger_sheet(
        _("Statement"), caption, ledger, increase=increase, decrease=decrease
    )
    return xlsx_response(
        [sheet],
        f"{_('Statement')}_{partner.name}_{_period(ledger.start, ledger.end)}",
        dated=False,
    )


def cash_entries(rows, totals, start, end):
    caption = title_line(shop_name(), _("Income and expenses"), _period(start, end))
    sheet = Sheet(
        title=_("Income and expenses"),
        caption=caption,
        columns=[
            Col(_("Number"), width=20),
            Col(_("Date"), DATETIME),
            Col(_("Category"), width=14),
            Col(_("Account"), width=12),
            Col(_("Status"), width=10),
            Col(_("Income"), MONEY),
            Col(_("Expense"), MONEY),
            Col(_("Note"), TEXT, width=24),
        ],
        rows=(
            [
                row.number,
                timezone.localtime(row.occurred_at).replace(tzinfo=None),
                row.category.name,
                row.account.name,
                row.get_status_display(),
                row.amount if row.is_income else None,
                None if row.is_income else row.amount,
                row.note,
            ]
            for row in rows.iterator(chunk_size=2000)
        ),
        totals=[
            _("Total (posted)"),
            None,
            "",
            "",
            "",
            totals["income"],
            totals["expense"],
            "",
        ],
    )
    return xlsx_response(
        [sheet], f"{_('Income and expenses')}_{_period(start, end)}", dated=False
    )


def payments(spec, documents, *, with_total: bool) -> Sheet:
    """收款单 or 付款单 as listed (``spec`` a jxc.lists.DocumentList, ``documents``
    filtered as on the page), with the total of the posted ones."""
    posted = documents.filter(status=DocumentStatus.POSTED).aggregate(
        total=Sum("amount")
    )["total"] or Decimal(0)
    return Sheet(
        title=str(spec.title),
        columns=[
            Col(_("Number"), width=20),
            Col(_("Date"), DATETIME),
            Col(str(spec.party_label), width=24),
            Col(_("Account"), width=12),
            Col(_("Status"), width=10),
            Col(_("Amount"), MONEY),
            Col(_("Note"), TEXT, width=24),
        ],
        rows=(
            [
                payment.number,
                timezone.localtime(payment.occurred_at).replace(tzinfo=None),
                getattr(payment, spec.party).name,
                payment.account.name,
                payment.get_status_display(),
                payment.amount,
                payment.note,
            ]
            for payment in documents.iterator(chunk_size=2000)
        ),
        totals=[_("Total (posted)"), None, "", "", "", posted, ""],
    )


def aging(report, *, customers: bool):
    title = _("Receivables by age") if customers else _("Payables by age")
    labels = [_("0–30 days"), _("31–60 days"), _("61–90 days"), _("Over 90 days")]
    sheet = Sheet(
        title=title,
        caption=title_line(shop_name(), title, f"{report.today:%Y-%m-%d}"),
        columns=[
            Col(_("Code"), width=10),
            Col(_("Name"), width=24),
            *[Col(label, MONEY) for label in labels],
            Col(_("Paid in advance"), MONEY),
            Col(_("Open balance"), MONEY),
        ],
        rows=(
            [row.code, row.name, *row.buckets, row.prepaid, row.total]
            for row in report.rows
        ),
        totals=[_("Total"), "", *report.totals, report.prepaid, report.total],
    )
    return xlsx_response([sheet], title)


def profit(months, totals):
    first, last = months[0].label, months[-1].label
    sheet = Sheet(
        title=_("Profit"),
        caption=title_line(shop_name(), _("Profit per month"), f"{first} – {last}"),
        columns=[
            Col(_("Month"), width=10),
            Col(_("Sales"), MONEY),
            Col(_("Cost of goods"), MONEY),
            Col(_("Gross profit"), MONEY),
            Col(_("Other income"), MONEY),
            Col(_("Expenses"), MONEY),
            Col(_("Net profit"), MONEY),
        ],
        rows=(
            [m.label, m.sales, m.cost, m.gross, m.income, m.expense, m.net]
            for m in months
        ),
        totals=[
            _("Total"),
            totals.sales,
            totals.cost,
            totals.gross,
            totals.income,
            totals.expense,
            totals.net,
        ],
        # Months in their order, not the largest first: a profit trend.
        chart=Chart(
            title=_("Net profit"),
            label=_("Month"),
            value=_("Net profit"),
            points=[(m.label, m.net) for m in months],
        ),
    )
    return xlsx_response([sheet], f"{_('Profit')}_{first}_{last}", dated=False)

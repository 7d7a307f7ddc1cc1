"""Pages of the cash book and the money reports: money accounts with their
journals, transfers, 日常收支 and their categories, a partner's statement (对账单),
aging (账龄) and the profit view. Permissions first, then a form or a read
(finance.statements), then a service (finance.cashbook).

Who: the cash book and the profit view are the owner's (``manage_money``,
``view_profit``). Statements and aging follow the receivables / payables rights:
a clerk opens customer statements and the receivables aging, never a supplier's.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import Customer, ShopProfile, Supplier
from finance import cashbook, exports, statements
from finance.cash_forms import (
    AccountForm,
    CashEntryForm,
    CashFilterForm,
    CategoryForm,
    PeriodForm,
    StatementForm,
    TransferForm,
    YearForm,
)
from finance.models import Account, CashCategory, CashDirection, CashEntry, Transfer
from jxc.views import business_moment, cancel_posted, form_saved, paginate

MANAGE = "finance.manage_money"
RECEIVABLES = "finance.view_receivables"
PAYABLES = "finance.view_payables"
PROFIT = "finance.view_profit"


def _posted(document) -> str:
    return _("%(number)s posted.") % {"number": document.number}


def _saved(record) -> str:
    return _("%(name)s saved.") % {"name": record.name}


def _wants_excel(request) -> bool:
    return request.GET.get("format") == "xlsx"


# --- accounts -------------------------------------------------------------------------


@permission_required(MANAGE, raise_exception=True)
@require_GET
def account_list(request):
    return render(
        request,
        "finance/account_list.html",
        {
            "accounts": statements.accounts(),
            "total": statements.accounts_total(),
        },
    )


def _account_form(request, account):
    initial = None
    if account is not None:
        initial = {name: getattr(account, name) for name in cashbook.ACCOUNT_FIELDS}
    form = AccountForm(request.POST or None, initial=initial, account=account)
    if request.method == "POST" and form_saved(
        request,
        form,
        lambda data: cashbook.account_save(
            account=account, data=data, user=request.user
        ),
        lambda saved: _("%(name)s saved.") % {"name": saved.name},
    ):
        return redirect("finance:account_list")
    return render(
        request,
        "finance/simple_form.html",
        {
            "form": form,
            "title": _("Edit the account") if account else _("Add an account"),
            "cancel_url": reverse("finance:account_list"),
            "form_id": "account-form",
        },
    )


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def account_create(request):
    return _account_form(request, None)


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def account_update(request, pk):
    return _account_form(request, get_object_or_404(Account, pk=pk))


@permission_required(MANAGE, raise_exception=True)
@require_GET
def account_journal(request, pk):
    account = get_object_or_404(Account, pk=pk)
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    ledger = statements.ledger(start=start, end=end, account_id=account.pk)
    if _wants_excel(request):
        return exports.journal(account, ledger)
    page = paginate(request, ledger.entries, 50)
    return render(
        request,
        "finance/journal.html",
        {
            "account": account,
            "form": form,
            "ledger": ledger,
            "page_obj": page,
            "lines": statements.running(ledger, page.object_list),
        },
    )


# --- transfers ------------------------------------------------------------------------


@permission_required(MANAGE, raise_exception=True)
@require_GET
def transfer_list(request):
    return render(
        request,
        "finance/transfer_list.html",
        {"page_obj": paginate(request, statements.transfers())},
    )


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def transfer_create(request):
    form = TransferForm(request.POST or None, user=request.user)
    if request.method == "POST" and (
        transfer := form_saved(
            request,
            form,
            lambda data: cashbook.transfer_post(
                from_account=data["from_account"],
                to_account=data["to_account"],
                amount=data["amount"],
                occurred_at=business_moment(data["date"]),
                user=request.user,
                note=data["note"],
                submission=data["submission"],
            ),
            _posted,
        )
    ):
        return redirect(transfer)
    return render(
        request,
        "finance/simple_form.html",
        {
            "form": form,
            "title": _("Move money between accounts"),
            "cancel_url": reverse("finance:transfer_list"),
            "form_id": "transfer-form",
            "submit_label": _("Post the transfer"),
        },
    )


@permission_required(MANAGE, raise_exception=True)
@require_GET
def transfer_detail(request, pk):
    transfer = get_object_or_404(
        Transfer.objects.select_related(
            "from_account", "to_account", "created_by", "cancelled_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "finance/transfer_detail.html",
        {
            "document": transfer,
            "cancel_url": reverse("finance:transfer_cancel", args=[pk]),
        },
    )


@permission_required(MANAGE, raise_exception=True)
@require_POST
def transfer_cancel(request, pk):
    transfer = get_object_or_404(Transfer, pk=pk)
    return cancel_posted(
        request,
        transfer,
        lambda reason: cashbook.transfer_cancel(
            transfer=transfer, user=request.user, reason=reason
        ),
        done=_("%(number)s cancelled; the money went back."),
    )


# --- 日常收支 ---------------------------------------------------------------------


@permission_required(MANAGE, raise_exception=True)
@require_GET
def cash_list(request):
    form = CashFilterForm(request.GET or None)
    start, end = form.period()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = statements.cash_entries(
        start=start,
        end=end,
        direction=data.get("direction") or "",
        category_id=data["category"].pk if data.get("category") else None,
        account_id=data["account"].pk if data.get("account") else None,
    )
    totals = statements.cash_totals(rows)
    if _wants_excel(request):
        return exports.cash_entries(rows, totals, start, end)
    return render(
        request,
        "finance/cash_list.html",
        {
            "form": form,
            "page_obj": paginate(request, rows),
            "totals": totals,
            "start": start,
            "end": end,
        },
    )


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def cash_create(request):
    direction = request.GET.get("direction")
    if direction not in CashDirection.values:
        direction = CashDirection.EXPENSE
    form = CashEntryForm(request.POST or None, user=request.user, direction=direction)
    if request.method == "POST" and (
        entry := form_saved(
            request,
            form,
            lambda data: cashbook.cash_post(
                category=data["category"],
                account=data["account"],
                amount=data["amount"],
                occurred_at=business_moment(data["date"]),
                user=request.user,
                note=data["note"],
                submission=data["submission"],
            ),
            _posted,
        )
    ):
        return redirect(entry)
    income = direction == CashDirection.INCOME
    return render(
        request,
        "finance/simple_form.html",
        {
            "form": form,
            "title": _("Record other income") if income else _("Record an expense"),
            "cancel_url": reverse("finance:cash_list"),
            "form_id": "cash-form",
            "no_categories": not form.fields["category"].queryset.exists(),
        },
    )


@permission_required(MANAGE, raise_exception=True)
@require_GET
def cash_detail(request, pk):
    entry = get_object_or_404(
        CashEntry.objects.select_related(
            "category", "account", "created_by", "cancelled_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "finance/cash_detail.html",
        {
            "document": entry,
            "cancel_url": reverse("finance:cash_cancel", args=[pk]),
            "counter_entry_note": cashbook.COUNTER_ENTRY,
        },
    )


@permission_required(MANAGE, raise_exception=True)
@require_POST
def cash_cancel(request, pk):
    entry = get_object_or_404(CashEntry, pk=pk)
    return cancel_posted(
        request,
        entry,
        lambda reason: cashbook.cash_cancel(
            entry=entry, user=request.user, reason=reason
        ),
        done=_("%(number)s cancelled; its money was reversed."),
    )


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def category_list(request):
    """The categories, and a form to add one."""
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form_saved(
        request,
        form,
        lambda data: cashbook.category_save(
            category=None, data=data, user=request.user
        ),
        _saved,
    ):
        return redirect("finance:category_list")
    return render(
        request,
        "finance/category_list.html",
        {
            "categories": CashCategory.objects.order_by("direction", "name"),
            "form": form,
        },
    )


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def category_update(request, pk):
    category = get_object_or_404(CashCategory, pk=pk)
    initial = {name: getattr(category, name) for name in cashbook.CATEGORY_FIELDS}
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form_saved(
        request,
        form,
        lambda data: cashbook.category_save(
            category=category, data=data, user=request.user
        ),
        _saved,
    ):
        return redirect("finance:category_list")
    return render(
        request,
        "finance/simple_form.html",
        {
            "form": form,
            "title": _("Edit the category"),
            "cancel_url": reverse("finance:category_list"),
            "form_id": "category-form",
        },
    )


# --- statements -----------------------------------------------------------------------


def _statement(request, partner, *, customers: bool, printed: bool = False):
    form = StatementForm(request.GET or None, customers=customers)
    start, end = form.period()
    key = "customer_id" if customers else "supplier_id"
    ledger = statements.ledger(start=start, end=end, **{key: partner.pk})
    if _wants_excel(request):
        return exports.statement(partner, ledger, customers=customers)
    name = "customer" if customers else "supplier"
    context = {
        "partner": partner,
        "customers": customers,
        "form": form,
        "ledger": ledger,
        "query": request.GET.urlencode(),
        "account_url": reverse(f"finance:{name}_account", args=[partner.pk]),
        "print_url": reverse(f"finance:{name}_statement_print", args=[partner.pk]),
        "page_url": reverse(f"finance:{name}_statement", args=[partner.pk]),
    }
    if printed:
        context["lines"] = statements.all_lines(ledger)
        context["shop"] = ShopProfile.objects.first()
        return render(request, "finance/statement_print.html", context)
    page = paginate(request, ledger.entries, 100)
    context["page_obj"] = page
    context["lines"] = statements.running(ledger, page.object_list)
    return render(request, "finance/statement.html", context)


@permission_required(RECEIVABLES, raise_exception=True)
@require_GET
def customer_statement(request, pk):
    return _statement(request, get_object_or_404(Customer, pk=pk), customers=True)


@permission_required(RECEIVABLES, raise_exception=True)
@require_GET
def customer_statement_print(request, pk):
    return _statement(
        request, get_object_or_404(Customer, pk=pk), customers=True, printed=True
    )


@permission_required(PAYABLES, raise_exception=True)
@require_GET
def supplier_statement(request, pk):
    return _statement(request, get_object_or_404(Supplier, pk=pk), customers=False)


@permission_required(PAYABLES, raise_exception=True)
@require_GET
def supplier_statement_print(request, pk):
    return _statement(
        request, get_object_or_404(Supplier, pk=pk), customers=False, printed=True
    )


# --- aging ----------------------------------------------------------------------------


def _aging(request, *, customers: bool):
    report = statements.aging(customers=customers)
    if _wants_excel(request):
        return exports.aging(report, customers=customers)
    return render(
        request,
        "finance/aging.html",
        {
            "report": report,
            "customers": customers,
            "buckets": [label for label, _low, _high in statements.BUCKETS],
            "title": _("Receivables by age") if customers else _("Payables by age"),
        },
    )


@permission_required(RECEIVABLES, raise_exception=True)
@require_GET
def receivables_aging(request):
    return _aging(request, customers=True)


@permission_required(PAYABLES, raise_exception=True)
@require_GET
def payables_aging(request):
    return _aging(request, customers=False)


# --- profit ---------------------------------------------------------------------------


@permission_required(PROFIT, raise_exception=True)
@require_GET
def profit(request):
    form = YearForm(request.GET or None)
    first, last = form.months()
    months = statements.profit(first=first, last=last)
    totals = statements.profit_totals(months)
    if _wants_excel(request):
        return exports.profit(months, totals)
    return render(
        request,
        "finance/profit.html",
        {
            "form": form,
            "months": months,
            "totals": totals,
            "chart": [(month.label[2:], month.net) for month in months],
            "gross_chart": [(month.label[2:], month.gross) for month in months],
        },
    )

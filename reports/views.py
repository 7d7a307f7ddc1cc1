"""The owner's reports and the dashboard. Thin: a form, a selector, a template."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import Product
from inventory import months
from inventory.models import ClosedMonth
from jxc.excel import xlsx_response
from jxc.views import refuse
from reports import exports, selectors, services
from reports.forms import SummaryForm

VIEW_COST = "accounts.view_cost"


@require_GET
def home(request):
    """The dashboard: today, this month, the 30-day trend and the best sellers."""
    return render(request, "reports/home.html", {"data": selectors.dashboard()})


def _summary(request):
    form = SummaryForm(request.GET or None)
    if not form.is_valid() and request.GET:
        return form, None, None
    if not request.GET:
        form = SummaryForm({})
        form.is_valid()
    start, end = form.period()
    data = form.cleaned_data
    rows, totals = selectors.summary(
        start=start,
        end=end,
        warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
        category_id=data["category"].pk if data.get("category") else None,
    )
    return form, rows, totals


@permission_required(VIEW_COST, raise_exception=True)
@require_GET
def summary(request):
    form, rows, totals = _summary(request)
    return render(
        request, "reports/summary.html", {"form": form, "rows": rows, "totals": totals}
    )


@permission_required(VIEW_COST, raise_exception=True)
@require_GET
def summary_export(request):
    form, rows, totals = _summary(request)
    if rows is None:
        return redirect("reports:summary")
    start, end = form.period()
    sheet = exports.summary_sheet(rows, totals, start=start, end=end)
    return xlsx_response(
        [sheet],
        _("Stock summary %(period)s") % {"period": exports.period_name(start, end)},
        dated=False,
    )


@permission_required(VIEW_COST, raise_exception=True)
@require_http_methods(["GET", "POST"])
def month_close(request):
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reopen":
                month = months.month_reopen(user=request.user)
                messages.success(
                    request, _("%(month)s is open again.") % {"month": f"{month:%Y-%m}"}
                )
            else:
                month = datetime.strptime(request.POST.get("month", ""), "%Y-%m").date()
                months.month_close(month=month, user=request.user)
                messages.success(
                    request, _("%(month)s is closed.") % {"month": f"{month:%Y-%m}"}
                )
        except ValueError:
            messages.error(request, _("Choose a month."))
        except ValidationError as error:
            refuse(request, error)
        return redirect("reports:month_close")
    latest = months.latest_closed()
    suggestion = (
        months.next_month(latest)
        if latest
        else (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    )
    return render(
        request,
        "reports/month_close.html",
        {
            "closed": ClosedMonth.objects.select_related("closed_by")[:24],
            "next_month": suggestion,
        },
    )


@permission_required("inventory.view_stocklevel", raise_exception=True)
@require_GET
def reorder(request):
    days = request.GET.get("days", "28")
    days = int(days) if days.isdigit() and 1 <= int(days) <= 365 else 28
    return render(
        request,
        "reports/reorder.html",
        {
            "suggestions": selectors.reorder_suggestions(days=days),
            "days": days,
        },
    )


@permission_required("purchasing.add_purchaseorder", raise_exception=True)
@require_POST
def reorder_orders(request):
    chosen = {}
    products = Product.objects.in_bulk(
        [
            int(pk)
            for pk in request.POST.getlist("product")
            if pk.isdigit() and len(pk) < 12
        ]
    )
    for pk, product in products.items():
        try:
            quantity = Decimal(request.POST.get(f"quantity_{pk}", ""))
        except InvalidOperation:
            continue
        if quantity > 0:
            chosen[product] = quantity
    try:
        orders = services.reorder_draft_orders(quantities=chosen, user=request.user)
    except ValidationError as error:
        refuse(request, error)
        return redirect("reports:reorder")
    messages.success(
        request,
        _("Draft purchase orders made: %(numbers)s.")
        % {"numbers": "、".join(o.number for o in orders)},
    )
    return redirect("purchasing:order_list")

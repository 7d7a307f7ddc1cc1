"""The owner's reports and the dashboard. Thin: a form, a selector, a template."""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import Product
from catalog.shops import sees_all_shops
from firstrun import selectors as firstrun_selectors
from inventory import months
from inventory import selectors as inventory_selectors
from inventory.models import ClosedMonth
from jxc.excel import xlsx_response
from jxc.formatting import qty
from jxc.views import paginate, record_id, refuse
from reports import exports, forms, selectors, services
from reports.forms import (
    ReorderOrdersForm,
    ShopFilterForm,
    SummaryForm,
    chosen_shop_id,
)

VIEW_COST = "accounts.view_cost"


@require_GET
def home(request):
    """The dashboard: today, this month, the 30-day trend and the best sellers."""
    return render(
        request,
        "reports/home.html",
        {
            "data": selectors.dashboard(),
            "setup_steps": firstrun_selectors.checklist(request.user),
        },
    )


def _summary(request, window=None):
    # Opens on the last month not yet closed: the one the owner checks and closes.
    default = selectors.summary_default_month(timezone.localdate())
    form = SummaryForm(forms.period_data(request.GET, default))
    if not form.is_valid():
        return form, None, None
    start, end = form.period()
    data = form.cleaned_data
    rows, totals = selectors.summary(
        start=start,
        end=end,
        warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
        category_id=data["category"].pk if data.get("category") else None,
        window=window,
        shop_id=chosen_shop_id(form, request.user),
    )
    return form, rows, totals


SUMMARY_PAGE = 200


class _Window:
    """A page of rows SQL already cut out, as Paginator's object list: the count
    is the whole summary's, slicing reads the page fetched."""

    def __init__(self, rows, offset: int):
        self.rows, self.offset = rows, offset

    def count(self) -> int:
        return self.rows.count_all

    def __getitem__(self, part: slice):
        return self.rows[part.start - self.offset : part.stop - self.offset]


def _page_number(request) -> int:
    try:
        # Past the end shows the last page; far past it must still fit an OFFSET.
        return min(max(1, int(request.GET.get("page", 1))), 10**9)
    except ValueError:
        return 1


@permission_required(VIEW_COST, raise_exception=True)
@require_GET
def summary(request):
    # A chain has thousands of rows: the page shows them 200 at a time, and only
    # those are fetched (the totals and the Excel export cover them all).
    number = _page_number(request)
    form, rows, totals = _summary(
        request, window=((number - 1) * SUMMARY_PAGE, SUMMARY_PAGE)
    )
    page = None
    if rows is not None:
        last = max(1, math.ceil(rows.count_all / SUMMARY_PAGE))
        if number > last:  # a page past the end shows the last, as lists do
            number = last
            form, rows, totals = _summary(
                request, window=((number - 1) * SUMMARY_PAGE, SUMMARY_PAGE)
            )
        window = _Window(rows, (number - 1) * SUMMARY_PAGE)
        page = Paginator(window, SUMMARY_PAGE).page(number)
    return render(
        request,
        "reports/summary.html",
        {
            "form": form,
            "rows": page.object_list if page else None,
            "page_obj": page,
            "totals": totals,
            "card": _card(form) if rows is not None else None,
        },
    )


def _card(form) -> tuple[str, str]:
    """The stock cards' path and filters for the summary's period (and warehouse):
    "/inventory/card/" + id + "/?" + query."""
    data = form.cleaned_data
    query = {"start": f"{data['start']:%Y-%m-%d}", "end": f"{data['end']:%Y-%m-%d}"}
    if data.get("warehouse"):
        query["warehouse"] = data["warehouse"].pk
    base = reverse("inventory:stock_card", args=[0]).removesuffix("0/")
    return base, urlencode(query)


@permission_required(VIEW_COST, raise_exception=True)
@require_GET
def summary_export(request):
    form, rows, totals = _summary(request)
    if rows is None:
        return redirect("reports:summary")
    start, end = form.period()
    sheet = exports.summary_sheet(rows, totals)
    return xlsx_response(
        [sheet],
        _("Stock summary %(period)s") % {"period": exports.period_name(start, end)},
        dated=False,
        period=exports.period_title(start, end),
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


def _days(request, *, default: int, most: int) -> int:
    """A number of days from the query string; anything else (0, "²", 10^30,
    "abc") gives the default."""
    days = record_id(request.GET.get("days", ""))
    return days if days and days <= most else default


@permission_required("inventory.view_stocklevel", raise_exception=True)
@require_GET
def reorder(request):
    days = _days(request, default=28, most=365)
    shop_form = ShopFilterForm(request.GET)
    suggestions = selectors.reorder_suggestions(
        days=days, shop_id=chosen_shop_id(shop_form, request.user)
    )
    if request.GET.get("format") == "xlsx":
        table = selectors.Table(
            title=_("Reorder suggestions"),
            columns=[
                ("sku", _("SKU"), "text"),
                ("name", _("Product"), "text"),
                ("on_hand", _("On hand"), "quantity"),
                ("reserved", _("Reserved"), "quantity"),
                ("on_order", _("On order"), "quantity"),
                ("backorder", _("Backorders"), "quantity"),
                ("waiting", _("Waiting orders"), "text"),
                ("projected", _("Projected"), "quantity"),
                ("safety", _("Safety stock"), "quantity"),
                ("daily", _("Daily sales"), "quantity"),
                ("quantity", _("Order quantity"), "quantity"),
            ],
            rows=[
                {
                    "sku": s.product.sku,
                    "name": s.product.name,
                    "on_hand": s.on_hand,
                    "reserved": s.reserved,
                    "on_order": s.on_order,
                    "backorder": s.backorder,
                    "waiting": ", ".join(
                        f"{w.number} {qty(w.quantity)}" for w in s.waiting
                    ),
                    "projected": s.projected,
                    "safety": s.product.safety_stock,
                    "daily": s.daily,
                    "quantity": s.quantity,
                }
                for s in suggestions
            ],
        )
        return xlsx_response([exports.table_sheet(table)], str(table.title))
    return render(
        request,
        "reports/reorder.html",
        {
            "suggestions": suggestions,
            "days": days,
            "submission": uuid.uuid4(),
            "shop_form": shop_form if sees_all_shops(request.user) else None,
        },
    )


@permission_required("purchasing.add_purchaseorder", raise_exception=True)
@require_POST
def reorder_orders(request):
    token = ReorderOrdersForm(request.POST)
    products = Product.objects.in_bulk(
        [pk for pk in map(record_id, request.POST.getlist("product")) if pk]
    )
    form = forms.ReorderQuantitiesForm(request.POST, lines=list(products.values()))
    form.is_valid()
    problems = [
        _("%(field)s: %(problem)s")
        % {"field": form.fields[name].label, "problem": text}
        for name, errors in form.errors.items()
        for text in errors
    ]
    if not token.is_valid():
        problems += token.non_field_errors()
    # An empty or zero quantity leaves the row out.
    chosen = {products[pk]: quantity for pk, quantity in form.quantities().items()}
    try:
        if problems:
            raise ValidationError(problems)
        orders = services.reorder_draft_orders(
            quantities=chosen,
            user=request.user,
            submission=token.cleaned_data["submission"],
        )
    except ValidationError as error:
        refuse(request, error)
        return redirect("reports:reorder")
    messages.success(
        request,
        _("Draft purchase orders made: %(numbers)s.")
        % {"numbers": "、".join(o.number for o in orders)},
    )
    return redirect("purchasing:order_list")


# --- analyses: one table each, on screen and in Excel ---------------------------------

FLAGS = {
    "slow": gettext_lazy("Slow: capital tied up"),
    "fast": gettext_lazy("Fast: risk of running out"),
    "swing": gettext_lazy("Prices swing"),
}


def _period_form(request, default: tuple[date, date]):
    """The period of an analysis: the query's, else the report's ``default``
    (first and last day); a period that does not parse gives the default."""
    form = SummaryForm(forms.period_data(request.GET, default))
    if not form.is_valid():
        form = SummaryForm(forms.period_data({}, default))
        form.is_valid()
    return form


TABLE_PAGE = 100


def _render_table(
    request,
    form,
    table,
    *,
    choices=(),
    by="",
    extra=None,
    chart=None,
    excel_chart=None,
):
    """The table page, or its Excel file (?format=xlsx). ``chart``: (label, value)
    columns of the page's chart, the top 10; ``excel_chart``: the file's, the top
    15 by a value in money."""
    order = request.GET.get("o", "")
    key = order.lstrip("-")
    if key in {column[0] for column in table.columns}:
        # Sorting the rows a report already aggregated (a page of figures, not the
        # ledger); missing values go last either way.
        present = [row for row in table.rows if row.get(key) is not None]
        missing = [row for row in table.rows if row.get(key) is None]
        present.sort(key=lambda row: row[key], reverse=order.startswith("-"))
        table.rows = present + missing
    if request.GET.get("format") == "xlsx":
        start, end = form.period()
        sheet = exports.table_sheet(table, chart=excel_chart)
        return xlsx_response(
            [sheet],
            f"{table.title}_{exports.period_name(start, end)}",
            dated=False,
            period=exports.period_title(start, end),
        )
    points = []
    if chart:
        name, value = chart
        ranked = sorted(
            (r for r in table.rows if r.get(value) is not None),
            key=lambda r: r[value],
            reverse=True,
        )[:10]
        points = [(r[name], r[value]) for r in ranked]
    # Sorted, charted and exported whole; shown a page at a time (turnover has a
    # row per product: 10,000 rows were 2.6 MB of HTML).
    page = paginate(request, table.rows, size=TABLE_PAGE)
    return render(
        request,
        "reports/table.html",
        {
            "form": form,
            "table": table,
            "rows": page.object_list,
            "page_obj": page,
            "choices": choices,
            "by": by,
            "chart_points": points,
            **(extra or {}),
        },
    )


def _flagged(rows):
    for row in rows:
        row["flag_label"] = FLAGS.get(row.get("flag"), "")
    return rows


@permission_required(VIEW_COST, raise_exception=True)
@require_GET
def turnover(request):
    form = _period_form(request, forms.last_days(90))
    by = (
        request.GET.get("by")
        if request.GET.get("by") in {"product", "category"}
        else "product"
    )
    start, end = form.period()
    table = selectors.Table(
        title=_("Inventory turnover"),
        columns=[
            ("name", _("Product") if by == "product" else _("Category"), "text"),
            ("cogs", _("Cost of goods sold"), "money"),
            ("opening", _("Opening value"), "money"),
            ("closing", _("Closing value"), "money"),
            ("average", _("Average inventory"), "money"),
            ("turnover", _("Turnover"), "number"),
            ("days", _("Days of inventory"), "number"),
            ("flag_label", _("Note"), "text"),
        ],
        rows=_flagged(
            selectors.turnover(
                start=start,
                end=end,
                by=by,
                shop_id=chosen_shop_id(form, request.user),
            )
        ),
        notes=_(
            "Cost of goods sold = shipments − sales returns, at cost. Average "
            "inventory = (opening value + closing value) ÷ 2. Turnover = cost of "
            "goods sold ÷ average inventory. Days of inventory = days in the period "
            "÷ turnover. Over 90 days: slow; under lead time + 7 days: fast."
        ),
    )
    return _render_table(
        request,
        form,
        table,
        by=by,
        chart=("name", "turnover"),
        excel_chart=("name", "average"),
        choices=[("product", _("Product")), ("category", _("Category"))],
        extra={"shop_filter": sees_all_shops(request.user)},
    )


@permission_required(VIEW_COST, raise_exception=True)
@require_GET
def shops(request):
    """The shops side by side over a period: net sales, stock value now, cost of
    goods sold, average inventory and turnover per shop."""
    form = _period_form(request, forms.last_days(30))
    start, end = form.period()
    table = selectors.Table(
        title=_("Shops side by side"),
        columns=[
            ("name", _("Shop"), "text"),
            ("sales", _("Net sales"), "money"),
            ("cogs", _("Cost of goods sold"), "money"),
            ("stock_value", _("Stock value now"), "money"),
            ("average", _("Average inventory"), "money"),
            ("turnover", _("Turnover"), "number"),
            ("days", _("Days of inventory"), "number"),
        ],
        rows=selectors.shops_side_by_side(start=start, end=end),
        notes=_(
            "Net sales = shipments − sales returns in the period. Turnover = cost "
            "of goods sold ÷ average inventory ((opening + closing value) ÷ 2) of "
            "the shop's warehouses."
        ),
    )
    return _render_table(
        request, form, table, chart=("name", "sales"), excel_chart=("name", "sales")
    )


@permission_required(VIEW_COST, raise_exception=True)
@require_GET
def sales_analysis(request):
    form = _period_form(request, forms.this_month())
    by = (
        request.GET.get("by")
        if request.GET.get("by") in {"product", "style", "category", "customer"}
        else "product"
    )
    start, end = form.period()
    shop_id = chosen_shop_id(form, request.user)
    name = {
        "product": ("product__name", _("Product")),
        "category": ("product__category__name", _("Category")),
        "customer": ("shipment__customer__name", _("Customer")),
        "style": ("style_name", _("Style")),
    }[by]
    table = selectors.Table(
        title=_("Sales analysis"),
        columns=[
            (name[0], name[1], "text"),
            ("quantity", _("Quantity"), "quantity"),
            ("amount", _("Sales"), "money"),
            ("cost", _("Cost of goods"), "money"),
            ("profit", _("Gross profit"), "money"),
            ("share", _("Share"), "percent"),
            ("abc", _("ABC class"), "text"),
        ],
        rows=selectors.sales_ranking(start=start, end=end, by=by, shop_id=shop_id),
        notes=_(
            "Net of returns. ABC: A brings the first 80 % of sales, B the next 15 %, "
            "C the rest."
        )
        + (
            " "
            + _(
                "By style: the sizes and colours of a style are summed into its "
                "row; a product without a style has a row of its own."
            )
            if by == "style"
            else ""
        ),
    )
    return _render_table(
        request,
        form,
        table,
        by=by,
        chart=(name[0], "amount"),
        excel_chart=(name[0], "amount"),
        extra={
            "comparison": selectors.period_comparison(
                start=start, end=end, shop_id=shop_id
            ),
            "takings": selectors.counter_takings(start=start, end=end, shop_id=shop_id),
            "shop_filter": sees_all_shops(request.user),
        },
        choices=[
            ("product", _("Product")),
            ("style", _("Style")),
            ("category", _("Category")),
            ("customer", _("Customer")),
        ],
    )


@permission_required(VIEW_COST, raise_exception=True)
@require_GET
def price_analysis(request):
    form = _period_form(request, forms.last_twelve_months())
    start, end = form.period()
    table = selectors.Table(
        title=_("Supplier prices"),
        columns=[
            ("product__name", _("Product"), "text"),
            ("receipt__supplier__name", _("Supplier"), "text"),
            ("n", _("Purchases"), "number"),
            ("low", _("Lowest"), "money"),
            ("high", _("Highest"), "money"),
            ("mean", _("Mean"), "money"),
            ("sigma", _("Standard deviation"), "money"),
            ("cv", _("Variation"), "percent"),
            ("last", _("Last price"), "money"),
            ("trend", _("Trend"), "money"),
            ("flag_label", _("Note"), "text"),
        ],
        rows=_flagged(selectors.price_volatility(start=start, end=end)),
        notes=_(
            "Variation = standard deviation ÷ mean. Over 10 %: this supplier's "
            "prices swing; compare suppliers. Trend = last price − first price."
        ),
    )
    return _render_table(request, form, table)


@permission_required(VIEW_COST, raise_exception=True)
@require_GET
def slow_movers(request):
    # Not sold since the period's start (the last 90 days unless asked, or the
    # last ?days=N), up to now: stock on hand is today's.
    days = _days(request, default=90, most=3650)
    form = _period_form(request, forms.last_days(days))
    form.cleaned_data["end"] = timezone.localdate()
    since = form.cleaned_data["start"]
    rows = [
        {
            "name": f"{p.sku} {p.name}",
            "on_hand": p.on_hand,
            "value": p.value,
            "last_sale": timezone.localtime(p.last_sale).date().isoformat()
            if p.last_sale
            else "",
        }
        for p in inventory_selectors.slow_movers(
            months.moment(since), shop_id=chosen_shop_id(form, request.user)
        )
    ]
    table = selectors.Table(
        title=_("Slow movers"),
        columns=[
            ("name", _("Product"), "text"),
            ("on_hand", _("On hand"), "quantity"),
            ("value", _("Stock value"), "money"),
            ("last_sale", _("Last sale"), "text"),
        ],
        rows=rows,
        notes=_("In stock and not sold since %(start)s, most capital first.")
        % {"start": f"{since:%Y-%m-%d}"},
    )
    return _render_table(
        request, form, table, extra={"shop_filter": sees_all_shops(request.user)}
    )

"""Inventory pages: stock overview, stock card, adjustments, transfers, stocktakes,
opening stock. Permissions first, then a form or selector, then a service."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import selectors as catalog_selectors
from catalog import shops
from catalog.models import Product, Style
from catalog.selectors import SeveralProductsMatch, package_units_of, product_by_code
from catalog.shops import document_or_404, documents_for, limit_warehouse_fields
from inventory import documents, exports, imports, selectors
from inventory.filters import StockFilter
from inventory.forms import (
    AdjustmentHeaderForm,
    AdjustmentLineFormSet,
    CostAdjustmentForm,
    CountScanForm,
    CountSheetForm,
    InventorySettingsForm,
    OpeningImportForm,
    StockCardFilterForm,
    StocktakeStartForm,
    StyleMatrixForm,
    TransferHeaderForm,
    TransferLineFormSet,
)
from inventory.models import (
    Adjustment,
    CostAdjustment,
    OpeningStock,
    Stocktake,
    Transfer,
)
from inventory.services import InsufficientStock
from jxc.documents import StaleDocument, by_submission, form_kept
from jxc.excel import xlsx_response
from jxc.formatting import plain, qty
from jxc.forms import ReasonForm
from jxc.import_flow import ImportSpec, import_view
from jxc.inputs import searchable
from jxc.lists import DocumentList, document_list
from jxc.models import DocumentStatus
from jxc.views import cancel_posted, record_id, refuse

VIEW_COST = "accounts.view_cost"


# --- stock overview and stock card ----------------------------------------------


def _overview(request):
    chosen = StockFilter(
        request.GET, queryset=selectors.stock_overview(), request=request
    ).form
    warehouse = chosen.cleaned_data.get("warehouse") if chosen.is_valid() else None
    warehouse_id = shops.one_or_all(request.user, warehouse.pk if warehouse else None)
    rows = selectors.stock_overview(warehouse_id).filter(
        Q(is_active=True) | ~Q(on_hand=0)
    )
    # By the case-blind SKU index (SKUs are unique without case): the first
    # page reads 50 products, not a sort of all of them.
    stock_filter = StockFilter(
        request.GET, queryset=rows.order_by(Lower("sku")), request=request
    )
    return stock_filter, warehouse_id


@permission_required("inventory.view_stocklevel", raise_exception=True)
@require_GET
def stock_overview(request):
    stock_filter, warehouse_id = _overview(request)
    totals = selectors.stock_overview_totals(stock_filter.qs)
    paginator = Paginator(stock_filter.qs, 50)
    paginator.count = totals["rows"]  # counted with the totals: no second scan
    page = paginator.get_page(request.GET.get("page"))
    levels = selectors.levels_by_product([p.pk for p in page], warehouse_id)
    packages = catalog_selectors.package_units_of([p.pk for p in page])
    for product in page:
        product.package = packages.get(product.pk)
    rows = [(product, levels.get(product.pk, [])) for product in page]
    return render(
        request,
        "inventory/stock_overview.html",
        {"filter": stock_filter, "page_obj": page, "rows": rows, "totals": totals},
    )


@permission_required("inventory.view_stocklevel", raise_exception=True)
@require_GET
def stock_overview_export(request):
    stock_filter, _warehouse_id = _overview(request)
    totals = selectors.stock_overview_totals(stock_filter.qs)
    sheet = exports.stock_overview_sheet(
        stock_filter.qs, totals, with_cost=request.user.has_perm(VIEW_COST)
    )
    return xlsx_response([sheet], _("Stock"))


def _card(request, product):
    form = limit_warehouse_fields(
        StockCardFilterForm(request.GET or None), request.user
    )
    warehouse_id = start = end = None
    if form.is_valid():
        warehouse = form.cleaned_data["warehouse"]
        warehouse_id = warehouse.pk if warehouse else None
        if form.cleaned_data["start"]:
            start = timezone.make_aware(
                datetime.combine(form.cleaned_data["start"], time())
            )
        if form.cleaned_data["end"]:
            end = timezone.make_aware(
                datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time())
            )
    warehouse_id = shops.one_or_all(request.user, warehouse_id)
    card = selectors.stock_card(
        product_id=product.pk, warehouse_id=warehouse_id, start=start, end=end
    )
    return form, card


@permission_required("inventory.view_stockmove", raise_exception=True)
@require_GET
def stock_card(request, product_id):
    product = get_object_or_404(
        Product.objects.select_related("category"), pk=product_id
    )
    form, card = _card(request, product)
    page = selectors.stock_card_page(card, request.GET.get("page"), size=100)
    return render(
        request,
        "inventory/stock_card.html",
        {"product": product, "form": form, "card": card, "page_obj": page},
    )


@permission_required("inventory.view_stockmove", raise_exception=True)
@require_GET
def stock_card_export(request, product_id):
    product = get_object_or_404(Product, pk=product_id)
    form, card = _card(request, product)
    sheet = exports.stock_card_sheet(
        product, card, with_cost=request.user.has_perm(VIEW_COST)
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period = " – ".join(
        f"{data[key]:%Y-%m-%d}" if data.get(key) else "…" for key in ("start", "end")
    )
    return xlsx_response(
        [sheet],
        _("Stock card %(sku)s %(name)s") % {"sku": product.sku, "name": product.name},
        period="" if period == "… – …" else period,
    )


@permission_required("inventory.view_stocklevel", raise_exception=True)
@require_GET
def product_stock(request, product_id):
    """The stock part of a product's page (loaded into catalog's product detail)."""
    product = get_object_or_404(Product, pk=product_id)
    product.package = catalog_selectors.package_units_of([product.pk]).get(product.pk)
    levels, moves = selectors.product_levels(product.pk), None
    mine = shops.restricted_warehouse_ids(request.user)
    if mine is not None:  # a clerk of a chain: their shops' warehouses only
        levels = levels.filter(warehouse_id__in=mine)
        moves = selectors.recent_moves(product.pk, warehouse_ids=mine)
    return render(
        request,
        "inventory/product_stock.html",
        {
            "product": product,
            "levels": levels,
            "moves": moves if moves is not None else selectors.recent_moves(product.pk),
        },
    )


@permission_required("inventory.view_stocklevel", raise_exception=True)
@require_GET
def style_stock(request, pk):
    """A style's stock as a grid (colours down, sizes across), in one warehouse or
    all: on hand and available per variant."""
    style = get_object_or_404(Style, pk=pk)
    warehouses = list(shops.warehouses_for(request.user).filter(is_active=True))
    warehouse_id = record_id(request.GET.get("warehouse", ""))
    warehouse = next((w for w in warehouses if w.pk == warehouse_id), None)
    shown = shops.one_or_all(request.user, warehouse.pk if warehouse else None)
    grid = selectors.style_stock(style, shown)
    return render(
        request,
        "inventory/style_stock.html",
        {
            "style": style,
            "grid": grid,
            "warehouses": warehouses,
            "warehouse": warehouse,
        },
    )


# --- matrix entry: a style's grid of quantities --------------------------------------


def _matrix(request, data, *, style, stocktake=None):
    """The grid fragment of ``style`` (its cells bound to ``data`` when posted):
    available stock per cell on a document (none on a count sheet)."""
    warehouse_id = record_id(data.get("warehouse", "")) if stocktake is None else None
    show_stock = stocktake is None and request.user.has_perm(
        "inventory.view_stocklevel"
    )
    grid = selectors.style_stock(style, warehouse_id)
    form = StyleMatrixForm(data if request.method == "POST" else None, grid=grid)
    return form, {
        "style": style,
        "form": form,
        "warehouse_id": warehouse_id or "",
        "show_stock": show_stock,
        "post_url": reverse("inventory:stocktake_matrix", args=[stocktake.pk])
        if stocktake
        else reverse("inventory:style_matrix"),
    }


def _matrix_style(text: str):
    """(style, message): the style a typed text names, or why there is none."""
    try:
        style = catalog_selectors.style_by_code(text)
    except ValidationError as error:
        return None, " ".join(error.messages)
    if style is None:
        return None, _("No style has the code or name “%(text)s”.") % {
            "text": text[:60]
        }
    return style, ""


def _line_style(text: str):
    """The style whose code was typed on a line, when no product has that code."""
    if not text or not searchable(text):
        return None
    try:
        if product_by_code(text) is not None:
            return None
    except SeveralProductsMatch:
        return None
    return Style.objects.filter(code__iexact=text).first()


@permission_required("catalog.view_product", raise_exception=True)
@require_http_methods(["GET", "POST"])
def style_matrix(request):
    """Matrix entry on a document's lines. GET ``style`` (code or name): the
    style's grid; with ``line=1`` (a code typed on a line) nothing (204) unless the
    code is a style's and no product's. POST: the lines the filled cells make
    (the page adds them, merging with its lines), or the grid with its messages.
    Nothing is saved here."""
    if request.method == "GET":
        text = request.GET.get("style", "").strip()[:80]
        stocktake = None
        if "stocktake" in request.GET:
            if not request.user.has_perm("inventory.change_stocktakeline"):
                raise PermissionDenied
            stocktake = get_object_or_404(
                Stocktake, pk=record_id(request.GET["stocktake"])
            )
        if request.GET.get("line"):
            style = _line_style(text)
            if style is None:
                return HttpResponse(status=204)
            message = ""
        else:
            style, message = _matrix_style(text) if text else (None, "")
        if style is None:
            return render(
                request,
                "inventory/style_matrix.html",
                {"message": message or _("Type a style code or name.")},
            )
        _form, context = _matrix(request, request.GET, style=style, stocktake=stocktake)
        return render(request, "inventory/style_matrix.html", context)
    style = get_object_or_404(Style, pk=record_id(request.POST.get("style", "")))
    form, context = _matrix(request, request.POST, style=style)
    if form.is_valid():
        lines = [
            {"code": product.sku, "quantity": plain(quantity), "name": product.name}
            for product, quantity in form.quantities().items()
        ]
        return render(
            request,
            "inventory/style_matrix.html",
            {
                "lines": lines,
                "done": ngettext(
                    "%(count)d line added from %(style)s.",
                    "%(count)d lines added from %(style)s.",
                    len(lines),
                )
                % {"count": len(lines), "style": style},
            },
        )
    return render(request, "inventory/style_matrix.html", context)


@permission_required("inventory.change_stocktakeline", raise_exception=True)
@require_POST
def stocktake_matrix(request, pk):
    """Count a style on the sheet from its grid: each filled cell is added to
    that variant's count, as scans add. To htmx: the fragment (the new counts, or
    the grid with its messages); a plain post comes back to the sheet with a
    message."""
    stocktake = _stocktake(request, pk)
    style = get_object_or_404(Style, pk=record_id(request.POST.get("style", "")))
    form, context = _matrix(request, request.POST, style=style, stocktake=stocktake)
    done = None
    if form.is_valid():
        quantities = form.quantities()
        try:
            stocktake, lines = documents.stocktake_counts_add(
                stocktake=stocktake,
                quantities={p.pk: q for p, q in quantities.items()},
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = ngettext(
                "%(count)d count added from %(style)s.",
                "%(count)d counts added from %(style)s.",
                len(quantities),
            ) % {"count": len(quantities), "style": style}
    if not request.htmx:
        if done:
            messages.success(request, done)
        else:
            messages.error(request, _matrix_errors(form))
        return redirect("inventory:stocktake_detail", pk=pk)
    if done:
        context = {
            "done": done,
            "counts": {
                "version": stocktake.version,
                "lines": {line.pk: plain(line.counted_quantity) for line in lines},
            },
        }
    return render(request, "inventory/style_matrix.html", context)


def _matrix_errors(form) -> str:
    return " ".join(
        f"{form.fields[name].label}: {message}" if name in form.fields else message
        for name, errors in form.errors.items()
        for message in errors
    )


# --- adjustments and transfers -----------------------------------------------------

DOCUMENTS = {
    "adjustment": Adjustment,
    "costadjustment": CostAdjustment,
    "transfer": Transfer,
    "stocktake": Stocktake,
    "openingstock": OpeningStock,
}


def _list(model, create_url: str, create_label, empty_label) -> DocumentList:
    kind = model._meta.model_name
    return DocumentList(
        permission=f"inventory.view_{kind}",
        title=model._meta.verbose_name_plural,
        rows=lambda: model.objects.select_related("created_by").all(),
        scope=documents_for,
        create_url=f"inventory:{create_url}",
        create_label=create_label,
        create_permission=f"inventory.add_{kind}",
        empty_label=empty_label,
    )


LISTS = {
    "adjustment": _list(
        Adjustment,
        "adjustment_create",
        gettext_lazy("New adjustment"),
        gettext_lazy("No adjustments yet."),
    ),
    "costadjustment": _list(
        CostAdjustment,
        "costadjustment_create",
        gettext_lazy("New cost correction"),
        gettext_lazy("No cost corrections yet."),
    ),
    "transfer": _list(
        Transfer,
        "transfer_create",
        gettext_lazy("New transfer"),
        gettext_lazy("No transfers yet."),
    ),
    "stocktake": _list(
        Stocktake,
        "stocktake_start",
        gettext_lazy("Start a stocktake"),
        gettext_lazy("No stocktakes yet."),
    ),
    "openingstock": _list(
        OpeningStock,
        "opening_import",
        gettext_lazy("Import opening stock"),
        gettext_lazy("No opening stock yet."),
    ),
}


@permission_required("inventory.view_adjustment", raise_exception=True)
@require_GET
def adjustment_list(request):
    return document_list(request, LISTS["adjustment"])


@permission_required("inventory.view_costadjustment", raise_exception=True)
@require_GET
def costadjustment_list(request):
    return document_list(request, LISTS["costadjustment"])


@permission_required("inventory.add_costadjustment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def costadjustment_create(request):
    # Opened from a stock card: that product (and warehouse) filled in.
    initial = {
        key: request.GET[key]
        for key in ("product", "warehouse")
        if request.GET.get(key) and searchable(request.GET[key])
    }
    form = limit_warehouse_fields(
        CostAdjustmentForm(request.POST or None, initial=initial), request.user
    )
    # What the product costs now, per warehouse, before the owner sets a new cost.
    try:
        product = product_by_code(initial.get("product", ""))
    except SeveralProductsMatch:
        product = None
    levels = selectors.product_levels(product.pk) if product else []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = documents.cost_adjustment_post(
                submission=data["submission"],
                warehouse=data["warehouse"],
                product=data["product"],
                new_unit_cost=data["new_unit_cost"],
                reason=data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            refuse(request, error)
        else:
            messages.success(
                request, _("%(number)s posted.") % {"number": document.number}
            )
            return redirect("inventory:costadjustment_detail", pk=document.pk)
    return render(
        request,
        "inventory/costadjustment_form.html",
        {"form": form, "product": product, "levels": levels},
    )


@permission_required("inventory.view_costadjustment", raise_exception=True)
@require_GET
def costadjustment_detail(request, pk):
    document = document_or_404(
        request.user,
        CostAdjustment.objects.select_related(
            "warehouse", "product", "created_by", "posted_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "inventory/costadjustment_detail.html",
        {
            # Not cancelled: a wrong correction is put right by another one.
            "document": document,
            "heading": _("Cost correction"),
            "list_url": reverse("inventory:costadjustment_list"),
            "can_cancel": False,
        },
    )


@permission_required("inventory.view_transfer", raise_exception=True)
@require_GET
def transfer_list(request):
    return document_list(request, LISTS["transfer"])


@permission_required("inventory.add_adjustment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def adjustment_create(request):
    header = limit_warehouse_fields(
        AdjustmentHeaderForm(request.POST or None), request.user
    )
    lines = AdjustmentLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        rows = [
            documents.AdjustmentInput(
                f.cleaned_data["product"],
                f.signed_quantity(),
                f.cleaned_data["reason"],
                f.cleaned_data["note"],
                unit=f.cleaned_data["unit"],
            )
            for f in lines.forms
            if f.cleaned_data.get("product")
        ]
        try:
            adjustment = documents.adjustment_post(
                submission=header.cleaned_data["submission"],
                warehouse=header.cleaned_data["warehouse"],
                lines=rows,
                note=header.cleaned_data["note"],
                user=request.user,
            )
        except (InsufficientStock, ValidationError) as error:
            refuse(request, error)
        else:
            messages.success(
                request, _("%(number)s posted.") % {"number": adjustment.number}
            )
            return redirect("inventory:adjustment_detail", pk=adjustment.pk)
    return render(
        request,
        "documents/lines_form.html",
        {
            "header": header,
            "lines": lines,
            "title": _("New adjustment"),
            "submit_label": _("Post adjustment"),
            "cancel_url": reverse("inventory:adjustment_list"),
        },
    )


@permission_required("inventory.add_transfer", raise_exception=True)
@require_http_methods(["GET", "POST"])
def transfer_create(request):
    header = limit_warehouse_fields(
        TransferHeaderForm(request.POST or None), request.user
    )
    lines = TransferLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        rows = [
            (
                f.cleaned_data["product"],
                f.cleaned_data["quantity"],
                f.cleaned_data["unit"],
            )
            for f in lines.forms
            if f.cleaned_data.get("product")
        ]
        try:
            transfer = documents.transfer_post(
                submission=header.cleaned_data["submission"],
                from_warehouse=header.cleaned_data["from_warehouse"],
                to_warehouse=header.cleaned_data["to_warehouse"],
                lines=rows,
                note=header.cleaned_data["note"],
                user=request.user,
            )
        except (InsufficientStock, ValidationError) as error:
            refuse(request, error)
        else:
            messages.success(
                request, _("%(number)s posted.") % {"number": transfer.number}
            )
            return redirect("inventory:transfer_detail", pk=transfer.pk)
    return render(
        request,
        "documents/lines_form.html",
        {
            "header": header,
            "lines": lines,
            "title": _("New transfer"),
            "submit_label": _("Post transfer"),
            "cancel_url": reverse("inventory:transfer_list"),
        },
    )


@permission_required("inventory.view_adjustment", raise_exception=True)
@require_GET
def adjustment_detail(request, pk):
    adjustment = document_or_404(
        request.user,
        Adjustment.objects.select_related(
            "warehouse", "created_by", "posted_by", "cancelled_by"
        ),
        pk=pk,
    )
    lines = adjustment.lines.select_related("product", "unit")
    return render(
        request,
        "inventory/adjustment_detail.html",
        _detail_context(request, adjustment, lines, _("Adjustment")),
    )


@permission_required("inventory.view_transfer", raise_exception=True)
@require_GET
def transfer_detail(request, pk):
    transfer = document_or_404(
        request.user,
        Transfer.objects.select_related(
            "from_warehouse", "to_warehouse", "created_by", "posted_by", "cancelled_by"
        ),
        pk=pk,
    )
    lines = transfer.lines.select_related("product", "unit")
    return render(
        request,
        "inventory/transfer_detail.html",
        _detail_context(request, transfer, lines, _("Transfer")),
    )


def _detail_context(request, document, lines, heading) -> dict:
    kind = document._meta.model_name
    return {
        "document": document,
        "lines": lines,
        "heading": heading,
        "list_url": reverse(f"inventory:{kind}_list"),
        "can_cancel": request.user.has_perm(f"inventory.change_{kind}"),
        "cancel_url": reverse(f"inventory:{kind}_cancel", args=[document.pk]),
    }


def document_cancel(request, kind, pk):
    model = DOCUMENTS[kind]
    # The permission first, as on every other page: a clerk is refused (403)
    # whatever the method, and only someone allowed learns that it wants a POST.
    if not request.user.has_perm(f"inventory.change_{kind}"):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    document = document_or_404(request.user, model, pk=pk)
    return cancel_posted(
        request,
        document,
        lambda reason: documents.document_cancel(
            document=document, user=request.user, reason=reason
        ),
        done=_("%(number)s cancelled; its stock moves were reversed."),
    )


# --- stocktake ------------------------------------------------------------------------


@permission_required("inventory.view_stocktake", raise_exception=True)
@require_GET
def stocktake_list(request):
    return document_list(request, LISTS["stocktake"])


@permission_required("inventory.add_stocktake", raise_exception=True)
@require_http_methods(["GET", "POST"])
def stocktake_start(request):
    form = limit_warehouse_fields(
        StocktakeStartForm(request.POST or None), request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            stocktake = documents.stocktake_start(
                submission=form.cleaned_data["submission"],
                warehouse=form.cleaned_data["warehouse"],
                categories=list(form.cleaned_data["categories"]),
                note=form.cleaned_data["note"],
                blind=form.cleaned_data["blind"],
                user=request.user,
            )
        except ValidationError as error:
            refuse(request, error)
        else:
            messages.success(
                request,
                _("Count sheet %(number)s is ready.") % {"number": stocktake.number},
            )
            return redirect("inventory:stocktake_detail", pk=stocktake.pk)
    return render(request, "inventory/stocktake_start.html", {"form": form})


def _stocktake(request, pk):
    return document_or_404(
        request.user,
        Stocktake.objects.select_related("warehouse", "created_by", "posted_by"),
        pk=pk,
    )


def _stocktake_lines(stocktake):
    return list(stocktake.lines.select_related("product", "product__category"))


def _hides_system_quantity(stocktake) -> bool:
    """A blind count hides the system quantity from everyone while counting."""
    return stocktake.blind and stocktake.status == DocumentStatus.COUNTING


@permission_required("inventory.view_stocktake", raise_exception=True)
@require_http_methods(["GET", "POST"])
def stocktake_detail(request, pk):
    """The count sheet: scan or enter counted quantities (staff may), save, review."""
    stocktake = _stocktake(request, pk)
    lines = _stocktake_lines(stocktake)
    counting = stocktake.status == DocumentStatus.COUNTING
    packages = package_units_of({line.product_id for line in lines})
    form = CountSheetForm(
        None, lines=lines, packages=packages, initial={"version": stocktake.version}
    )
    if request.method == "POST":
        if not request.user.has_perm("inventory.change_stocktakeline"):
            raise PermissionDenied
        form = CountSheetForm(request.POST, lines=lines, packages=packages)
        if form.is_valid():
            try:
                documents.stocktake_counts_save(
                    stocktake=stocktake,
                    counts=form.counts(),
                    version=form.cleaned_data["version"],
                    counted_at=form.cleaned_data["counted_at"],
                    user=request.user,
                )
            except StaleDocument as error:
                refuse(request, error)
                return redirect("inventory:stocktake_detail", pk=pk)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Counts saved."))
                if "review" in request.POST:
                    return redirect("inventory:stocktake_review", pk=pk)
                return redirect("inventory:stocktake_detail", pk=pk)
    return render(
        request,
        "inventory/stocktake_detail.html",
        {
            **_detail_context(request, stocktake, None, _("Stocktake")),
            "form": form,
            "scan_form": CountScanForm(),
            "counting": counting,
            "hide_system": _hides_system_quantity(stocktake),
        },
    )


@permission_required("inventory.change_stocktakeline", raise_exception=True)
@require_POST
def stocktake_scan(request, pk):
    """Count one line by barcode or SKU: +1 per scan, or set the typed quantity.

    The count screen's script posts here and shows the answer (JSON); without the
    script the form posts here too and comes back to the sheet with a message.
    """
    stocktake = _stocktake(request, pk)
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = CountScanForm(request.POST)
    error = None
    result = None
    if form.is_valid():
        try:
            code, typed = documents.scan_code_parse(form.cleaned_data["code"])
            quantity = form.cleaned_data["quantity"]
            result = documents.stocktake_count_scan(
                stocktake=stocktake,
                code=code,
                quantity=typed if quantity is None else quantity,
                user=request.user,
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
    else:
        error = " ".join(m for errors in form.errors.values() for m in errors)
    if result:
        line = result.line
        message = _("%(name)s: counted %(quantity)s %(unit)s") % {
            "name": line.product.name,
            "quantity": qty(line.counted_quantity),
            "unit": line.product.unit,
        }
    if wants_json:
        if error:
            return JsonResponse({"ok": False, "message": error}, status=400)
        return JsonResponse(
            {
                "ok": True,
                "message": message,
                "line": line.pk,
                # As a number input takes it: 4300, not "4,300".
                "counted": f"{line.counted_quantity.normalize():f}",
                "counted_at": timezone.localtime(line.counted_at).strftime(
                    "%m-%d %H:%M"
                ),
                "version": result.stocktake.version,
            }
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect("inventory:stocktake_detail", pk=pk)


@permission_required("inventory.view_stocktake", raise_exception=True)
@require_GET
def stocktake_print(request, pk):
    stocktake = _stocktake(request, pk)
    return render(
        request,
        "inventory/stocktake_print.html",
        {
            "document": stocktake,
            "lines": _stocktake_lines(stocktake),
            "hide_system": _hides_system_quantity(stocktake),
        },
    )


@permission_required("inventory.view_stocktake", raise_exception=True)
@require_GET
def stocktake_review(request, pk):
    stocktake = _stocktake(request, pk)
    if _hides_system_quantity(stocktake) and not request.user.has_perm(
        "inventory.add_stocktake"
    ):
        messages.info(
            request,
            _("This is a blind count: the owner reviews the differences."),
        )
        return redirect("inventory:stocktake_detail", pk=pk)
    rows = selectors.stocktake_review(stocktake)
    return render(
        request,
        "inventory/stocktake_review.html",
        {
            "document": stocktake,
            "rows": rows,
            "large": [r for r in rows if r.large],
            "settings": selectors.inventory_settings(),
            "total_value": sum(
                (r.difference_value for r in rows if r.counted is not None), start=0
            ),
        },
    )


def _line_ids(values) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 19]


@permission_required("inventory.add_stocktake", raise_exception=True)
@require_POST
def stocktake_post(request, pk):
    stocktake = _stocktake(request, pk)
    try:
        version = int(request.POST.get("version", ""))
        documents.stocktake_post(
            stocktake=stocktake,
            version=version,
            user=request.user,
            confirmed=_line_ids(request.POST.getlist("confirm")),
        )
    except ValueError:
        messages.error(request, _("The form was incomplete; open the review again."))
    except (InsufficientStock, ValidationError) as error:
        refuse(request, error)
        return redirect("inventory:stocktake_review", pk=pk)
    else:
        messages.success(
            request,
            _("%(number)s posted: the differences are in stock.")
            % {"number": stocktake.number},
        )
    return redirect("inventory:stocktake_detail", pk=pk)


@permission_required("inventory.add_stocktake", raise_exception=True)
@require_POST
def stocktake_abandon(request, pk):
    stocktake = _stocktake(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            documents.stocktake_abandon(
                stocktake=stocktake,
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            refuse(request, error)
        else:
            messages.success(
                request,
                _("%(number)s abandoned; no stock moved.")
                % {"number": stocktake.number},
            )
    else:
        messages.error(request, _("Say why the count is abandoned."))
    return redirect("inventory:stocktake_detail", pk=pk)


# --- opening stock --------------------------------------------------------------


@permission_required("inventory.view_openingstock", raise_exception=True)
@require_GET
def openingstock_list(request):
    return document_list(request, LISTS["openingstock"])


@permission_required("inventory.view_openingstock", raise_exception=True)
@require_GET
def openingstock_detail(request, pk):
    opening = document_or_404(
        request.user,
        OpeningStock.objects.select_related("created_by", "posted_by", "cancelled_by"),
        pk=pk,
    )
    lines = opening.lines.select_related("product", "warehouse", "unit")
    return render(
        request,
        "inventory/openingstock_detail.html",
        _detail_context(request, opening, lines, _("Opening stock")),
    )


@permission_required("inventory.add_openingstock", raise_exception=True)
@require_http_methods(["GET", "POST"])
def opening_import(request):
    """Upload → every problem at once, or a preview → 确认导入 (jxc/import_flow.py);
    the confirm posts once (its submission id)."""
    form = OpeningImportForm(request.POST or None, request.FILES or None)
    form.fields["file"].required = "token" not in request.POST  # a confirm: no file
    if request.method == "POST" and form.is_valid():
        submission = form.cleaned_data["submission"]
        if done := by_submission(OpeningStock, submission):
            return redirect("inventory:openingstock_detail", pk=done.pk)

    def save(*, rows, name, submission):
        opening = documents.opening_stock_post(
            submission=submission, lines=rows, note=name[:200], user=request.user
        )
        message = _("%(number)s posted: opening stock for %(count)d lines.") % {
            "number": opening.number,
            "count": len(rows),
        }
        return message, reverse("inventory:openingstock_detail", args=[opening.pk])

    spec = ImportSpec(
        "opening",
        imports.OPENING_COLUMNS,
        imports.opening_rows,
        selectors.opening_import_plan,
        save,
    )
    return import_view(request, spec, form, "inventory/opening_import.html", {})


@permission_required("inventory.add_openingstock", raise_exception=True)
@require_GET
def opening_template(request):
    return xlsx_response(
        [exports.opening_template_sheet()], _("Opening stock template"), titled=False
    )


# --- settings -------------------------------------------------------------------


@permission_required("inventory.change_inventorysettings", raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    """The owner's stock rules: staff back-dating, stocktake confirmation."""
    form = InventorySettingsForm(
        request.POST or None, instance=selectors.inventory_settings()
    )
    with form_kept(form):
        if request.method == "POST" and form.is_valid():
            documents.inventory_settings_save(
                staff_backdate_days=form.cleaned_data["staff_backdate_days"],
                stocktake_threshold_percent=form.cleaned_data[
                    "stocktake_threshold_percent"
                ],
                stocktake_threshold_amount=form.cleaned_data[
                    "stocktake_threshold_amount"
                ],
                user=request.user,
            )
            messages.success(request, _("Stock settings saved."))
            return redirect("inventory:settings")
    return render(request, "inventory/settings.html", {"form": form})

"""Purchasing pages. Permission first, then forms, then a service or selector."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import selectors as catalog_selectors
from catalog.fields import resolve
from catalog.models import Product, Supplier
from catalog.shops import document_or_404, documents_for
from inventory.services import InsufficientStock
from jxc import lists
from jxc.documents import StaleDocument, form_kept, posted_already, posted_by
from jxc.inputs import searchable
from jxc.lists import DocumentList
from jxc.models import DocumentStatus
from jxc.tabular import CellError, parse_decimal
from jxc.units import entry_of_base
from jxc.views import (
    OrderForm,
    Then,
    business_moment,
    cancel_view,
    order_form,
    plain,
    record_id,
    refuse,
)
from jxc.views import order_end as end_order
from purchasing import exports, filters, forms, selectors, services
from purchasing.models import (
    GoodsReceipt,
    OrderStatus,
    PurchaseOrder,
    PurchaseReturn,
)

CANCEL = "purchasing.cancel_posted"
EDIT_COST = "purchasing.edit_cost"


# --- lists --------------------------------------------------------------------------


def _list(kind, rows, filterset, title, create_label, create_url, **extra):
    return DocumentList(
        permission=f"purchasing.view_{PAGES[kind]}",
        title=title,
        rows=rows,
        scope=documents_for,
        template="documents/party_list.html",
        filterset=filterset,
        create_url=create_url,
        create_label=create_label,
        export_url=f"purchasing:{kind}_export",
        party="supplier",
        party_label=gettext_lazy("Supplier"),
        **extra,
    )


PAGES = {
    "order": "purchaseorder",
    "receipt": "goodsreceipt",
    "return": "purchasereturn",
}
LISTS = {
    "order": _list(
        "order",
        selectors.order_list,
        filters.OrderFilter,
        gettext_lazy("Purchase orders"),
        gettext_lazy("New purchase order"),
        "purchasing:order_create",
        date_field="order_date",
        settings_url="purchasing:settings",
        settings_permission="purchasing.change_purchasingsettings",
    ),
    "receipt": _list(
        "receipt",
        selectors.receipt_list,
        filters.ReceiptFilter,
        gettext_lazy("Goods receipts"),
        gettext_lazy("New receipt without order"),
        "purchasing:receipt_create",
    ),
    "return": _list(
        "return",
        selectors.return_list,
        filters.ReturnFilter,
        gettext_lazy("Purchase returns"),
        gettext_lazy("New return"),
        "purchasing:return_create",
        # A return leaves at the average cost: staff never see it.
        total_permission="accounts.view_cost",
    ),
}


def document_list(request, kind):
    return lists.document_list(request, LISTS[kind])


@require_GET
def document_export(request, kind):
    if kind == "order":
        # Orders add when they are expected.
        return lists.document_export(request, LISTS[kind], exports.order_sheet)
    return lists.document_export(request, LISTS[kind])


# --- purchase orders ---------------------------------------------------------------


PREFILL_LINES = 100
prefill_quantity = parse_decimal(3, Decimal("99999999"))


def _quantity(text: str) -> Decimal | None:
    try:
        return prefill_quantity(text)
    except CellError:
        return None


def _order_prefill(query) -> tuple[dict, list[dict]]:
    """A new order opened with its goods named (the shortage panel's "buy the
    missing goods"): ``supplier`` (an id) and ``product`` / ``quantity`` pairs;
    what does not name an active record or a positive quantity is left out (the
    clerk sees the form and saves it, or not)."""
    pairs = []
    for pk, text in zip(
        query.getlist("product")[:PREFILL_LINES],
        query.getlist("quantity"),
        strict=False,
    ):
        quantity = _quantity(text)
        if record_id(pk) is not None and quantity is not None and quantity > 0:
            pairs.append((record_id(pk), quantity))
    products = Product.objects.filter(is_active=True).in_bulk(
        [pk for pk, _quantity in pairs]
    )
    lines = [
        {"product": products[pk].sku, "quantity": plain(quantity)}
        for pk, quantity in pairs
        if pk in products
    ]
    header = {}
    supplier_id = record_id(query.get("supplier", ""))
    if supplier_id is not None:
        supplier = Supplier.objects.filter(pk=supplier_id, is_active=True).first()
        if supplier is not None:
            header["supplier"] = supplier
    return header, lines


def _save_then_place(request, order):
    """保存并下单: the draft just saved is placed; a refusal (a price the owner
    must approve first) leaves it a draft and says why."""
    try:
        services.purchase_order_confirm(order=order, user=request.user)
    except ValidationError as error:
        messages.warning(
            request, _("%(number)s saved as a draft.") % {"number": order.number}
        )
        refuse(request, error)
    else:
        messages.success(
            request, _("%(number)s is ordered.") % {"number": order.number}
        )
    return redirect("purchasing:order_detail", pk=order.pk)


ORDER_FORM = OrderForm(
    scope=documents_for,
    model=PurchaseOrder,
    header_form=forms.OrderHeaderForm,
    line_formset=forms.OrderLineFormSet,
    save=services.purchase_order_save,
    line_input=services.OrderLineInput,
    detail_url="purchasing:order_detail",
    list_url="purchasing:order_list",
    new_title=gettext_lazy("New purchase order"),
    context={
        "matrix_url": "inventory:style_matrix",
        "intro": gettext_lazy(
            "A price far from what was last paid (outside the owner's price "
            "band) is flagged and needs the owner's approval before the order "
            "is placed."
        ),
        "price_url": "purchasing:last_price",
        "enter_to_quantity": True,
    },
    then=(
        Then(
            "place",
            gettext_lazy("Save and place the order"),
            ("purchasing.change_purchaseorder",),
            _save_then_place,
        ),
    ),
    prefill=_order_prefill,
)


@permission_required("purchasing.add_purchaseorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_create(request):
    return order_form(request, ORDER_FORM)


@permission_required("purchasing.change_purchaseorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_edit(request, pk):
    return order_form(request, ORDER_FORM, pk=pk)


@permission_required("purchasing.view_purchaseorder", raise_exception=True)
@require_GET
def order_detail(request, pk):
    order = document_or_404(request.user, selectors.order_detail(pk))
    lines = list(selectors.order_lines(order).select_related("price_approved_by"))
    if order.status in (OrderStatus.DRAFT, OrderStatus.ORDERED, OrderStatus.PARTIAL):
        lines = selectors.order_prices_checked(lines)
    return render(
        request,
        "purchasing/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "waiting": [line for line in lines if line.price_waiting],
            "can_approve": request.user.has_perm(services.APPROVE_PRICE)
            and order.status
            in (OrderStatus.DRAFT, OrderStatus.ORDERED, OrderStatus.PARTIAL),
            "receipts": order.receipts.order_by("-occurred_at"),
            "open": order.status in (OrderStatus.ORDERED, OrderStatus.PARTIAL),
            "can_end": request.user.has_perm(CANCEL)
            or order.status == OrderStatus.DRAFT,
        },
    )


@permission_required("purchasing.view_purchaseorder", raise_exception=True)
@require_GET
def order_print(request, pk):
    order = document_or_404(request.user, selectors.order_detail(pk))
    return render(
        request,
        "purchasing/order_print.html",
        {"order": order, "lines": selectors.order_lines(order)},
    )


@permission_required("purchasing.change_purchaseorder", raise_exception=True)
@require_POST
def order_confirm(request, pk):
    order = document_or_404(request.user, PurchaseOrder, pk=pk)
    try:
        services.purchase_order_confirm(order=order, user=request.user)
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(
            request, _("%(number)s is ordered.") % {"number": order.number}
        )
    return redirect("purchasing:order_detail", pk=pk)


@permission_required(services.APPROVE_PRICE, raise_exception=True)
@require_POST
def order_prices_approve(request, pk):
    """The owner approves the flagged prices of an order as shown to him."""
    order = document_or_404(request.user, PurchaseOrder, pk=pk)
    version = record_id(request.POST.get("version", ""))
    try:
        services.purchase_order_prices_approve(
            order=order, user=request.user, version=version
        )
    except (StaleDocument, ValidationError) as error:
        refuse(request, error)
    else:
        messages.success(
            request,
            _("The prices of %(number)s are approved.") % {"number": order.number},
        )
    return redirect("purchasing:order_detail", pk=pk)


@permission_required("purchasing.change_purchaseorder", raise_exception=True)
@require_POST
def order_end(request, pk):
    order = document_or_404(request.user, PurchaseOrder, pk=pk)
    return end_order(
        request,
        order,
        lambda reason: services.purchase_order_end(
            order=order,
            user=request.user,
            reason=reason,
            may_end_placed=request.user.has_perm(CANCEL),
        ),
        detail_url="purchasing:order_detail",
    )


@require_GET
def last_price(request):
    """The default unit price for a line: last paid to the supplier, else reference.

    Only for those who enter purchase orders (a purchase price is no one else's
    business), and only for an active supplier and an active product."""
    if not (
        request.user.has_perm("purchasing.add_purchaseorder")
        or request.user.has_perm("purchasing.change_purchaseorder")
    ):
        raise PermissionDenied
    supplier_id, code = request.GET.get("supplier", ""), request.GET.get("product", "")
    try:
        found = catalog_selectors.sellable_in_unit(
            code[:64], request.GET.get("unit", "")[:20]
        )
    except catalog_selectors.SeveralProductsMatch:
        found = None
    product = found.product if found else None
    if "supplier_code" in request.GET:
        # What the supplier picker holds: a code, "code name", a name or pinyin.
        typed = request.GET["supplier_code"]
        matches = resolve(Supplier, typed) if searchable(typed) else []
        supplier_id = str(matches[0].pk) if len(matches) == 1 else ""
    if (
        product is None
        or not product.is_active
        or record_id(supplier_id) is None
        or not Supplier.objects.filter(
            pk=record_id(supplier_id), is_active=True
        ).exists()
    ):
        return JsonResponse({"price": None})
    prices = selectors.last_prices(
        supplier_id=int(supplier_id), product_ids=[product.pk]
    )
    # Per the line's unit: a 箱 of 24 at 24 × the price per 瓶.
    price = prices.get(product.pk, product.purchase_price) * found.factor
    answer = {"price": f"{price:.2f}", "name": product.name, "unit": found.unit_name}
    band = selectors.price_band(
        selectors.price_references([product.pk]).get(product.pk),
        selectors.purchasing_settings().price_band_factor,
    )
    if band is not None:
        low, high = band[0] * found.factor, band[1] * found.factor
        answer["low"], answer["high"] = f"{low:.2f}", f"{high:.2f}"
    return JsonResponse(answer)


# --- receipts ------------------------------------------------------------------------


@permission_required("purchasing.add_goodsreceipt", raise_exception=True)
@require_http_methods(["GET", "POST"])
def receipt_create(request):
    if request.method == "POST" and (
        done := posted_by(GoodsReceipt, request.POST.get("submission"))
    ):
        # A double click: the first click's receipt may have finished the order
        # meanwhile; the second lands on what the first posted, not on a refusal.
        messages.info(request, posted_already(done))
        return redirect("purchasing:receipt_detail", pk=done.pk)
    order = None
    if "order" in request.GET:
        order = document_or_404(
            request.user, PurchaseOrder, pk=record_id(request.GET["order"])
        )
        if order.status not in (OrderStatus.ORDERED, OrderStatus.PARTIAL):
            messages.error(
                request,
                _("%(number)s is %(status)s: nothing can be received against it.")
                % {"number": order.number, "status": order.get_status_display()},
            )
            return redirect("purchasing:order_detail", pk=order.pk)
    # Costs come from the order or the last price paid; only the owner changes them.
    with_cost = request.user.has_perm(EDIT_COST)
    header = forms.ReceiptHeaderForm(
        request.POST or None, order=order, user=request.user
    )
    formset_class = (
        forms.ReceiptLineFormSet if with_cost else forms.ReceiptLineNoCostFormSet
    )
    initial = None
    if order is not None and request.method != "POST":
        initial = [
            {
                "product": line.product.sku,
                # In the order line's unit (箱) when what is left divides.
                "quantity": plain(left.entered),
                "unit": left.unit_pk,
                "unit_cost": line.unit_price if left.unit_pk == line.unit_id else None,
            }
            for line in selectors.order_lines(order)
            if line.remaining > 0
            for left in [entry_of_base(line.remaining, line.unit_id, line.unit_factor)]
        ]
    lines = formset_class(request.POST or None, prefix="lines", initial=initial)
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        data = header.cleaned_data
        rows = [
            services.ReceiptLineInput(
                f["product"],
                f.get("quantity") or 0,
                f.get("rejected_quantity") or 0,
                f.get("reject_reason", ""),
                f.get("unit_cost") if with_cost else None,
                unit=f.get("unit"),
            )
            for f in lines.filled()
        ]
        try:
            receipt = services.receipt_post(
                order=order,
                supplier=data.get("supplier"),
                warehouse=data.get("warehouse"),
                lines=rows,
                occurred_at=business_moment(data["date"]),
                note=data["note"],
                user=request.user,
                submission=data["submission"],
                over_receipt_percent=selectors.purchasing_settings().over_receipt_percent,
                payments=header.payments() if "paid" in header.fields else [],
            )
        except (InsufficientStock, ValidationError) as error:
            refuse(request, error)
        else:
            messages.success(
                request,
                _("%(number)s posted: the goods are in stock.")
                % {"number": receipt.number},
            )
            return redirect("purchasing:receipt_detail", pk=receipt.pk)
    title = (
        _("Receive %(number)s") % {"number": order.number}
        if order
        else _("New receipt without order")
    )
    return render(
        request,
        "documents/lines_form.html",
        {
            "header": header,
            "lines": lines,
            "title": title,
            "submit_label": _("Post receipt"),
            "enter_to_quantity": True,
            "cancel_url": reverse("purchasing:order_detail", args=[order.pk])
            if order
            else reverse("purchasing:receipt_list"),
            "summary_template": "purchasing/includes/order_summary.html"
            if order
            else "",
            "order_lines": selectors.order_lines(order) if order else [],
            "matrix_url": "" if order else reverse("inventory:style_matrix"),
            "intro": order
            and _(
                "Supplier %(supplier)s, into %(warehouse)s. Lines show what is "
                "still to receive; change the quantities to what arrived."
            )
            % {"supplier": order.supplier, "warehouse": order.warehouse},
        },
    )


@permission_required("purchasing.view_goodsreceipt", raise_exception=True)
@require_GET
def receipt_detail(request, pk):
    receipt = document_or_404(
        request.user, selectors.receipt_list().select_related("cancelled_by"), pk=pk
    )
    lines = list(receipt.lines.select_related("product", "unit", "price_approved_by"))
    labels = selectors.receipt_label_counts(lines)
    return render(
        request,
        "purchasing/receipt_detail.html",
        {
            "document": receipt,
            "lines": lines,
            # The label page for what arrived: one label per unit received.
            "labels_query": urlencode(
                [("product", pk) for pk in labels]
                + [(f"n_{pk}", count) for pk, count in labels.items()]
            ),
            "heading": _("Goods receipt"),
            "list_url": reverse("purchasing:receipt_list"),
            "can_cancel": request.user.has_perm(CANCEL),
            "cancel_url": reverse("purchasing:receipt_cancel", args=[pk]),
            "returns": receipt.returns.all(),
        },
    )


receipt_cancel = cancel_view(
    GoodsReceipt,
    services.receipt_cancel,
    "receipt",
    permission=CANCEL,
    done=gettext_lazy("%(number)s cancelled; its stock moves were reversed."),
)


# --- returns ------------------------------------------------------------------------


@permission_required("purchasing.add_purchasereturn", raise_exception=True)
@require_http_methods(["GET", "POST"])
def return_create(request):
    receipt = None
    if "receipt" in request.GET:
        receipt = document_or_404(
            request.user, GoodsReceipt, pk=record_id(request.GET["receipt"])
        )
        if receipt.status != DocumentStatus.POSTED:
            messages.error(
                request,
                _("%(number)s is cancelled; nothing can be returned from it.")
                % {"number": receipt.number},
            )
            return redirect("purchasing:receipt_detail", pk=receipt.pk)
    header = forms.ReturnHeaderForm(
        request.POST or None, receipt=receipt, user=request.user
    )
    initial = None
    if receipt is not None and request.method != "POST":
        initial = [
            {"product": line.product.sku, "unit": line.unit_id}
            for line in receipt.lines.select_related("product")
            if line.quantity > 0
        ]
    lines = forms.ReturnLineFormSet(
        request.POST or None, prefix="lines", initial=initial
    )
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        data = header.cleaned_data
        rows = [
            services.ReturnLineInput(f["product"], f["quantity"], unit=f.get("unit"))
            for f in lines.filled()
        ]
        try:
            document = services.purchase_return_post(
                receipt=receipt,
                supplier=data.get("supplier"),
                warehouse=data.get("warehouse"),
                lines=rows,
                occurred_at=business_moment(data["date"]),
                note=data["note"],
                user=request.user,
                submission=data["submission"],
            )
        except (InsufficientStock, ValidationError) as error:
            refuse(request, error)
        else:
            messages.success(
                request,
                _("%(number)s posted: the goods left stock.")
                % {"number": document.number},
            )
            return redirect("purchasing:return_detail", pk=document.pk)
    title = (
        _("Return goods of %(number)s") % {"number": receipt.number}
        if receipt
        else _("New return")
    )
    return render(
        request,
        "documents/lines_form.html",
        {
            "header": header,
            "lines": lines,
            "title": title,
            "submit_label": _("Post return"),
            "enter_to_quantity": True,
            "cancel_url": reverse("purchasing:return_list"),
        },
    )


@permission_required("purchasing.view_purchasereturn", raise_exception=True)
@require_GET
def return_detail(request, pk):
    document = document_or_404(
        request.user, selectors.return_list().select_related("cancelled_by"), pk=pk
    )
    return render(
        request,
        "purchasing/return_detail.html",
        {
            "document": document,
            "lines": document.lines.select_related("product", "unit"),
            "heading": _("Purchase return"),
            "list_url": reverse("purchasing:return_list"),
            "can_cancel": request.user.has_perm(CANCEL),
            "cancel_url": reverse("purchasing:return_cancel", args=[pk]),
        },
    )


return_cancel = cancel_view(
    PurchaseReturn,
    services.purchase_return_cancel,
    "purchase_return",
    permission=CANCEL,
    done=gettext_lazy("%(number)s cancelled; the goods are back in stock."),
)


# --- price history and settings ----------------------------------------------------


def _chart(rows, field="unit_cost"):
    """Oldest first, one point per receipt line: its date and ``field``."""
    return [
        (timezone.localtime(row.occurred_at).date().isoformat(), getattr(row, field))
        for row in reversed(rows)
    ]


@permission_required("accounts.view_cost", raise_exception=True)
@require_GET
def product_prices(request, product_id):
    product = get_object_or_404(Product, pk=product_id)
    rows = selectors.price_history(product_id=product.pk)
    return render(
        request,
        "purchasing/price_history.html",
        {
            "rows": rows,
            "show_supplier": True,
            "show_product": False,
            "title": _("Prices paid"),
            "chart_points": _chart(rows),
        },
    )


@permission_required("accounts.view_cost", raise_exception=True)
@require_GET
def supplier_prices(request, supplier_id):
    supplier = get_object_or_404(Supplier, pk=supplier_id)
    rows = selectors.price_history(supplier_id=supplier.pk)
    return render(
        request,
        "purchasing/price_history.html",
        {
            "rows": rows,
            "show_supplier": False,
            "show_product": True,
            "title": _("Bought from this supplier"),
            "chart_points": _chart(rows, "amount"),
        },
    )


@permission_required("purchasing.change_purchasingsettings", raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    form = forms.SettingsForm(
        request.POST or None, instance=selectors.purchasing_settings()
    )
    with form_kept(form):
        if request.method == "POST" and form.is_valid():
            services.purchasing_settings_save(
                over_receipt_percent=form.cleaned_data["over_receipt_percent"],
                price_band_factor=form.cleaned_data["price_band_factor"],
                user=request.user,
            )
            messages.success(request, _("Purchasing settings saved."))
            return redirect("purchasing:order_list")
    return render(request, "purchasing/settings.html", {"form": form})

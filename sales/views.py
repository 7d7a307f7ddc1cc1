"""Sales pages. Permission first, then forms, then a service or selector."""

from __future__ import annotations

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
from catalog.models import Customer, Product
from catalog.shops import document_or_404, documents_for
from inventory import selectors as inventory_selectors
from inventory.services import InsufficientStock
from jxc import lists
from jxc.documents import StaleDocument, form_kept, posted_already, posted_by
from jxc.formatting import qty
from jxc.lists import DocumentList
from jxc.models import DocumentStatus
from jxc.views import (
    OrderForm,
    Then,
    cancel_view,
    order_form,
    plain,
    record_id,
    refuse,
)
from jxc.views import order_end as end_order
from sales import authority, filters, forms, selectors, services
from sales.models import (
    OPEN_STATUSES,
    SalesOrder,
    SalesReturn,
    Shipment,
)

CANCEL = "sales.cancel_posted"
RELEASE = "sales.release_reservation"
COLLECT = "finance.collect_payment"
VIEW_COST = "accounts.view_cost"


def _list(kind, rows, filterset, title, create_label="", create_url="", **extra):
    return DocumentList(
        permission=f"sales.view_{PAGES[kind]}",
        title=title,
        rows=rows,
        scope=documents_for,
        template="documents/party_list.html",
        filterset=filterset,
        create_url=create_url,
        create_label=create_label,
        export_url=f"sales:{kind}_export",
        party="customer",
        party_label=gettext_lazy("Customer"),
        **{"date_format": "Y-m-d H:i", **extra},
    )


PAGES = {"order": "salesorder", "shipment": "shipment", "return": "salesreturn"}
LISTS = {
    "order": _list(
        "order",
        selectors.order_list,
        filters.OrderFilter,
        gettext_lazy("Sales orders"),
        gettext_lazy("New sales order"),
        "sales:order_create",
        date_field="order_date",
        date_format="Y-m-d",
        settings_url="sales:settings",
        settings_permission="sales.change_salessettings",
    ),
    "shipment": _list(
        "shipment",
        selectors.shipment_list,
        filters.ShipmentFilter,
        gettext_lazy("Shipments"),
        gettext_lazy("Counter"),
        "counter:index",
    ),
    "return": _list(
        "return",
        selectors.return_list,
        filters.ReturnFilter,
        gettext_lazy("Sales returns"),
    ),
}


def document_list(request, kind):
    return lists.document_list(request, LISTS[kind])


@require_GET
def document_export(request, kind):
    return lists.document_export(request, LISTS[kind])


# --- orders ---------------------------------------------------------------------------


@permission_required("sales.add_salesorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_create(request):
    return order_form(request, ORDER_FORM)


@permission_required("sales.change_salesorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_edit(request, pk):
    return order_form(request, ORDER_FORM, pk=pk)


@permission_required("sales.view_salesorder", raise_exception=True)
@require_GET
def order_detail(request, pk):
    order = document_or_404(request.user, selectors.order_detail(pk))
    lines = selectors.order_lines(order)
    return render(
        request,
        "sales/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "shipments": order.shipments.order_by("-occurred_at"),
            "payments": selectors.sale_payments(order.pk),
            "open": order.status in OPEN_STATUSES,
            "waiting": order.status in OPEN_STATUSES
            and any(line.backorder for line in lines),
            "can_end": services.order_may_end(order, request.user),
            "profit": selectors.order_profit(order)
            if request.user.has_perm(VIEW_COST)
            else None,
        },
    )


def _confirmed(request, order, *, mode="refuse", version=None, ship=False, fresh=False):
    """Confirm ``order`` (reserving its stock) and answer the page: the shortage
    panel when stock is short, else the order, or with ``ship`` its shipment form
    (filled with what can go now; posting it stays the shipment's own step, with
    its token, reservations and payment). A refusal leaves the order a draft (a
    ``fresh`` one, just saved by the same click, says so)."""
    try:
        services.sales_order_confirm(
            order=order, user=request.user, on_shortage=mode, version=version
        )
    except services.OrderShortage as shortage:
        if fresh:
            _draft_kept(request, order)
        return render(
            request,
            "sales/shortage.html",
            {
                "order": order,
                "rows": shortage.rows,
                "version": order.version,
                "then": "ship" if ship else "",
                "buy": _purchases(request, shortage.rows),
            },
        )
    except (InsufficientStock, ValidationError) as error:
        if fresh:
            _draft_kept(request, order)
        refuse(request, error)
        return redirect("sales:order_detail", pk=order.pk)
    messages.success(
        request,
        _("%(number)s is confirmed; its stock is reserved.") % {"number": order.number},
    )
    if ship and request.user.has_perm("sales.add_shipment"):
        return redirect(f"{reverse('sales:shipment_create')}?order={order.pk}")
    return redirect("sales:order_detail", pk=order.pk)


def _purchases(request, rows) -> list[tuple]:
    """The shortage panel's "buy the missing goods": (supplier or None, a new
    purchase order's address prefilled with that supplier's missing products)."""
    if not request.user.has_perm("purchasing.add_purchaseorder"):
        return []
    url = reverse("purchasing:order_create")
    answer = []
    for supplier, wanted in selectors.shortage_by_supplier(rows):
        query = [("supplier", supplier.pk)] if supplier is not None else []
        for product, missing in wanted:
            query += [("product", product.pk), ("quantity", plain(missing))]
        answer.append((supplier, len(wanted), f"{url}?{urlencode(query)}"))
    return answer


def _draft_kept(request, order):
    messages.warning(
        request, _("%(number)s saved as a draft.") % {"number": order.number}
    )


def _save_then_confirm(request, order):
    return _confirmed(request, order, version=order.version, fresh=True)


def _save_then_ship(request, order):
    return _confirmed(request, order, version=order.version, ship=True, fresh=True)


ORDER_FORM = OrderForm(
    scope=documents_for,
    model=SalesOrder,
    header_form=forms.OrderHeaderForm,
    line_formset=forms.SaleLineFormSet,
    save=services.sales_order_save,
    line_input=services.SaleLineInput,
    detail_url="sales:order_detail",
    list_url="sales:order_list",
    new_title=gettext_lazy("New sales order"),
    context={
        "availability_url": "sales:availability",
        "matrix_url": "inventory:style_matrix",
    },
    approval=lambda request: authority.PriceApprovalForm(
        request.POST or None, request=request, user=request.user
    ),
    then=(
        Then(
            "confirm",
            gettext_lazy("Save and confirm"),
            ("sales.change_salesorder",),
            _save_then_confirm,
        ),
        Then(
            "ship",
            gettext_lazy("Confirm and ship"),
            ("sales.change_salesorder", "sales.add_shipment"),
            _save_then_ship,
        ),
    ),
)


@permission_required("sales.change_salesorder", raise_exception=True)
@require_POST
def order_confirm(request, pk):
    order = document_or_404(request.user, SalesOrder, pk=pk)
    mode = request.POST.get("on_shortage", "refuse")
    if mode not in {"refuse", "reduce", "backorder"}:
        mode = "refuse"
    return _confirmed(
        request,
        order,
        mode=mode,
        version=record_id(request.POST.get("version", "")),
        ship=request.POST.get("then") == "ship",
    )


@permission_required("sales.change_salesorder", raise_exception=True)
@require_POST
def order_end(request, pk):
    order = document_or_404(request.user, SalesOrder, pk=pk)
    # A clerk ends drafts and their own confirmed orders with nothing shipped; the
    # service checks the same again under the order's lock.
    if order.status in OPEN_STATUSES and not services.order_may_end(
        order, request.user
    ):
        raise PermissionDenied
    return end_order(
        request,
        order,
        lambda reason: services.sales_order_end(
            order=order, user=request.user, reason=reason
        ),
        detail_url="sales:order_detail",
    )


@permission_required("sales.change_salesorder", raise_exception=True)
@require_POST
def order_reserve(request, pk):
    """Reserve again what an open order waits for, from free stock."""
    order = document_or_404(request.user, SalesOrder, pk=pk)
    try:
        reserved = services.sales_order_reserve_again(order=order, user=request.user)
    except (InsufficientStock, ValidationError) as error:
        refuse(request, error)
    else:
        messages.success(
            request,
            _("%(number)s: %(quantity)s reserved again.")
            % {"number": order.number, "quantity": qty(reserved)},
        )
    return redirect("sales:order_detail", pk=pk)


@permission_required("sales.view_salesorder", raise_exception=True)
@require_GET
def availability(request):
    """Live availability of a line's product: available, unit and sale price."""
    code = (request.GET.get("product") or "").strip()
    warehouse_id = record_id(request.GET.get("warehouse", ""))
    try:
        found = catalog_selectors.sellable_in_unit(
            code[:64], request.GET.get("unit", "")[:20]
        )
    except catalog_selectors.SeveralProductsMatch:
        found = None
    product = found.product if found else None
    if product is None or warehouse_id is None:
        return JsonResponse({"available": None})
    services.reservations_expire()  # an expired reservation's stock is free
    available = inventory_selectors.available(product.pk, warehouse_id)
    # The customer's price level sets the default price; what they paid last time
    # is shown beside it.
    named = resolve(Customer, request.GET.get("customer") or "")
    customer = named[0] if len(named) == 1 else None
    last = (
        selectors.last_price_paid(customer_id=customer.pk, product_id=product.pk)
        if customer is not None
        else None
    )
    price = catalog_selectors.price_for(product, customer, found.unit)
    return JsonResponse(
        {
            "available": format(available.normalize(), "f"),
            "unit": product.unit,
            "factor": format(found.factor.normalize(), "f"),
            # Per the line's unit (a 箱 scanned: the 箱's price).
            "price": f"{price:.2f}",
            # Per base unit from the ledger, shown per the line's unit.
            "last_price": None if last is None else f"{last * found.factor:.2f}",
            "name": product.name,
        }
    )


# --- reservations and the owner's sales settings ---------------------------------


@permission_required("sales.view_salesorder", raise_exception=True)
@require_GET
def reservations(request, product_id):
    """Who holds a product's reserved stock; the owner can release an order's part."""
    product = get_object_or_404(Product, pk=product_id)
    warehouse_id = record_id(request.GET.get("warehouse", ""))
    lines = list(selectors.reservations_of(product.pk, warehouse_id))
    return render(
        request,
        "sales/reservations.html",
        {
            "product": product,
            "lines": lines,
            "total": sum((line.reserved_quantity for line in lines), 0),
            "warehouse_id": warehouse_id or "",
            "can_release": request.user.has_perm(RELEASE),
        },
    )


@permission_required(RELEASE, raise_exception=True)
@require_POST
def reservation_release(request, product_id):
    product = get_object_or_404(Product, pk=product_id)
    order = document_or_404(
        request.user, SalesOrder, pk=record_id(request.POST.get("order", ""))
    )
    try:
        released = services.sales_order_reservation_release(
            order=order, product=product, user=request.user
        )
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(
            request,
            _(
                "Released %(quantity)s %(unit)s of “%(name)s” that %(number)s held; "
                "the order now waits for it without a reservation."
            )
            % {
                "quantity": qty(released),
                "unit": product.unit,
                "name": product.name,
                "number": order.number,
            },
        )
    url = reverse("sales:reservations", args=[product.pk])
    warehouse_id = record_id(request.POST.get("warehouse", ""))
    return redirect(f"{url}?warehouse={warehouse_id}" if warehouse_id else url)


@permission_required("sales.change_salessettings", raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    form = forms.SettingsForm(request.POST or None, instance=selectors.sales_settings())
    with form_kept(form):
        if request.method == "POST" and form.is_valid():
            services.sales_settings_save(
                reservation_expiry_days=form.cleaned_data["reservation_expiry_days"],
                user=request.user,
            )
            if form.cleaned_data["staff_discount_limit"] is not None:
                authority.staff_discount_limit_save(
                    limit=form.cleaned_data["staff_discount_limit"], user=request.user
                )
            messages.success(request, _("Sales settings saved."))
            return redirect("sales:order_list")
    return render(request, "sales/settings.html", {"form": form})


# --- shipments ------------------------------------------------------------------------


@permission_required("sales.add_shipment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def shipment_create(request):
    order = document_or_404(
        request.user, SalesOrder, pk=record_id(request.GET.get("order", ""))
    )
    if request.method == "POST" and (
        done := posted_by(Shipment, request.POST.get("submission"))
    ):
        # A double click: the first click's shipment may have finished the order
        # meanwhile; the second lands on what the first posted, not on a refusal.
        messages.info(request, posted_already(done))
        return redirect("sales:shipment_detail", pk=done.pk)
    if order.status not in OPEN_STATUSES:
        messages.error(
            request,
            _("%(number)s is %(status)s: nothing can be shipped from it.")
            % {"number": order.number, "status": order.get_status_display()},
        )
        return redirect("sales:order_detail", pk=order.pk)
    lines = [line for line in selectors.order_lines(order) if line.remaining > 0]
    form = forms.ShipmentForm(
        request.POST or None, lines=lines, initial={"version": order.version}
    )
    may_collect = request.user.has_perm(COLLECT)
    if not may_collect:
        del form.fields["paid"], form.fields["paid_account"]
    approval = authority.PriceApprovalForm(
        request.POST or None, request=request, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            shipment = services.shipment_post(
                order=order,
                quantities=form.quantities(),
                occurred_at=timezone.now(),
                user=request.user,
                note=form.cleaned_data["note"],
                submission=form.cleaned_data["submission"],
                version=form.cleaned_data["version"],
                payments=form.payments() if may_collect else [],
                credit_approver=approval.approver(),
            )
        except StaleDocument as error:
            refuse(request, error)
            return redirect(f"{reverse('sales:shipment_create')}?order={order.pk}")
        except (InsufficientStock, ValidationError) as error:
            refuse(request, error)
            approval.refused(error)
        else:
            messages.success(
                request,
                _("%(number)s posted: the goods left stock.")
                % {"number": shipment.number},
            )
            return redirect("sales:shipment_detail", pk=shipment.pk)
    return render(
        request,
        "sales/shipment_form.html",
        {"order": order, "form": form, "price_approval": approval},
    )


def _document(request, model, pk, template, heading, kind):
    document = document_or_404(
        request.user,
        model.objects.select_related(
            "customer", "warehouse", "created_by", "cancelled_by"
        ),
        pk=pk,
    )
    return render(
        request,
        template,
        {
            "document": document,
            "lines": document.lines.select_related("product", "unit"),
            "heading": heading,
            "list_url": reverse(f"sales:{kind}_list"),
            "can_cancel": request.user.has_perm(CANCEL),
            "cancel_url": reverse(f"sales:{kind}_cancel", args=[pk]),
        },
    )


@permission_required("sales.view_shipment", raise_exception=True)
@require_GET
def shipment_detail(request, pk):
    return _document(
        request, Shipment, pk, "sales/shipment_detail.html", _("Shipment"), "shipment"
    )


@permission_required("sales.view_shipment", raise_exception=True)
@require_GET
def shipment_print(request, pk, layout):
    shipment = document_or_404(
        request.user,
        Shipment.objects.select_related("customer", "warehouse", "order", "created_by"),
        pk=pk,
    )
    template = "sales/slip.html" if layout == "slip" else "sales/delivery_note.html"
    return render(
        request,
        template,
        {
            "shipment": shipment,
            "order": shipment.order,
            "lines": shipment.lines.select_related("product", "unit"),
        },
    )


shipment_cancel = cancel_view(
    Shipment,
    services.shipment_cancel,
    "shipment",
    permission=CANCEL,
    done=gettext_lazy("%(number)s cancelled; the goods are back in stock."),
)


# --- retail sale ---------------------------------------------------------------


@permission_required("sales.add_shipment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def retail(request):
    """零售开单 is the counter now (counter:index). A form posted from a page
    opened before still posts here, once, as it always did."""
    if request.method == "GET":
        return redirect("counter:index")
    header = forms.RetailHeaderForm(request.POST or None, user=request.user)
    lines = forms.SaleLineFormSet(request.POST or None, prefix="lines")
    approval = authority.PriceApprovalForm(
        request.POST or None, request=request, user=request.user
    )
    # The scanner types into the first line straight away (a tampered form may
    # have no lines at all).
    if lines.forms:
        lines.forms[0].fields["product"].widget.attrs["autofocus"] = True
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        data = header.cleaned_data
        try:
            order = services.retail_sale_post(
                warehouse=data["warehouse"],
                lines=ORDER_FORM.lines(lines.filled()),
                amount_received=data["amount_received"],
                user=request.user,
                submission=data["submission"],
                price_approver=approval.approver(),
            )
        except (InsufficientStock, ValidationError) as error:
            refuse(request, error)
            approval.refused(error)
        else:
            shipment = order.shipments.get()
            messages.success(
                request,
                _("Sold: %(number)s. Change due: ¥%(change)s.")
                % {"number": order.number, "change": f"{order.change:,.2f}"},
            )
            return redirect("sales:shipment_detail", pk=shipment.pk)
    return render(
        request,
        "documents/lines_form.html",
        {
            "header": header,
            "lines": lines,
            "title": _("Retail sale"),
            "submit_label": _("Finish sale"),
            "cancel_url": reverse("sales:shipment_list"),
            "show_total": True,
            "show_change": True,
            "availability_url": reverse("sales:availability"),
            "price_approval": approval,
        },
    )


# --- returns -------------------------------------------------------------------


@permission_required("sales.add_salesreturn", raise_exception=True)
@require_http_methods(["GET", "POST"])
def return_create(request):
    shipment = document_or_404(
        request.user, Shipment, pk=record_id(request.GET.get("shipment", ""))
    )
    if shipment.status != DocumentStatus.POSTED:
        messages.error(
            request,
            _("%(number)s is cancelled; nothing can be returned from it.")
            % {"number": shipment.number},
        )
        return redirect("sales:shipment_detail", pk=shipment.pk)
    lines = list(shipment.lines.select_related("product", "unit"))
    if request.method != "POST":
        # The form offers what can still come back; a submitted form keeps every
        # line, so a quantity typed for a line someone else returned meanwhile is
        # refused by the service with its reason, never silently dropped.
        lines = [line for line in lines if line.quantity > line.returned_quantity]
    form = forms.ReturnForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.sales_return_post(
                shipment=shipment,
                quantities=form.quantities(),
                reason=form.cleaned_data["reason"],
                occurred_at=timezone.now(),
                user=request.user,
                submission=form.cleaned_data["submission"],
            )
        except (InsufficientStock, ValidationError) as error:
            refuse(request, error)
        else:
            messages.success(
                request,
                _("%(number)s posted: the goods are back in stock.")
                % {"number": document.number},
            )
            return redirect("sales:return_detail", pk=document.pk)
    return render(
        request, "sales/return_form.html", {"shipment": shipment, "form": form}
    )


@permission_required("sales.view_salesreturn", raise_exception=True)
@require_GET
def return_detail(request, pk):
    return _document(
        request,
        SalesReturn,
        pk,
        "sales/return_detail.html",
        _("Sales return"),
        "return",
    )


return_cancel = cancel_view(
    SalesReturn,
    services.sales_return_cancel,
    "sales_return",
    permission=CANCEL,
    done=gettext_lazy("%(number)s cancelled; the goods left stock again."),
)

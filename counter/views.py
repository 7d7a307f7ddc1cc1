"""The counter screen (收银台). One page; every action posts and gets the sale part
of the page back (htmx), or, without scripts, is redirected to the page again."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from catalog import selectors as catalog_selectors
from catalog.models import Product
from counter import forms, selectors, services
from inventory.services import InsufficientStock
from jxc.documents import form_kept
from jxc.views import record_id
from sales import authority
from sales.models import SalesOrder
from sales.selectors import sale_payments

USE = "counter.use_counter"
PAGE = "counter/index.html"


def _approval(request):
    return authority.PriceApprovalForm(
        request.POST or None, request=request, user=request.user
    )


def _screen(request, *, pay=None, approval=None, **extra) -> dict:
    cart = selectors.cart_of(request.user)
    warehouse = cart.warehouse or catalog_selectors.default_warehouse()
    view = selectors.cart_view(cart, warehouse.pk)
    last = cart.last_sale if not cart.lines else None
    payments = sale_payments(last.pk) if last else []
    customer = cart.customer
    return {
        "view": view,
        "warehouse": warehouse,
        "customer_form": forms.CustomerForm(
            initial={"customer": customer} if customer else None
        ),
        "named_customer": customer is not None and customer.code != "RETAIL",
        "pay": pay or forms.PaymentForm(),
        "price_approval": approval or _approval(request),
        "last_sale": last,
        "last_payments": payments,
        "last_change": sum((p.change for p in payments if p.tendered is not None), 0),
        "held_count": selectors.held_sales(request.user).count(),
        **extra,
    }


def _answer(request, done="", **extra):
    """The sale part of the page (htmx), or the page again (a plain form post,
    told what was ``done``)."""
    if request.htmx:
        return render(request, f"{PAGE}#main", _screen(request, **extra))
    if extra.get("matches"):
        messages.error(
            request,
            _("“%(text)s” is no code: pick the product below.")
            % {"text": extra["keep"][:60]},
        )
        return render(request, PAGE, _screen(request, **extra))
    if extra.get("error"):
        messages.error(request, extra["error"])
    elif extra.get("notice") or done:
        messages.success(request, extra.get("notice") or done)
    return redirect("counter:index")


def _refused(error) -> str:
    return " ".join(error.messages)


@permission_required(USE, raise_exception=True)
@require_GET
def index(request):
    context = _screen(request)
    warehouses = list(catalog_selectors.warehouse_list().filter(is_active=True))
    # A shop with one warehouse sees its name; with several, a choice.
    context["warehouses"] = warehouses if len(warehouses) > 1 else []
    return render(request, PAGE, context)


@permission_required(USE, raise_exception=True)
@require_POST
def scan(request):
    form = forms.ScanForm(request.POST)
    if not form.is_valid():
        return _answer(request, error=_refused(ValidationError(form.errors["code"])))
    code = form.cleaned_data["code"]
    try:
        result = services.cart_scan(user=request.user, code=code)
    except ValidationError as error:
        return _answer(request, error=_refused(error), keep=code)
    if result.matches:
        return _answer(request, matches=result.matches, keep=code)
    return _answer(request, done=_("Added: %(name)s.") % {"name": result.product.name})


@permission_required(USE, raise_exception=True)
@require_POST
def add(request):
    product = get_object_or_404(
        Product, pk=record_id(request.POST.get("product", "")) or 0
    )
    try:
        services.cart_add(user=request.user, product=product)
    except ValidationError as error:
        return _answer(request, error=_refused(error))
    return _answer(request, done=_("Added: %(name)s.") % {"name": product.name})


@permission_required(USE, raise_exception=True)
@require_POST
def line(request):
    form = forms.LineForm(request.POST)
    if not form.is_valid():
        problems = [m for errors in form.errors.values() for m in errors]
        return _answer(request, error=" ".join(problems))
    data = form.cleaned_data
    try:
        if data["step"]:
            services.cart_line_step(
                user=request.user, product_id=data["product"], step=data["step"]
            )
        elif data["quantity"] is None and data["price"] is None:
            raise ValidationError(_("Enter a quantity or a price."))
        else:
            services.cart_line_set(
                user=request.user,
                product_id=data["product"],
                quantity=data["quantity"],
                price=data["price"],
            )
    except ValidationError as error:
        return _answer(request, error=_refused(error))
    return _answer(request, done=_("The line was changed."))


@permission_required(USE, raise_exception=True)
@require_POST
def remove(request):
    try:
        services.cart_line_remove(
            user=request.user, product_id=record_id(request.POST.get("product", ""))
        )
    except ValidationError as error:
        return _answer(request, error=_refused(error))
    return _answer(request, done=_("The line was removed."))


@permission_required(USE, raise_exception=True)
@require_POST
def clear(request):
    services.cart_clear(user=request.user)
    return _answer(request, notice=_("The sale was cleared."))


@permission_required(USE, raise_exception=True)
@require_POST
def warehouse(request):
    form = forms.WarehouseForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, error=_refused(ValidationError(form.errors["warehouse"]))
        )
    try:
        services.cart_warehouse_set(
            user=request.user, warehouse=form.cleaned_data["warehouse"]
        )
    except ValidationError as error:
        return _answer(request, error=_refused(error))
    return _answer(
        request,
        done=_("Selling from %(name)s.") % {"name": form.cleaned_data["warehouse"]},
    )


@permission_required(USE, raise_exception=True)
@require_POST
def customer(request):
    form = forms.CustomerForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, error=_refused(ValidationError(form.errors["customer"]))
        )
    services.cart_customer_set(
        user=request.user, customer=form.cleaned_data["customer"]
    )
    return _answer(request, done=_("The customer was set."))


@permission_required(USE, raise_exception=True)
@permission_required("sales.add_shipment", raise_exception=True)
@require_POST
def pay(request):
    form = forms.PaymentForm(request.POST)
    approval = _approval(request)
    error = None
    with form_kept(form):
        if form.is_valid():
            try:
                order = services.cart_checkout(
                    user=request.user,
                    entry=form.entry(),
                    submission=form.cleaned_data["submission"],
                    price_approver=approval.approver(),
                )
            except (InsufficientStock, ValidationError) as refused:
                approval.refused(refused)
                error = _refused(refused)
            else:
                slip = ""
                if selectors.counter_settings().auto_print:
                    slip = reverse("counter:slip", args=[order.pk])
                return _answer(
                    request,
                    notice=_("Sold: %(number)s.") % {"number": order.number},
                    slip_url=slip,
                )
    if error is None:
        problems = [m for errors in form.errors.values() for m in errors]
        error = " ".join(problems)
    if not request.htmx:
        messages.error(request, error)
        return render(
            request, PAGE, _screen(request, pay=form, approval=approval), status=200
        )
    return render(
        request,
        f"{PAGE}#main",
        _screen(request, pay=form, approval=approval, error=error, paying=True),
    )


# --- parked sales ---------------------------------------------------------------


@permission_required(USE, raise_exception=True)
@permission_required("counter.add_heldsale", raise_exception=True)
@require_POST
def hold(request):
    try:
        held = services.held_sale_park(
            user=request.user, note=request.POST.get("note", "")[:100]
        )
    except ValidationError as error:
        return _answer(request, error=_refused(error))
    return _answer(
        request,
        notice=_("Parked: %(total)s. Resume it from “Parked sales”.")
        % {"total": f"¥{held.total:,.2f}"},
    )


@permission_required(USE, raise_exception=True)
@permission_required("counter.view_heldsale", raise_exception=True)
@require_GET
def held(request):
    """The list of today's parked sales, for the counter's panel."""
    return render(
        request,
        "counter/held.html",
        {"held": selectors.held_sales(request.user)},
    )


@permission_required(USE, raise_exception=True)
@permission_required("counter.view_heldsale", raise_exception=True)
@require_POST
def resume(request, pk):
    try:
        services.held_sale_resume(user=request.user, held_id=pk)
    except ValidationError as error:
        return _answer(request, error=_refused(error))
    return _answer(request, notice=_("The parked sale is back on the screen."))


# --- the slip ---------------------------------------------------------------------


def printable_in_frame(view):
    """The counter prints a slip from a hidden frame of its own page: the slip may
    be framed by this site (the rest of the site may not be framed at all)."""

    @xframe_options_sameorigin
    @functools.wraps(view)
    def framed(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        policy = dict(settings.SECURE_CSP, **{"frame-ancestors": ["'self'"]})
        response.headers["Content-Security-Policy"] = "; ".join(
            " ".join([directive, *sources]) for directive, sources in policy.items()
        )
        return response

    return framed


@printable_in_frame
@permission_required("sales.view_shipment", raise_exception=True)
@require_GET
def slip(request, pk):
    """The sale's 80 mm slip (the sales slip until the counter's own replaces it)."""
    order = get_object_or_404(SalesOrder, pk=pk)
    shipment = order.shipments.order_by("pk").first()
    if shipment is None:
        raise Http404
    lines = shipment.lines.select_related("product").order_by("pk")
    return render(
        request,
        "sales/slip.html",
        {"shipment": shipment, "order": order, "lines": lines},
    )

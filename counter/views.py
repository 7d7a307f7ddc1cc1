"""The counter screen (收银台). One page; every action posts and gets the sale part
of the page back (htmx), or, without scripts, is redirected to the page again."""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import selectors as catalog_selectors
from catalog import shops
from catalog.models import Product
from catalog.shops import limit_warehouse_fields
from counter import exports, forms, selectors, services
from counter.barcodes import code128_svg
from counter.models import Shift
from counter.scale import example_label, plu_digits
from inventory.services import InsufficientStock
from jxc.decimals import money
from jxc.documents import form_kept, posted_already, posted_by
from jxc.excel import xlsx_response
from jxc.views import record_id, refuse
from sales import authority
from sales.models import PaymentMethod, SalesOrder, SalesReturn
from sales.selectors import sale_payments

USE = "counter.use_counter"
PAGE = "counter/index.html"


def _approval(request):
    return authority.PriceApprovalForm(
        request.POST or None, request=request, user=request.user
    )


def _screen(request, *, pay=None, approval=None, **extra) -> dict:
    cart = selectors.cart_of(request.user)
    warehouse = cart.warehouse or shops.default_warehouse_for(request.user)
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
    warehouses = list(shops.warehouses_for(request.user).filter(is_active=True))
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
                user=request.user,
                product_id=data["product"],
                step=data["step"],
                unit_id=data["unit"],
            )
        elif data["quantity"] is None and data["price"] is None:
            raise ValidationError(_("Enter a quantity or a price."))
        else:
            services.cart_line_set(
                user=request.user,
                product_id=data["product"],
                quantity=data["quantity"],
                price=data["price"],
                unit_id=data["unit"],
            )
    except ValidationError as error:
        return _answer(request, error=_refused(error))
    return _answer(request, done=_("The line was changed."))


@permission_required(USE, raise_exception=True)
@require_POST
def remove(request):
    try:
        services.cart_line_remove(
            user=request.user,
            product_id=record_id(request.POST.get("product", "")),
            unit_id=record_id(request.POST.get("unit", "")),
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
    form = limit_warehouse_fields(forms.WarehouseForm(request.POST), request.user)
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


# --- shift close, slip, settings and returns (c2) ------------------------------------
# Counter pages: settings, the slip, the shift close and returns at the counter.
# Permission first, then forms, then a service or selector.
USE = "counter.use_counter"
VIEW_ALL = "counter.view_all_shifts"
REOPEN = "counter.change_shift"


# --- settings -------------------------------------------------------------------------


@permission_required("counter.change_countersettings", raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    form = forms.CounterSettingsForm(
        request.POST or None, instance=selectors.counter_settings()
    )
    with form_kept(form):
        if request.method == "POST" and form.is_valid():
            services.counter_settings_save(data=form.cleaned_data, user=request.user)
            messages.success(request, _("Counter settings saved."))
            return redirect("counter:settings")
    current = selectors.counter_settings()
    prefix = current.scale_prefix or "2"
    digits = plu_digits(prefix)
    return render(
        request,
        "counter/settings.html",
        {
            "form": form,
            "prefix": prefix,
            "digits": digits,
            "weight_label": example_label(prefix, "1", 1234),
            "price_label": example_label(prefix, "1", 839),
            "plu_width": "0" * (digits - 1) + "1",
            "layout": current.scale_layout,
        },
    )


# --- the slip -------------------------------------------------------------------------


@printable_in_frame
@permission_required("sales.view_salesorder", raise_exception=True)
@require_GET
def slip(request, pk):
    """The 80 mm slip of a counter sale; ?print=1 opens the print dialog."""
    try:
        order = selectors.slip_sale(pk)
    except SalesOrder.DoesNotExist:
        raise Http404 from None
    lines = list(order.lines.all())
    for line in lines:
        # What the line's discount took off (none without a discount: a weighed
        # line's rounding to the fen is no discount).
        line.off = (
            money(line.entered * line.unit_price) - line.amount if line.discount else 0
        )
    payments = list(order.payments.all())
    cash = [p for p in payments if p.tendered is not None]
    return render(
        request,
        "counter/slip.html",
        {
            "order": order,
            "shop": catalog_selectors.shop_profile(),
            "lines": lines,
            "discount": sum((line.off for line in lines), 0),
            "payments": payments,
            "tendered": sum((p.tendered for p in cash), 0) if cash else None,
            "change": sum((p.change for p in cash), 0) if cash else None,
            "returns": selectors.sale_returns(order),
            "barcode": code128_svg(order.number),
            "print": request.GET.get("print") == "1",
        },
    )


# --- the shift ------------------------------------------------------------------------


def _figures_context(figures, **extra):
    return {
        "figures": figures,
        "shift": figures.shift,
        "paid_outs": selectors.paid_outs(figures.shift),
        **extra,
    }


@permission_required(USE, raise_exception=True)
@require_GET
def shift(request):
    """交班: the clerk's own day — sales, refunds, cash expected — and the close."""
    today = timezone.localdate()
    figures = selectors.clerk_day(clerk=request.user, day=today)
    closed = figures.is_closed
    return render(
        request,
        "counter/shift.html",
        _figures_context(
            figures,
            editable=not closed,
            float_form=None
            if closed or figures.sales_count or figures.returns_count
            else forms.FloatForm(initial={"opening_float": figures.opening_float}),
            paid_out_form=None if closed else forms.PaidOutForm(),
            close_form=None if closed else forms.CloseForm(),
        ),
    )


def _shift_post(request, form, action, done):
    with form_kept(form):
        if form.is_valid():
            try:
                action(form.cleaned_data)
            except ValidationError as error:
                refuse(request, error)
            else:
                messages.success(request, done)
            return redirect("counter:shift")
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)
    return redirect("counter:shift")


@permission_required(USE, raise_exception=True)
@require_POST
def shift_float(request):
    return _shift_post(
        request,
        forms.FloatForm(request.POST),
        lambda data: services.shift_float_set(
            clerk=request.user, amount=data["opening_float"], user=request.user
        ),
        _("Opening float saved."),
    )


@permission_required(USE, raise_exception=True)
@require_POST
def shift_paid_out(request):
    return _shift_post(
        request,
        forms.PaidOutForm(request.POST),
        lambda data: services.shift_paid_out_add(
            clerk=request.user,
            amount=data["amount"],
            note=data["note"],
            user=request.user,
            submission=data["submission"],
        ),
        _("Cash paid out recorded."),
    )


@permission_required(USE, raise_exception=True)
@require_POST
def shift_close(request):
    form = forms.CloseForm(request.POST)
    with form_kept(form):
        if form.is_valid():
            try:
                closed = services.shift_close(
                    clerk=request.user,
                    counted_cash=form.cleaned_data["counted_cash"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except ValidationError as error:
                # A second click, or a second tab: the shift is closed already.
                refuse(request, error)
                done = Shift.objects.filter(
                    clerk=request.user, day=timezone.localdate()
                ).first()
                if done is not None and done.is_closed:
                    return redirect("counter:shift_detail", pk=done.pk)
                return redirect("counter:shift")
            messages.success(request, _("Shift closed."))
            return redirect("counter:shift_detail", pk=closed.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("counter:shift")


def _own_shift(request, pk) -> Shift:
    found = get_object_or_404(Shift.objects.select_related("clerk"), pk=pk)
    if found.clerk_id != request.user.pk and not request.user.has_perm(VIEW_ALL):
        raise PermissionDenied
    return found


@permission_required("counter.view_shift", raise_exception=True)
def shift_detail(request, pk):
    """One shift, read only (printable on A4; the 80 mm version beside it)."""
    found = _own_shift(request, pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    figures = selectors.clerk_day(clerk=found.clerk, day=found.day)
    return render(
        request,
        "counter/shift.html",
        _figures_context(
            figures,
            editable=False,
            today=found.day == timezone.localdate()
            and found.clerk_id == request.user.pk,
            may_reopen=found.is_closed
            and found.day == timezone.localdate()
            and request.user.has_perm(REOPEN),
        ),
    )


@permission_required(REOPEN, raise_exception=True)
@require_POST
def shift_reopen(request, pk):
    """重新开班 (owner): today's closed shift of a clerk opens again."""
    found = get_object_or_404(Shift, pk=pk)
    form = forms.ReopenForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(
                [m for errors in form.errors.values() for m in errors]
            )
        services.shift_reopen(
            shift_id=found.pk,
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(
            request,
            _("The shift is open again: %(clerk)s can sell, and closes again later.")
            % {"clerk": found.clerk.get_full_name() or found.clerk.get_username()},
        )
    return redirect("counter:shift_detail", pk=found.pk)


@permission_required("counter.view_shift", raise_exception=True)
def shift_print(request, pk):
    """The shift close on the 80 mm slip printer."""
    found = _own_shift(request, pk)  # before the method: another's is refused
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    figures = selectors.clerk_day(clerk=found.clerk, day=found.day)
    return render(
        request,
        "counter/shift_slip.html",
        _figures_context(figures, shop=catalog_selectors.shop_profile()),
    )


def _list_filters(request):
    form = forms.ShiftFilterForm(
        request.GET or None, user=request.user, initial={"day": timezone.localdate()}
    )
    day, clerk_id = timezone.localdate(), None
    if form.is_valid():
        day = form.cleaned_data.get("day") or day
        clerk = form.cleaned_data.get("clerk")
        clerk_id = clerk.pk if clerk else None
    if not request.user.has_perm(VIEW_ALL):
        clerk_id = request.user.pk  # a clerk sees their own shifts only
    return form, day, clerk_id


def _shift_rows(day, clerk_id):
    rows = selectors.day_figures(day=day, clerk_id=clerk_id)
    if clerk_id is None:
        return rows
    # One clerk asked for: a row only when they worked that day.
    return [row for row in rows if row.sales_count or row.returns_count or row.shift]


@permission_required("counter.view_shift", raise_exception=True)
@require_GET
def shift_list(request):
    """The shifts of a day: every clerk's for the owner (with the day's total),
    a clerk's own otherwise."""
    form, day, clerk_id = _list_filters(request)
    rows = selectors.day_figures(day=day, clerk_id=clerk_id)
    if clerk_id is not None:
        rows = [
            row for row in rows if row.sales_count or row.returns_count or row.shift
        ]
    return render(
        request,
        "counter/shift_list.html",
        {
            "form": form,
            "day": day,
            "rows": rows,
            "total": selectors.day_total(rows, day) if len(rows) > 1 else None,
            "methods": PaymentMethod,
            "can_export": request.user.has_perm(VIEW_ALL),
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
        },
    )


@permission_required(VIEW_ALL, raise_exception=True)
@require_GET
def shift_export(request):
    _form, day, clerk_id = _list_filters(request)
    rows = selectors.day_figures(day=day, clerk_id=clerk_id)
    if clerk_id is not None:
        rows = [
            row for row in rows if row.sales_count or row.returns_count or row.shift
        ]
    sheet = exports.shifts_sheet(
        rows, selectors.day_total(rows, day), day, catalog_selectors.shop_profile()
    )
    return xlsx_response(
        [sheet], _("Shifts %(day)s") % {"day": day.isoformat()}, dated=False
    )


# --- returns at the counter -----------------------------------------------------------


@permission_required(USE, raise_exception=True)
@permission_required("sales.add_salesreturn", raise_exception=True)
@require_http_methods(["GET", "POST"])
def counter_return(request):
    """退货: scan the slip's number, return lines of that sale, refund by its
    methods."""
    if request.method == "POST" and (
        done := posted_by(SalesReturn, request.POST.get("submission"))
    ):
        # A double click: the first click's return may have taken everything back.
        messages.info(request, posted_already(done))
        return redirect("sales:return_detail", pk=done.pk)
    number_form = forms.NumberForm(request.GET or None)
    order = None
    if number_form.is_valid():
        order = selectors.sale_by_number(number_form.cleaned_data["number"])
        if order is None:
            number_form.add_error(
                "number",
                _("No counter sale has the number “%(number)s”.")
                % {"number": number_form.cleaned_data["number"].strip()},
            )
    context = {"number_form": number_form, "order": order}
    if order is None:
        return render(request, "counter/return.html", context)
    shipment = order.shipments.order_by("pk").first()
    lines = list(shipment.lines.select_related("product", "unit")) if shipment else []
    left = selectors.refundable(order)
    if request.method != "POST":
        lines = [line for line in lines if line.quantity > line.returned_quantity]
    form = forms.CounterReturnForm(
        request.POST or None, lines=lines, methods=list(left)
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.counter_return_post(
                order=order,
                quantities=form.quantities(),
                reason=form.cleaned_data["reason"],
                refunds=form.refunds(),
                user=request.user,
                submission=form.cleaned_data["submission"],
            )
        except (InsufficientStock, ValidationError) as error:
            refuse(request, error)
        else:
            refunds = ", ".join(
                f"{row.get_method_display()} ¥{-row.amount:,.2f}"
                for row in document.refunds.all()
            )
            messages.success(
                request,
                _("%(number)s posted, goods back in stock; refunded %(refunds)s.")
                % {"number": document.number, "refunds": refunds},
            )
            return redirect(f"{reverse('counter:return')}?number={order.number}")
    context.update(
        form=form,
        shipment=shipment,
        refund_rows=list(zip(form.refund_fields(), left.values(), strict=True)),
        cancelled=shipment is None or shipment.status != "posted",
        returns=selectors.sale_returns(order),
    )
    return render(request, "counter/return.html", context)

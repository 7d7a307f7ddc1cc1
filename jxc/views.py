"""Error pages rendered in the layout, and small helpers every app's views share."""

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET, require_POST

from jxc.documents import StaleDocument, failure_kind, form_kept
from jxc.formatting import money
from jxc.forms import ReasonForm
from jxc.lines import amounts_preview


@require_GET
def line_amounts(request):
    """The amounts a document form shows while a clerk types, computed here as the
    posted document will be (the page does no money arithmetic of its own):
    ``quantity``, ``price`` and ``discount`` once per line in page order, and the
    ``received`` amount; answers each line's amount, the total and the change due,
    formatted as the page shows them."""
    preview = amounts_preview(
        request.GET.getlist("quantity"),
        request.GET.getlist("price"),
        request.GET.getlist("discount"),
        request.GET.get("received"),
    )
    change = preview.change
    return JsonResponse(
        {
            "amounts": [money(amount) for amount in preview.amounts],
            "total": money(preview.total),
            "change": money(change),
            "short": change is not None and change < 0,
        }
    )


RECORD_ID = re.compile(r"[0-9]{1,12}")


def record_id(value: str) -> int | None:
    """A record id from a query string, or None for anything else ("²", 10^30...)."""
    return int(value) if RECORD_ID.fullmatch(value or "") else None


def cancel_posted(request, document, cancel, *, done: str):
    """The body of every "cancel this posted document" view: read the reason, call
    ``cancel(reason)`` (a service), say what happened, back to the document."""
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(
                _("Say why the document is cancelled (at most 200 characters).")
            )
        cancel(form.cleaned_data["reason"])
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, done % {"number": document.number})
    return redirect(document)


def cancel_view(model, cancel, keyword: str, *, permission: str, done: str):
    """A view that cancels one posted ``model`` document (POST, ``permission``)
    by the service ``cancel(<keyword>=document, user=, reason=)``."""

    @permission_required(permission, raise_exception=True)
    @require_POST
    def view(request, pk):
        document = get_object_or_404(model, pk=pk)
        return cancel_posted(
            request,
            document,
            lambda reason: cancel(
                **{keyword: document}, user=request.user, reason=reason
            ),
            done=done,
        )

    return view


def paginate(request, items, size: int = 50):
    """The requested page of ``items`` (a bad or too-high page number: the last)."""
    return Paginator(items, size).get_page(request.GET.get("page"))


def refuse(request, error) -> None:
    """Show why a service refused (ValidationError or InsufficientStock)."""
    messages.error(request, " ".join(error.messages))


def business_moment(day) -> datetime:
    """A business date typed on a form as a moment: now when it is today, else
    noon that day (local time)."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(
        datetime.combine(day, datetime.min.time().replace(hour=12))
    )


def form_saved(request, form, save: Callable, done: Callable):
    """A posted form through its service: validated, saved by ``save(cleaned_data)``
    and announced with ``done(saved)``; a refusal is shown and the form kept, a
    database failure becomes the form's error (``form_kept``). Returns what was
    saved, or None when nothing was."""
    with form_kept(form):
        if form.is_valid():
            try:
                saved = save(form.cleaned_data)
            except ValidationError as error:
                refuse(request, error)
            else:
                messages.success(request, done(saved))
                return saved
    return None


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def server_error(request):
    """The page for an unhandled exception. When the database failed (a statement
    or lock timeout, a lost connection, a server that is down) it says so with a
    503 instead of a 500, after dropping broken connections so the next request
    starts on a fresh one. Postings never get here: they report such failures on
    their own form (jxc.documents.posting)."""
    error = sys.exc_info()[1]
    if not isinstance(error, (OperationalError, InterfaceError)):
        return defaults.server_error(request)
    for connection in connections.all(initialized_only=True):
        # Inside an atomic block the block's owner must roll back first.
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
    if failure_kind(error) == "too_long":
        message = _(
            "This page took too long and was stopped, so that the shop keeps "
            "working. Choose a shorter period or a narrower filter and try again."
        )
    else:
        message = _(
            "The database did not answer, so this request was not finished. "
            "Please try again in a moment; if it keeps happening, tell the shop "
            "owner."
        )
    if request.method == "POST":
        kept = _(
            "Nothing you submitted was saved. Your browser's Back button "
            "returns to the form with what you typed; submit it again from there."
        )
        message = f"{message} {kept}"
    # No request context: the user, the session and the messages need the
    # database this page is about.
    return HttpResponse(
        render_to_string("503.html", {"message": message}),
        status=503,
        headers={"Retry-After": "10"},
    )


@dataclass(frozen=True)
class Then:
    """A second submit button of an order form (保存并确认, 确认并发货): the draft
    is saved first, then ``run(request, order)`` (the app's next step, which
    answers the page; a refusal there leaves the order a draft and says why).
    Shown to users with every one of ``permissions``."""

    key: str
    label: str
    permissions: tuple[str, ...]
    run: Callable


@dataclass(frozen=True)
class OrderForm:
    """How one app's order form page differs from the other's: its forms, the
    service that saves a draft (``save(order=, lines=, user=, **header)``) and the
    line input it takes (``line_input(**line)``), its pages and extra context.

    The header form's fields are the order's fields of the same names; the line
    forms' fields (after product and quantity) the order lines' ones.
    """

    model: type
    header_form: type
    line_formset: type
    save: Callable
    line_input: type
    detail_url: str  # URL name taking the order's pk
    list_url: str
    new_title: str
    # Extra context of the page; values of keys ending in _url are URL names.
    context: dict = field(default_factory=dict)
    # approval(request): a form of who approves what the user may not do alone
    # (sales: an owner's 授权 for a price), with approver() for the service's
    # ``price_approver`` and refused(error) to ask for it; None: no approvals.
    approval: Callable | None = None
    # (rows, user) -> the orders this user may open (a chain: their shops' ones).
    scope: Callable | None = None
    # Buttons that save the draft and take the next step at once.
    then: tuple[Then, ...] = ()
    # prefill(request.GET) -> (header initial, line initial) for a new order
    # opened from another page (the shortage panel's "buy the missing goods").
    prefill: Callable | None = None

    def header_initial(self, order) -> dict:
        return {
            name: getattr(order, name)
            for name in self.header_form.base_fields
            if name != "submission"
        }

    def line_initial(self, order) -> list[dict]:
        names = [
            name
            for name in self.line_formset.form.base_fields
            if name not in ("product", "quantity")
        ]
        return [
            {
                "product": line.product.sku,
                # As entered: 2 (箱), with its unit below.
                "quantity": plain(line.entered),
                **{name: getattr(line, name) for name in names},
            }
            for line in order.lines.select_related("product", "unit").order_by("pk")
        ]

    def lines(self, filled) -> list:
        """The service's line inputs from the filled line forms (an empty
        optional field: the input's default)."""
        return [
            self.line_input(**{k: v for k, v in line.items() if v is not None})
            for line in filled
        ]


def plain(quantity) -> str:
    """A quantity for a number input: 10, 2.5 (no exponent, no grouping)."""
    return format(quantity.normalize(), "f")


def order_form(request, spec: OrderForm, pk: int | None = None):
    """The body of every "new order" / "edit draft" page: a header form and line
    forms, saved as a draft by the app's service, back to the order."""
    order = None
    if pk is not None:
        rows = spec.model.objects.all()
        if spec.scope is not None:
            rows = spec.scope(rows, request.user)
        order = get_object_or_404(rows, pk=pk)
        if order.status != "draft":
            messages.error(
                request,
                _("%(number)s is %(status)s: only a draft can be edited.")
                % {"number": order.number, "status": order.get_status_display()},
            )
            return redirect(spec.detail_url, pk=pk)
    header_initial = line_initial = None
    if order is not None:
        header_initial = spec.header_initial(order)
        if request.method != "POST":
            line_initial = spec.line_initial(order)
    elif spec.prefill is not None and request.method != "POST":
        header_initial, line_initial = spec.prefill(request.GET)
    header = spec.header_form(
        request.POST or None, initial=header_initial, user=request.user
    )
    then = {t.key: t for t in spec.then if request.user.has_perms(t.permissions)}
    lines = spec.line_formset(
        request.POST or None, prefix="lines", initial=line_initial
    )
    approval = spec.approval(request) if spec.approval else None
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        data = header.cleaned_data
        try:
            if approval is not None:  # a wrong owner password is refused here
                data = {**data, "price_approver": approval.approver()}
            saved = spec.save(
                order=order, lines=spec.lines(lines.filled()), user=request.user, **data
            )
        except StaleDocument as error:
            refuse(request, error)
            return redirect(spec.detail_url, pk=order.pk)
        except ValidationError as error:
            refuse(request, error)
            if approval is not None:
                approval.refused(error)
        else:
            step = then.get(request.POST.get("then", ""))
            if step is not None and saved.status == "draft":
                return step.run(request, saved)
            if saved.status == "draft":
                messages.success(
                    request,
                    _("%(number)s saved as a draft.") % {"number": saved.number},
                )
            return redirect(spec.detail_url, pk=saved.pk)
    title = _("Edit %(number)s") % {"number": order.number} if order else spec.new_title
    return render(
        request,
        "documents/lines_form.html",
        {
            "header": header,
            "lines": lines,
            "title": title,
            "submit_label": _("Save draft"),
            "cancel_url": reverse(spec.list_url),
            "show_total": True,
            "price_approval": approval,
            "then": then.values(),
            **{
                key: reverse(value) if key.endswith("_url") else value
                for key, value in spec.context.items()
            },
        },
    )


def order_end(request, order, end, *, detail_url: str):
    """The body of every "cancel or close this order" view: read the reason, call
    ``end(reason)`` (the app's service), say what the order is now."""
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the order ends."))
        order = end(form.cleaned_data["reason"])
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(
            request,
            _("%(number)s is %(status)s.")
            % {"number": order.number, "status": order.get_status_display()},
        )
    return redirect(detail_url, pk=order.pk)

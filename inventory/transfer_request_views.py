"""The pages of transfer requests between shops (调拨申请): the list, a new
request, a request with the buttons of the steps the user may take now."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.shops import document_or_404, documents_for
from inventory import transfer_requests as services
from inventory.forms import TransferLineFormSet, TransferRequestForm
from inventory.models import TransferRequest
from inventory.services import InsufficientStock
from jxc.forms import InputRulesMixin
from jxc.lists import DocumentList, document_list
from jxc.views import refuse

VIEW = "inventory.view_transferrequest"
ADD = "inventory.add_transferrequest"
CHANGE = "inventory.change_transferrequest"

LIST = DocumentList(
    permission=VIEW,
    title=gettext_lazy("Transfer requests"),
    rows=lambda: TransferRequest.objects.select_related(
        "created_by", "from_warehouse", "to_warehouse"
    ),
    scope=documents_for,
    template="inventory/transferrequest_list.html",
    create_url="inventory:transferrequest_create",
    create_label=gettext_lazy("New transfer request"),
    create_permission=ADD,
    empty_label=gettext_lazy("No transfer requests yet."),
    date_field="created_at",
    date_format="Y-m-d H:i",
)


@require_GET
def transferrequest_list(request):
    return document_list(request, LIST)


@permission_required(ADD, raise_exception=True)
@require_http_methods(["GET", "POST"])
def transferrequest_create(request):
    header = TransferRequestForm(request.POST or None, user=request.user)
    lines = TransferLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        rows = [
            (f.cleaned_data["product"], f.cleaned_data["quantity"])
            for f in lines.forms
            if f.cleaned_data.get("product")
        ]
        try:
            made = services.transfer_request_create(
                submission=header.cleaned_data["submission"],
                from_warehouse=header.cleaned_data["from_warehouse"],
                to_warehouse=header.cleaned_data["to_warehouse"],
                lines=rows,
                note=header.cleaned_data["note"],
                user=request.user,
            )
        except ValidationError as error:
            refuse(request, error)
        else:
            messages.success(request, _("%(number)s sent.") % {"number": made.number})
            return redirect("inventory:transferrequest_detail", pk=made.pk)
    return render(
        request,
        "documents/lines_form.html",
        {
            "header": header,
            "lines": lines,
            "title": _("New transfer request"),
            "submit_label": _("Send the request"),
            "cancel_url": reverse("inventory:transferrequest_list"),
        },
    )


def _request(request, pk) -> TransferRequest:
    return document_or_404(
        request.user,
        TransferRequest.objects.select_related(
            "from_warehouse__shop",
            "to_warehouse__shop",
            "created_by",
            "approved_by",
            "cancelled_by",
            "shipment",
            "receipt",
        ),
        pk=pk,
    )


STEPS = ("approve", "ship", "receive", "cancel")


@permission_required(VIEW, raise_exception=True)
@require_GET
def transferrequest_detail(request, pk):
    document = _request(request, pk)
    user = request.user
    return render(
        request,
        "inventory/transferrequest_detail.html",
        {
            "document": document,
            "lines": document.lines.select_related("product").order_by("pk"),
            "may": {
                step: user.has_perm(CHANGE) and services.may(user, document, step)
                for step in STEPS
            },
        },
    )


class ReasonForm(InputRulesMixin, forms.Form):
    """Why a transfer request is cancelled (control characters refused)."""

    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


def _step(step: str, service, done: str):
    @permission_required(CHANGE, raise_exception=True)
    @require_POST
    def view(request, pk):
        document = _request(request, pk)
        extra = {}
        if step == "cancel":
            reason = ReasonForm(request.POST)
            extra["reason"] = reason.cleaned_data["reason"] if reason.is_valid() else ""
        try:
            if step == "cancel" and not reason.is_valid():
                raise ValidationError(
                    [m for errors in reason.errors.values() for m in errors]
                )
            document = service(request=document, user=request.user, **extra)
        except (InsufficientStock, ValidationError) as error:
            refuse(request, error)
        else:
            messages.success(request, str(done) % {"number": document.number})
        return redirect("inventory:transferrequest_detail", pk=pk)

    view.__name__ = f"transferrequest_{step}"
    return view


transferrequest_approve = _step(
    "approve", services.transfer_request_approve, gettext_lazy("%(number)s approved.")
)
transferrequest_ship = _step(
    "ship",
    services.transfer_request_ship,
    gettext_lazy("%(number)s shipped: the goods are in transit."),
)
transferrequest_receive = _step(
    "receive", services.transfer_request_receive, gettext_lazy("%(number)s received.")
)
transferrequest_cancel = _step(
    "cancel", services.transfer_request_cancel, gettext_lazy("%(number)s cancelled.")
)

"""Finance pages: 收款单 / 付款单, receivables and payables, a customer's or a
supplier's account. Permissions first, then a form or selector, then a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import Customer, Supplier
from finance import exports, selectors, services
from finance.filters import CollectionFilter, DisbursementFilter
from finance.forms import CreditLimitForm, PartnerPickForm, PaymentForm
from finance.models import Payment
from jxc.lists import DocumentList, document_export, document_list
from jxc.views import business_moment, cancel_posted, form_saved, paginate, refuse

COLLECT = "finance.collect_payment"
PAY = "finance.pay_supplier"
RECEIVABLES = "finance.view_receivables"
PAYABLES = "finance.view_payables"
CANCEL = "finance.cancel_payment"
CREDIT = "finance.approve_credit"


# --- 收款单 / 付款单 ----------------------------------------------------------------


LISTS = {
    True: DocumentList(
        permission=RECEIVABLES,
        title=gettext_lazy("Customer payments"),
        rows=lambda: selectors.payments(collections=True),
        template="finance/payment_list.html",
        filterset=CollectionFilter,
        export_url="finance:collection_export",
        party="customer",
        party_label=gettext_lazy("Customer"),
        create_url="finance:collection_create",
        create_label=gettext_lazy("Record a customer payment"),
        create_permission=COLLECT,
    ),
    False: DocumentList(
        permission=PAYABLES,
        title=gettext_lazy("Supplier payments"),
        rows=lambda: selectors.payments(collections=False),
        template="finance/payment_list.html",
        filterset=DisbursementFilter,
        export_url="finance:disbursement_export",
        party="supplier",
        party_label=gettext_lazy("Supplier"),
        create_url="finance:disbursement_create",
        create_label=gettext_lazy("Pay a supplier"),
        create_permission=PAY,
    ),
}


@permission_required(RECEIVABLES, raise_exception=True)
@require_GET
def collection_list(request):
    return document_list(request, LISTS[True], collection=True)


@permission_required(PAYABLES, raise_exception=True)
@require_GET
def disbursement_list(request):
    return document_list(request, LISTS[False], collection=False)


@permission_required(RECEIVABLES, raise_exception=True)
@require_GET
def collection_export(request):
    return document_export(request, LISTS[True], exports.payments)


@permission_required(PAYABLES, raise_exception=True)
@require_GET
def disbursement_export(request):
    return document_export(request, LISTS[False], exports.payments)


def _payment_form(request, *, collection: bool):
    pick = PartnerPickForm(request.GET or None, collection=collection)
    partner = None
    if request.method == "POST":
        pick = PartnerPickForm(request.POST, collection=collection)
    if pick.is_bound and pick.is_valid():
        partner = pick.cleaned_data["partner"]
    key = "customer_id" if collection else "supplier_id"
    items = selectors.open_debits(**{key: partner.pk}) if partner else []
    form = PaymentForm(
        request.POST or None,
        user=request.user,
        collection=collection,
        items=items,
        initial={"partner": partner} if partner else None,
    )
    if request.method == "POST" and (
        payment := form_saved(
            request,
            form,
            lambda data: services.payment_post(
                account=data["account"],
                amount=data["amount"],
                occurred_at=business_moment(data["date"]),
                user=request.user,
                allocations=form.allocations(),
                note=data["note"],
                submission=data["submission"],
                **{("customer" if collection else "supplier"): data["partner"]},
            ),
            lambda payment: _("%(number)s posted.") % {"number": payment.number},
        )
    ):
        return redirect(payment)
    balance = (
        selectors.partner_balance(**{key: partner.pk}) if partner is not None else None
    )
    return render(
        request,
        "finance/payment_form.html",
        {
            "form": form,
            "pick": pick,
            "partner": partner,
            "balance": balance,
            "items": [(row, form[f"pay_{row.item.pk}"]) for row in items],
            "collection": collection,
            "title": _("Record a customer payment")
            if collection
            else _("Pay a supplier"),
            "cancel_url": reverse(
                "finance:collection_list" if collection else "finance:disbursement_list"
            ),
        },
    )


@permission_required(COLLECT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def collection_create(request):
    return _payment_form(request, collection=True)


@permission_required(PAY, raise_exception=True)
@require_http_methods(["GET", "POST"])
def disbursement_create(request):
    return _payment_form(request, collection=False)


def _payment(request, pk) -> Payment:
    payment = get_object_or_404(
        Payment.objects.select_related(
            "customer", "supplier", "account", "created_by", "cancelled_by"
        ),
        pk=pk,
    )
    # A clerk never learns a supplier payment exists.
    if not request.user.has_perm(RECEIVABLES if payment.is_collection else PAYABLES):
        raise PermissionDenied
    return payment


@permission_required(RECEIVABLES, raise_exception=True)
@require_GET
def payment_detail(request, pk):
    payment = _payment(request, pk)
    allocations = selectors.payment_allocations(payment)
    return render(
        request,
        "finance/payment_detail.html",
        {
            "document": payment,
            "allocations": allocations,
            "unallocated": payment.amount - sum(row.amount for row in allocations),
            "heading": _("Customer payment")
            if payment.is_collection
            else _("Supplier payment"),
            "list_url": reverse(
                "finance:collection_list"
                if payment.is_collection
                else "finance:disbursement_list"
            ),
            "can_cancel": request.user.has_perm(CANCEL),
            "cancel_url": reverse("finance:payment_cancel", args=[payment.pk]),
        },
    )


@permission_required(CANCEL, raise_exception=True)
@require_POST
def payment_cancel(request, pk):
    payment = _payment(request, pk)
    return cancel_posted(
        request,
        payment,
        lambda reason: services.payment_cancel(
            payment=payment, user=request.user, reason=reason
        ),
        done=_("%(number)s cancelled; its money was reversed."),
    )


# --- receivables and payables ---------------------------------------------------


def _balances(request, *, customers: bool):
    return render(
        request,
        "finance/balances.html",
        {
            "customers": customers,
            "page_obj": paginate(request, selectors.balances(customers=customers)),
            "total": selectors.totals(customers=customers),
            "title": _("Receivables") if customers else _("Payables"),
        },
    )


@permission_required(RECEIVABLES, raise_exception=True)
@require_GET
def receivables(request):
    return _balances(request, customers=True)


@permission_required(PAYABLES, raise_exception=True)
@require_GET
def payables(request):
    return _balances(request, customers=False)


def _account(request, partner, *, customers: bool):
    key = {"customer_id" if customers else "supplier_id": partner.pk}
    credit_form = None
    if customers and request.user.has_perm(CREDIT):
        credit_form = CreditLimitForm(initial={"credit_limit": partner.credit_limit})
    return render(
        request,
        "finance/partner.html",
        {
            "partner": partner,
            "customers": customers,
            "balance": selectors.partner_balance(**key),
            "open": selectors.open_items(**key),
            "payments": selectors.partner_payments(**key)[:20],
            "entries": paginate(request, selectors.partner_entries(**key), 30),
            "credit_form": credit_form,
            "may_pay": request.user.has_perm(COLLECT if customers else PAY),
        },
    )


@permission_required(RECEIVABLES, raise_exception=True)
@require_GET
def customer_account(request, pk):
    return _account(request, get_object_or_404(Customer, pk=pk), customers=True)


@permission_required(PAYABLES, raise_exception=True)
@require_GET
def supplier_account(request, pk):
    return _account(request, get_object_or_404(Supplier, pk=pk), customers=False)


@permission_required(CREDIT, raise_exception=True)
@require_POST
def credit_limit(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    form = CreditLimitForm(request.POST)
    if form.is_valid():
        try:
            services.credit_limit_save(
                customer=customer,
                limit=form.cleaned_data["credit_limit"],
                user=request.user,
            )
        except ValidationError as error:
            refuse(request, error)
        else:
            messages.success(request, _("Credit limit saved."))
    else:
        refuse(request, ValidationError(form.errors["credit_limit"]))
    return redirect("finance:customer_account", pk=customer.pk)

"""调拨申请: goods one shop asks another for, in four steps.

requested → approved → shipped → received (or cancelled). Who may do what is a
matter of shops (``catalog.shops``): the asking shop's clerks (or the owner) ask
and receive; the supplying shop's clerks (or the owner) approve and ship. Stock
moves only when goods are shipped and received, each time through the ordinary
transfer posting (``inventory.documents.transfer_post``): shipping moves them from
the supplying warehouse to the transit warehouse (在途, ``is_transit``: in no
shop, on no form), receiving from transit to the asking warehouse. So stock pages
and the valuation show goods on the road as 在途, and the ledger's invariant holds
after every step. Cancelling before shipping moves nothing; after shipping only
the owner cancels, and the goods go back from transit to where they came from.
Every step locks the request's row and checks its status under the lock: a
double click does a step once.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, audit_record
from catalog import shops
from catalog.models import Product, Warehouse
from inventory.documents import transfer_post
from inventory.models import TransferRequest, TransferRequestLine
from inventory.models import TransferRequestStatus as Status
from jxc.documents import by_submission, lock, posting
from jxc.numbering import document_number_later

TRANSIT_CODE = "TRANSIT"


def transit_warehouse() -> Warehouse:
    """The one transit warehouse (在途), made the first time goods are shipped."""
    found = Warehouse.objects.filter(is_transit=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Warehouse.objects.create(
                code=TRANSIT_CODE, name="在途", is_transit=True, shop=None
            )
    except IntegrityError:  # made by a concurrent first shipment
        return Warehouse.objects.get(is_transit=True)


def _may_act_in(user, warehouse: Warehouse) -> bool:
    try:
        shops.check_warehouses(user, [warehouse.pk])
    except PermissionDenied:
        return False
    return True


def may(user, request: TransferRequest, step: str) -> bool:
    """Whether ``user`` may take ``step`` (approve, ship, receive, cancel) now."""
    if step in ("approve", "ship"):
        wanted = Status.REQUESTED if step == "approve" else Status.APPROVED
        return request.status == wanted and _may_act_in(user, request.from_warehouse)
    if step == "receive":
        return request.status == Status.SHIPPED and _may_act_in(
            user, request.to_warehouse
        )
    if step == "cancel":
        if request.status in (Status.REQUESTED, Status.APPROVED):
            return _may_act_in(user, request.from_warehouse) or _may_act_in(
                user, request.to_warehouse
            )
        return request.status == Status.SHIPPED and shops.sees_all_shops(user)
    return False


def _refuse(request: TransferRequest, user, step: str) -> None:
    if not may(user, request, step):
        raise ValidationError(
            _("%(number)s is %(status)s: you cannot do that now.")
            % {"number": request.number, "status": request.get_status_display()}
        )


@posting
def transfer_request_create(
    *,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    lines: list[tuple[Product, Decimal]],
    note: str,
    user,
    submission=None,
) -> TransferRequest:
    """Ask ``from_warehouse``'s shop for goods, into one of the user's warehouses."""
    if existing := by_submission(TransferRequest, submission):
        return existing
    if from_warehouse.pk == to_warehouse.pk:
        raise ValidationError(_("A transfer needs two different warehouses."))
    if from_warehouse.is_transit or to_warehouse.is_transit:
        raise ValidationError(_("Goods in transit cannot be asked for."))
    if not _may_act_in(user, to_warehouse):
        raise PermissionDenied
    if not lines:
        raise ValidationError(_("A document needs at least one line."))
    seen = set()
    for product, quantity in lines:
        if product.pk in seen:
            raise ValidationError(
                _("“%(name)s” appears on two lines; put it on one line.")
                % {"name": product.name}
            )
        seen.add(product.pk)
        if quantity <= 0:
            raise ValidationError(
                _("The quantity of “%(name)s” must be greater than zero.")
                % {"name": product.name}
            )
    request = TransferRequest(
        submission=submission,
        from_warehouse=from_warehouse,
        to_warehouse=to_warehouse,
        note=note,
        created_by=user,
    )
    document_number_later(request, prefix="TRQ")
    request.save()
    TransferRequestLine.objects.bulk_create(
        [
            TransferRequestLine(request=request, product=product, quantity=quantity)
            for product, quantity in lines
        ]
    )
    audit_record(
        user=user,
        action=Action.CREATE,
        record=request,
        changes={
            "from_warehouse": [None, str(from_warehouse)],
            "to_warehouse": [None, str(to_warehouse)],
            "lines": [None, len(lines)],
        },
    )
    return request


def _locked(request: TransferRequest) -> TransferRequest:
    locked = lock(TransferRequest, request.pk)
    locked.from_warehouse = Warehouse.objects.get(pk=locked.from_warehouse_id)
    locked.to_warehouse = Warehouse.objects.get(pk=locked.to_warehouse_id)
    return locked


def _lines(request: TransferRequest) -> list[tuple[Product, Decimal]]:
    return [
        (line.product, line.quantity)
        for line in request.lines.select_related("product").order_by("pk")
    ]


def _status(request, user, old: str) -> None:
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=request,
        changes={"status": [str(Status(old).label), str(request.get_status_display())]},
    )


@posting
def transfer_request_approve(*, request: TransferRequest, user) -> TransferRequest:
    request = _locked(request)
    if request.status == Status.APPROVED:
        return request  # a second click
    _refuse(request, user, "approve")
    request.status = Status.APPROVED
    request.approved_by, request.approved_at = user, timezone.now()
    request.save(update_fields=["status", "approved_by", "approved_at"])
    _status(request, user, Status.REQUESTED)
    return request


@posting
def transfer_request_ship(*, request: TransferRequest, user) -> TransferRequest:
    """The supplying shop sends the goods: from its warehouse into transit."""
    request = _locked(request)
    if request.status == Status.SHIPPED:
        return request
    _refuse(request, user, "ship")
    request.shipment = transfer_post(
        from_warehouse=request.from_warehouse,
        to_warehouse=transit_warehouse(),
        lines=_lines(request),
        note=request.number,
        user=user,
    )
    request.status = Status.SHIPPED
    request.save(update_fields=["status", "shipment"])
    _status(request, user, Status.APPROVED)
    return request


@posting
def transfer_request_receive(*, request: TransferRequest, user) -> TransferRequest:
    """The asking shop takes the goods in: from transit into its warehouse."""
    request = _locked(request)
    if request.status == Status.RECEIVED:
        return request
    _refuse(request, user, "receive")
    request.receipt = transfer_post(
        from_warehouse=transit_warehouse(),
        to_warehouse=request.to_warehouse,
        lines=_lines(request),
        note=request.number,
        user=user,
    )
    request.status = Status.RECEIVED
    request.save(update_fields=["status", "receipt"])
    _status(request, user, Status.SHIPPED)
    return request


@posting
def transfer_request_cancel(
    *, request: TransferRequest, user, reason: str
) -> TransferRequest:
    """Before shipping: nothing moved, nothing to undo. After shipping (the owner
    only): the goods go back from transit to the supplying warehouse."""
    request = _locked(request)
    if request.status == Status.CANCELLED:
        return request
    _refuse(request, user, "cancel")
    if not reason.strip():
        raise ValidationError(_("Say why it is cancelled."))
    if request.status == Status.SHIPPED:
        # The goods come back as a transfer of their own (the shipment stays).
        request.receipt = transfer_post(
            from_warehouse=transit_warehouse(),
            to_warehouse=request.from_warehouse,
            lines=_lines(request),
            note=request.number,
            user=user,
        )
    fields = request.mark_cancelled(user=user, reason=reason)
    request.save(update_fields=[*fields, "receipt"])
    audit_record(
        user=user,
        action=Action.CANCEL,
        record=request,
        changes={"cancel_reason": [None, request.cancel_reason]},
    )
    return request

"""One lifecycle for purchase and sales orders: placed, received or shipped against,
ended (cancelled, or closed short), each step checked under the order's lock,
bumping the order's version (a form opened before is stale) and written to the
audit trail.

Each app configures one ``OrderLifecycle`` (its model, statuses and which line
counter says "done") and keeps only its own rules around it: purchasing the price
band and the tolerance, sales the reservations and discounts.

Posted documents (receipts, shipments, returns) share the check before a cancel
and its audit entry.

Kernel module: it imports no app. The audit trail's writer is handed in
(``audit``: ``audit.services``, with ``audit_entry``, ``audit_record``, ``Action``,
``snapshot`` and ``changes``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jxc.decimals import MAX_QUANTITY
from jxc.decimals import quantity as round_quantity
from jxc.documents import check_version, lock
from jxc.models import DocumentStatus
from jxc.numbering import document_number_later


def check_quantities(lines) -> None:
    """Quantities a document line holds: above zero, at most 3 decimals."""
    for line in lines:
        held = line.quantity.is_finite() and 0 < line.quantity <= MAX_QUANTITY
        if not held or round_quantity(line.quantity) != line.quantity:
            raise ValidationError(
                _(
                    "The quantity of “%(name)s” must be greater than zero: between "
                    "0.001 and 999,999,999.999, with at most 3 decimals."
                )
                % {"name": line.product.name}
            )


def check_products(products: Iterable) -> None:
    """A document's products: at least one, each on one line, none deactivated.
    Given line inputs (with ``product`` and ``unit``) instead, a product may be on
    one line per unit (1 箱 and 3 瓶 at the counter)."""
    products = list(products)
    if not products:
        raise ValidationError(_("A document needs at least one line."))
    seen = set()
    for item in products:
        product = getattr(item, "product", item)
        key = (product.pk, getattr(getattr(item, "unit", None), "pk", None))
        if key in seen:
            raise ValidationError(
                _("“%(name)s” appears on two lines; put it on one line.")
                % {"name": product.name}
            )
        seen.add(key)
        if not product.is_active:
            raise ValidationError(
                _("“%(name)s” is deactivated.") % {"name": product.name}
            )


def check_cancel(document, reason: str) -> None:
    """A locked posted document may be cancelled, for a reason."""
    if document.status != DocumentStatus.POSTED:
        raise ValidationError(
            _("%(number)s is already cancelled.") % {"number": document.number}
        )
    if not reason.strip():
        raise ValidationError(_("Say why the document is cancelled."))


def cancel_entry(audit: ModuleType, document, user):
    """The audit entry (unsaved) of a posted document being cancelled."""
    return audit.audit_entry(
        user=user,
        action=audit.Action.CANCEL,
        record=document,
        summary=document.cancel_reason,
        changes={"status": [DocumentStatus.POSTED, DocumentStatus.CANCELLED]},
    )


@dataclass(frozen=True)
class OrderStatuses:
    """An app's names for the steps every order goes through."""

    draft: str
    placed: str  # ordered / confirmed: received or shipped against from now on
    partial: str
    done: str  # received / shipped in full
    cancelled: str
    closed: str  # closed short: the rest will not come or go

    @property
    def open(self) -> list[str]:
        return [self.placed, self.partial]

    @classmethod
    def of(cls, choices) -> OrderStatuses:
        """From an app's TextChoices declaring its six statuses in this order."""
        statuses = cls(*choices)
        if (statuses.draft, statuses.cancelled, statuses.closed) != (
            "draft",
            "cancelled",
            "closed",
        ):
            raise ValueError(f"{choices} does not list an order's statuses in order")
        return statuses


@dataclass(frozen=True)
class OrderLifecycle:
    """The steps of one kind of order (see the module's docstring)."""

    model: type
    statuses: OrderStatuses
    # The line's counter of what was received or shipped against it.
    done_field: str
    # Who placed it and when: "<placed_by>_by" / "<placed_by>_at" on the model.
    placed_by: str
    audit: ModuleType

    def refuse_unless(self, order, *statuses: str, message: str) -> None:
        """Refuse (ValidationError, ``message`` with number and status) unless the
        order is in one of ``statuses``."""
        if order.status not in statuses:
            raise ValidationError(
                message % {"number": order.number, "status": order.get_status_display()}
            )

    def draft(
        self,
        order,
        *,
        version: int | None,
        user,
        submission,
        prefix: str,
        day,
        audit_fields: list[str],
    ):
        """The draft a save writes to, and its header as it was (None: new).

        An existing draft is locked, checked against the ``version`` its form was
        opened on and gets a new version; a new one is numbered ``prefix`` on
        ``day`` when it is saved."""
        if order is None:
            order = self.model(submission=submission, created_by=user)
            document_number_later(order, prefix=prefix, day=day)
            return order, None
        order = lock(self.model, order.pk)
        check_version(order, version)
        order.version += 1
        self.refuse_unless(
            order,
            self.statuses.draft,
            message=_("%(number)s is %(status)s: only a draft can be edited."),
        )
        return order, self.audit.snapshot(order, audit_fields)

    def draft_save(self, order, rows) -> None:
        """Save the draft and its new lines (the old ones deleted by the app)."""
        order.save()
        for row in rows:
            row.order = order
        order.lines.model.objects.bulk_create(rows)

    def draft_audit(self, order, *, before, rows, user, audit_fields) -> None:
        """The audit entry of a draft saved: created, or what changed."""
        found = self.audit.changes(before, order, audit_fields)
        if before is None:
            found["lines"] = [None, len(rows)]
        self.audit.audit_record(
            user=user,
            action=self.audit.Action.CREATE
            if before is None
            else self.audit.Action.CHANGE,
            record=order,
            changes=found,
        )

    def place(self, order, *, user, at=None, changes: dict | None = None, fields=()):
        """Place a locked draft (after the app's own checks): status, who and when
        (``at``, default now), a new version, one audit entry. ``fields``: more
        fields the app set."""
        order.status = self.statuses.placed
        setattr(order, f"{self.placed_by}_by", user)
        setattr(order, f"{self.placed_by}_at", at or timezone.now())
        order.version += 1
        order.save(
            update_fields=[
                "status",
                f"{self.placed_by}_by",
                f"{self.placed_by}_at",
                "version",
                *fields,
            ]
        )
        self.audit.audit_record(
            user=user,
            action=self.audit.Action.CONFIRM,
            record=order,
            changes=changes or {"status": [self.statuses.draft, self.statuses.placed]},
        )
        return order

    def end(
        self,
        *,
        order,
        user,
        reason: str,
        may_end: Callable[[object], bool],
        refusal: str,
        release: Callable[[object], Iterable[str]] | None = None,
    ):
        """Cancel an order nothing was received or shipped for, or close one short.

        Under the order's lock: ``may_end(order)`` says whether the user may end
        it once it is no longer a draft (``refusal`` says why not, with its number);
        ``release(order)`` undoes what the app holds for it and returns the
        fields it changed. The reason is stored stripped; the version moves on.
        """
        statuses = self.statuses
        order = lock(self.model, order.pk)
        was = order.status
        if order.status != statuses.draft and not may_end(order):
            raise ValidationError(refusal % {"number": order.number})
        started = order.lines.filter(**{f"{self.done_field}__gt": 0}).exists()
        if order.status == statuses.draft or (
            order.status == statuses.placed and not started
        ):
            order.status = statuses.cancelled
        elif order.status in statuses.open:
            order.status = statuses.closed
        else:
            raise ValidationError(
                _("%(number)s is %(status)s and cannot be ended.")
                % {"number": order.number, "status": order.get_status_display()}
            )
        reason = reason.strip()
        if not reason:
            raise ValidationError(_("Say why the order ends."))
        released = list(release(order)) if release is not None else []
        order.closed_by, order.closed_at, order.close_reason = (
            user,
            timezone.now(),
            reason,
        )
        order.version += 1
        order.save(
            update_fields=[
                "status",
                "closed_by",
                "closed_at",
                "close_reason",
                "version",
                *released,
            ]
        )
        cancelled = order.status == statuses.cancelled
        self.audit.audit_record(
            user=user,
            action=self.audit.Action.CANCEL if cancelled else self.audit.Action.CLOSE,
            record=order,
            summary=reason,
            changes={"status": [was, order.status]},
        )
        return order

    def status_refresh(self, order) -> None:
        """The status of a placed order from its lines (not saved): done when every
        line is, partial when any has started, else placed."""
        statuses = self.statuses
        if order.status not in (*statuses.open, statuses.done):
            return
        lines = list(order.lines.all())
        done = [getattr(line, self.done_field) for line in lines]
        if all(d >= line.quantity for d, line in zip(done, lines, strict=True)):
            order.status = statuses.done
        elif any(d > 0 for d in done):
            order.status = statuses.partial
        else:
            order.status = statuses.placed

    def document_applied(
        self, order, *, was: str, document, user, action=None, fields=()
    ):
        """A receipt or shipment against the locked order was posted or cancelled:
        save its status (and ``fields``) with a new version; returns the order's
        audit entry (unsaved), naming the document."""
        order.version += 1
        order.save(update_fields=["status", "version", *fields])
        return self.audit.audit_entry(
            user=user,
            action=action or self.audit.Action.CHANGE,
            record=order,
            summary=document.number,
            changes={"status": [was, order.status]} if was != order.status else {},
        )

"""Every write of the counter: its settings, the shift (float, cash paid out,
close) and returns at the counter with their refunds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from audit.changes import changes, snapshot
from audit.services import Action, audit_record
from counter import selectors
from counter.models import CashPaidOut, CounterSettings, Shift
from jxc.documents import by_submission, lock, posting
from jxc.formatting import money as yuan
from sales import services as sales_services
from sales.models import PaymentMethod, SalePayment, SalesOrder, SalesReturn

ZERO = Decimal("0")
MAX_CASH = Decimal("99999999.99")
SETTINGS_FIELDS = ["auto_print", "scale_prefix", "scale_layout", "opening_float"]
# The order a refund takes the sale's methods in when the clerk does not split it:
# what is still owed first (挂账: the customer owes less), then cash from the
# drawer (at once), then the electronic methods (refunded in their apps).
REFUND_ORDER = [
    PaymentMethod.ACCOUNT,
    PaymentMethod.CASH,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
    PaymentMethod.CARD,
]


@transaction.atomic
def counter_settings_save(*, data: dict, user=None) -> CounterSettings:
    """Save the owner's counter rules (one row), with an audit entry of what
    changed."""
    current, _created = CounterSettings.objects.select_for_update().get_or_create(pk=1)
    before = snapshot(current, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        setattr(current, name, data[name])
    found = changes(before, current, SETTINGS_FIELDS)
    if found:
        current.save()
        audit_record(
            user=user, action=Action.CHANGE, record=current, label="", changes=found
        )
    return current


# --- the shift ----------------------------------------------------------------------


def _shift(clerk, day: date) -> Shift:
    """The clerk's shift of ``day``, opened with the owner's float if it is the
    first need of it, and locked."""
    Shift.objects.get_or_create(
        clerk=clerk,
        day=day,
        defaults={"opening_float": selectors.counter_settings().opening_float},
    )
    # Two first needs at once: one insert wins, the other fails on the unique
    # (clerk, day) and its posting runs again, finding the row.
    return Shift.objects.select_for_update().get(clerk=clerk, day=day)


def _refuse_closed(shift: Shift) -> None:
    if shift.is_closed:
        raise ValidationError(
            _("This shift was closed at %(time)s; it can no longer change.")
            % {"time": time_format(timezone.localtime(shift.closed_at), "H:i")}
        )


def _check_cash(amount: Decimal, *, zero_ok: bool) -> None:
    if amount is None or amount < 0 or (amount == 0 and not zero_ok):
        raise ValidationError(_("Enter an amount greater than zero."))
    if amount > MAX_CASH:
        raise ValidationError(_("That amount is larger than a cash drawer holds."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("An amount has at most 2 decimals."))


@posting
def shift_open(*, clerk, day: date | None = None) -> Shift:
    """The clerk's shift of the day (today by default), opened if needed."""
    return _shift(clerk, day or timezone.localdate())


@posting
def shift_float_set(*, clerk, amount: Decimal, user, day: date | None = None) -> Shift:
    """Change the shift's opening float: only before its first sale or return,
    and never on a closed shift."""
    day = day or timezone.localdate()
    _check_cash(amount, zero_ok=True)
    shift = _shift(clerk, day)
    _refuse_closed(shift)
    if selectors.counted_payments(day, clerk.pk).exists():
        raise ValidationError(
            _(
                "The float can only change before the first sale of the shift; "
                "record cash taken out as paid out instead."
            )
        )
    if shift.opening_float != amount:
        was = shift.opening_float
        shift.opening_float = amount
        shift.save(update_fields=["opening_float"])
        audit_record(
            user=user,
            action=Action.CHANGE,
            record=shift,
            changes={"opening_float": [str(was), str(amount)]},
        )
    return shift


@posting
def shift_paid_out_add(
    *,
    clerk,
    amount: Decimal,
    note: str,
    user,
    day: date | None = None,
    submission=None,
) -> CashPaidOut:
    """Record cash taken out of the drawer during the shift (with what for); the
    shift's paid-out total follows. A second submit of the same form records once."""
    if existing := by_submission(CashPaidOut, submission):
        return existing
    _check_cash(amount, zero_ok=False)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say what the cash was paid out for."))
    shift = _shift(clerk, day or timezone.localdate())
    if existing := by_submission(CashPaidOut, submission):
        return existing
    _refuse_closed(shift)
    if shift.paid_out + amount > MAX_CASH:
        raise ValidationError(_("That amount is larger than a cash drawer holds."))
    paid = CashPaidOut.objects.create(
        shift=shift, amount=amount, note=note, submission=submission, created_by=user
    )
    shift.paid_out += amount
    shift.save(update_fields=["paid_out"])
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=shift,
        summary=_("Cash paid out %(amount)s: %(note)s")
        % {"amount": yuan(amount), "note": note},
    )
    return paid


@posting
def shift_close(
    *, clerk, counted_cash: Decimal, note: str, user, day: date | None = None
) -> Shift:
    """Close the clerk's shift: store the cash expected (float + cash sales − cash
    refunds − cash paid out) and counted, and the moment. Under the shift's lock,
    so a double click or a second tab closes once; a closed shift is refused."""
    day = day or timezone.localdate()
    _check_cash(counted_cash, zero_ok=True)
    shift = _shift(clerk, day)
    _refuse_closed(shift)
    figures = selectors.clerk_day(clerk=clerk, day=day)
    shift.expected_cash = figures.expected_cash
    shift.counted_cash = counted_cash
    shift.note = (note or "").strip()[:200]
    shift.closed_at = timezone.now()
    shift.save(update_fields=["expected_cash", "counted_cash", "note", "closed_at"])
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=shift,
        summary=_("Shift closed: cash expected %(expected)s, counted %(counted)s")
        % {"expected": yuan(shift.expected_cash), "counted": yuan(counted_cash)},
    )
    return shift


# --- returns at the counter -----------------------------------------------------------


def refund_split(
    total: Decimal, left: dict[str, Decimal], wanted: dict[str, Decimal] | None
) -> dict[str, Decimal]:
    """How a return of ``total`` is refunded among the sale's methods: as the clerk
    split it (every method one the sale was paid with, at most what it can still
    give back, the parts adding up to the total), or by REFUND_ORDER."""
    wanted = {m: a for m, a in (wanted or {}).items() if a}
    if not wanted:
        split, rest = {}, total
        for method in REFUND_ORDER:
            take = min(rest, max(left.get(method, ZERO), ZERO))
            if take > 0:
                split[method] = take
                rest -= take
        if rest > 0:
            raise ValidationError(
                _("The sale has only %(left)s left to refund, not %(total)s.")
                % {"left": yuan(sum(left.values(), ZERO)), "total": yuan(total)}
            )
        return split
    for method, amount in wanted.items():
        label = PaymentMethod(method).label
        if amount < 0:
            raise ValidationError(_("A refund amount cannot be negative."))
        if method not in left:
            raise ValidationError(
                _("The sale was not paid by %(method)s.") % {"method": label}
            )
        if amount > left[method]:
            raise ValidationError(
                _("%(method)s can give back at most %(left)s of this sale.")
                % {"method": label, "left": yuan(left[method])}
            )
    if sum(wanted.values(), ZERO) != total:
        raise ValidationError(
            _(
                "The refund parts add up to %(parts)s, but the goods returned are "
                "worth %(total)s. Make them equal, or leave them empty to refund "
                "automatically."
            )
            % {"parts": yuan(sum(wanted.values(), ZERO)), "total": yuan(total)}
        )
    return wanted


@posting
def counter_return_post(
    *,
    order: SalesOrder,
    quantities: dict[int, Decimal],
    reason: str,
    user,
    refunds: dict[str, Decimal] | None = None,
    submission=None,
) -> SalesReturn:
    """Take goods of a counter sale back (shipment line id → quantity) and refund
    them by the sale's own methods: negative payment rows of the return, written
    in the same transaction and adding up to its total. A second submit of the
    same form posts once."""
    if existing := by_submission(SalesReturn, submission):
        return existing
    if not order.is_retail:
        raise ValidationError(_("Only a counter sale is returned here."))
    shipment = order.shipments.order_by("pk").first()
    if shipment is None:
        raise ValidationError(_("Nothing of this sale has left the shop."))
    document = sales_services.sales_return_post(
        shipment=shipment,
        quantities=quantities,
        reason=reason,
        occurred_at=timezone.now(),
        user=user,
        submission=submission,
    )
    # The shipment is locked now: two returns of one sale refund one at a time.
    if document.refunds.exists():
        return document  # the first click of a double click made it
    order = lock(SalesOrder, order.pk)
    split = refund_split(document.total, selectors.refundable(order), refunds)
    SalePayment.objects.bulk_create(
        SalePayment(
            sales_return=document, method=method, amount=-amount, created_by=user
        )
        for method, amount in split.items()
    )
    return document

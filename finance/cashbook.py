"""The cash book's writes: money accounts, transfers between them and 日常收支
(other income and expenses). Every balance change posts through
``finance.services.money_post`` / ``money_reverse`` (the one posting service);
this module only makes the documents and audits them.

``account_save(account=, data=, user=)``
    Add or edit a money account (name, kind, may go below zero, active). Its
    balance is never a form's: only postings change it.
``transfer_post(from_account=, to_account=, amount=, occurred_at=, user=, ...)``
    资金调拨 ZZ-…: one document, two entries (out of one account, into the other),
    refused when the source would go below zero without overdraft.
``transfer_cancel(transfer=, user=, reason=)``
    Cancel by reversal (the money goes back; refused when the receiving account
    no longer holds it and may not go below zero).
``category_save(category=, data=, user=)``
    Add or edit an income or expense category.
``cash_post(category=, account=, amount=, occurred_at=, user=, ...)`` /
``cash_cancel(entry=, user=, reason=)``
    日常收支 SZ-…: income into an account or an expense paid from it.
``till_cash_post(reason=, amount=, occurred_at=, user=, note=)``
    The counter's drawer in the cash book: cash paid out during a shift (an
    expense 现金支出) and the shift close's over / short (现金长短款), into or out
    of the account counter cash pays into (现金).

A second submit of the same form posts once (``submission``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import services as audit
from audit.services import Action
from finance.models import (
    Account,
    CashCategory,
    CashDirection,
    CashEntry,
    EntryKind,
    Transfer,
)
from finance.services import EntryLine, Holder, _check_amount, money_post, money_reverse
from jxc.documents import by_submission, lock, posting
from jxc.numbering import document_number_later
from jxc.orders import cancel_entry, check_cancel
from jxc.posting import SourceRef

ACCOUNT_FIELDS = ["name", "kind", "allow_overdraft", "is_active"]
CATEGORY_FIELDS = ["name", "direction", "is_active"]


def _positive(amount) -> Decimal:
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError(_("The amount must be greater than zero."))
    _check_amount(amount)
    return amount


def _changes(record, data: dict, fields: list[str]) -> dict:
    return {
        name: [getattr(record, name), data[name]]
        for name in fields
        if name in data and getattr(record, name) != data[name]
    }


# --- accounts -------------------------------------------------------------------------


@posting
def account_save(*, account: Account | None, data: dict, user) -> Account:
    """Add (``account`` None) or edit a money account. Overdraft cannot be taken
    away while the account is below zero."""
    if account is None:
        account = Account(
            **{name: data[name] for name in ACCOUNT_FIELDS if name in data}
        )
        account.save()
        audit.audit_record(
            user=user,
            action=Action.CREATE,
            record=account,
            changes={name: [None, getattr(account, name)] for name in ACCOUNT_FIELDS},
        )
        return account
    account = lock(Account, account.pk)
    changes = _changes(account, data, ACCOUNT_FIELDS)
    if not changes:
        return account
    if (
        "allow_overdraft" in changes
        and not data["allow_overdraft"]
        and account.balance < 0
    ):
        raise ValidationError(
            _(
                "“%(account)s” is below zero: put money in before it may no longer "
                "go below zero."
            )
            % {"account": account}
        )
    for name, (_was, now) in changes.items():
        setattr(account, name, now)
    account.save(update_fields=list(changes))
    audit.audit_record(user=user, action=Action.CHANGE, record=account, changes=changes)
    return account


# --- transfers ------------------------------------------------------------------------


@posting
def transfer_post(
    *,
    from_account: Account,
    to_account: Account,
    amount,
    occurred_at,
    user,
    note: str = "",
    submission=None,
) -> Transfer:
    """Move ``amount`` from one account to another (two entries, one document)."""
    if existing := by_submission(Transfer, submission):
        return existing
    if from_account.pk == to_account.pk:
        raise ValidationError(_("Choose two different accounts."))
    amount = _positive(amount)
    for account in (from_account, to_account):
        if not account.is_active:
            raise ValidationError(
                _("The account “%(account)s” is no longer in use.")
                % {"account": account}
            )
    transfer = Transfer(
        submission=submission,
        from_account=from_account,
        to_account=to_account,
        amount=amount,
        occurred_at=occurred_at,
        note=note.strip(),
        created_by=user,
    )
    document_number_later(
        transfer, prefix="ZZ", day=timezone.localtime(occurred_at).date()
    )
    transfer.save()
    money_post(
        lines=[
            EntryLine(Holder.account(from_account.pk), -amount, EntryKind.TRANSFER),
            EntryLine(Holder.account(to_account.pk), amount, EntryKind.TRANSFER),
        ],
        source=SourceRef.of(transfer),
        occurred_at=occurred_at,
        user=user,
    )
    audit.audit_record(
        user=user,
        action=Action.POST,
        record=transfer,
        summary=f"{from_account} → {to_account}",
        changes={
            "from_account": [None, str(from_account)],
            "to_account": [None, str(to_account)],
            "amount": [None, amount],
        },
    )
    return transfer


@posting
def transfer_cancel(*, transfer: Transfer, user, reason: str) -> Transfer:
    transfer = lock(Transfer, transfer.pk)
    check_cancel(transfer, reason)
    now = timezone.now()
    money_reverse(source=SourceRef.of(transfer), occurred_at=now, user=user)
    transfer.save(
        update_fields=transfer.mark_cancelled(user=user, reason=reason, at=now)
    )
    cancel_entry(audit, transfer, user).save()
    return transfer


# --- 日常收支 -------------------------------------------------------------------


@posting
def category_save(*, category: CashCategory | None, data: dict, user) -> CashCategory:
    """Add or edit a category; a name is used once per direction."""
    name = data["name"].strip()
    if not name:
        raise ValidationError(_("Give the category a name."))
    data = {**data, "name": name}
    taken = CashCategory.objects.filter(name=name, direction=data["direction"])
    if category is not None:
        taken = taken.exclude(pk=category.pk)
    if taken.exists():
        raise ValidationError(
            _("There is already a category “%(name)s”.") % {"name": name}
        )
    if category is None:
        category = CashCategory.objects.create(
            **{field: data[field] for field in CATEGORY_FIELDS if field in data}
        )
        audit.audit_record(
            user=user,
            action=Action.CREATE,
            record=category,
            changes={
                field: [None, getattr(category, field)] for field in CATEGORY_FIELDS
            },
        )
        return category
    category = lock(CashCategory, category.pk)
    changes = _changes(category, data, CATEGORY_FIELDS)
    if "direction" in changes and CashEntry.objects.filter(category=category).exists():
        raise ValidationError(
            _("This category is used: it stays income or expense as it was.")
        )
    if changes:
        for field, (_was, now) in changes.items():
            setattr(category, field, now)
        category.save(update_fields=list(changes))
        audit.audit_record(
            user=user, action=Action.CHANGE, record=category, changes=changes
        )
    return category


@posting
def cash_post(
    *,
    category: CashCategory,
    account: Account,
    amount,
    occurred_at,
    user,
    note: str = "",
    submission=None,
    from_counter: bool = False,
) -> CashEntry:
    """Record other income (into ``account``) or an expense (paid from it);
    ``from_counter`` for the counter's own entries (till_cash_post)."""
    if existing := by_submission(CashEntry, submission):
        return existing
    amount = _positive(amount)
    if not category.is_active:
        raise ValidationError(
            _("The category “%(category)s” is no longer in use.")
            % {"category": category}
        )
    if not account.is_active:
        raise ValidationError(
            _("The account “%(account)s” is no longer in use.") % {"account": account}
        )
    income = category.direction == CashDirection.INCOME
    entry = CashEntry(
        submission=submission,
        category=category,
        direction=category.direction,
        account=account,
        amount=amount,
        occurred_at=occurred_at,
        note=note.strip(),
        created_by=user,
        from_counter=from_counter,
    )
    document_number_later(
        entry, prefix="SZ", day=timezone.localtime(occurred_at).date()
    )
    entry.save()
    money_post(
        lines=[
            EntryLine(
                Holder.account(account.pk),
                amount if income else -amount,
                EntryKind.INCOME if income else EntryKind.EXPENSE,
                memo=category.name,
            )
        ],
        source=SourceRef.of(entry),
        occurred_at=occurred_at,
        user=user,
    )
    audit.audit_record(
        user=user,
        action=Action.POST,
        record=entry,
        summary=category.name,
        changes={
            "category": [None, category.name],
            "account": [None, str(account)],
            "amount": [None, amount],
        },
    )
    return entry


class TillReason:
    """Why the counter's drawer posts to the cash book (the category it uses)."""

    PAID_OUT = ("现金支出", CashDirection.EXPENSE)
    OVER = ("现金长短款", CashDirection.INCOME)
    SHORT = ("现金长短款", CashDirection.EXPENSE)


def till_account() -> Account:
    """The account the counter's cash goes into (payment method cash: 现金)."""
    account = Account.objects.filter(payment_method="cash").first()
    if account is None:
        raise ValidationError(
            _(
                "No money account takes the counter's cash: the owner sets one "
                "to the payment method cash in the cash book."
            )
        )
    return account


@posting
def till_cash_post(
    *, reason: tuple[str, str], amount, occurred_at, user, note: str = ""
) -> CashEntry:
    """A 日常收支 entry of the counter's drawer (``TillReason``): into or out of
    the cash account, refused (nothing written) when that account would go below
    zero. Its category is made again if the owner renamed it."""
    name, direction = reason
    category, _created = CashCategory.objects.get_or_create(
        name=name, direction=direction
    )
    return cash_post(
        category=category,
        account=till_account(),
        amount=amount,
        occurred_at=occurred_at,
        user=user,
        note=note[:200],
        from_counter=True,
    )


COUNTER_ENTRY = gettext_lazy(
    "This entry belongs to a shift at the counter (cash paid out, or a close's "
    "over / short) and is not cancelled on its own: reopen the shift (重新开班) on "
    "its page instead."
)


@posting
def cash_cancel(
    *, entry: CashEntry, user, reason: str, by_shift: bool = False
) -> CashEntry:
    """Cancel a 日常收支 entry by reversal. The counter's own entries only as part
    of reopening their shift (``by_shift``)."""
    entry = lock(CashEntry, entry.pk)
    if entry.from_counter and not by_shift:
        raise ValidationError(COUNTER_ENTRY)
    check_cancel(entry, reason)
    now = timezone.now()
    money_reverse(source=SourceRef.of(entry), occurred_at=now, user=user)
    entry.save(update_fields=entry.mark_cancelled(user=user, reason=reason, at=now))
    cancel_entry(audit, entry, user).save()
    return entry

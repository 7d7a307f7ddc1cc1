"""The only writer of money: every MoneyEntry, balance, open item and allocation
passes here (the money ledger's rules are in finance/models.py).

The API
-------
``money_post(lines=[EntryLine(holder, amount, kind)], source=, occurred_at=,
user=)``
    The one posting service: writes the entries and the balances of their
    holders (``Holder.customer(id)``, ``Holder.supplier(id)``,
    ``Holder.account(id)``) in one transaction, locking the balance rows first in
    one order (customers by id, then suppliers by id, then accounts by id), so
    two postings can never deadlock; a missing partner balance row is created
    race-free (insert ignoring conflicts, then lock). An account may not go below
    zero unless the owner allowed overdraft on it (refused, nothing written).
    Transfers, expenses and income (account-only entries) post through it.
``money_reverse(source=, occurred_at=, user=)``
    A cancel: posts the reverse of every entry ``source`` posted, takes back the
    allocations of its open items (what they settled is open again) and marks
    them cancelled; freed credits settle the partner's open documents again.
``document_post(posting=, kind=)``
    What the receivers call for a document posting (a shipment, a sales return,
    a receipt, a purchase return): the partner's receivable or payable (an open
    item), the money paid on it as it posted (``posting.payments``: into or out
    of accounts, settling it), then the partner's prepayments settle what is
    still open. ``kind`` is a key of ``DOCUMENTS``.
``document_payments_post(posting=)``
    Money paid on a document that posted earlier in the same transaction (a
    counter sale's payment rows).
``payment_post(...)`` / ``payment_cancel(...)``
    收款单 / 付款单: money from a customer into an account (or from an account to
    a supplier), allocated against the partner's open documents (oldest first
    unless ``allocations`` says which); the rest is a prepayment.

Every entry point is a ``jxc.documents.posting`` (one transaction, retried on a
conflict); called from a document's posting they join its transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from audit.services import Action, audit_entry, audit_record_many
from catalog.models import Customer, Supplier
from finance.models import (
    Account,
    Allocation,
    EntryKind,
    ItemKind,
    MoneyEntry,
    OpenItem,
    PartnerBalance,
    Payment,
)
from finance.signals import payment_posted
from jxc.bulk import rows_update
from jxc.decimals import MAX_VALUE, money
from jxc.documents import before_commit, by_submission, lock, posting
from jxc.formatting import money as yuan
from jxc.numbering import document_number_later
from jxc.orders import cancel_entry, check_cancel
from jxc.posting import Partner, Posting, PostingPayment, SourceRef

ZERO = Decimal("0")
KINDS = ("customer", "supplier", "account")
# The counter's 挂账: no money changes hands, the sale stays owed.
ON_ACCOUNT = "account"


@dataclass(frozen=True)
class Holder:
    """Whose balance an entry changes: a customer, a supplier or an account."""

    kind: str
    id: int

    @classmethod
    def customer(cls, pk: int) -> Holder:
        return cls("customer", pk)

    @classmethod
    def supplier(cls, pk: int) -> Holder:
        return cls("supplier", pk)

    @classmethod
    def account(cls, pk: int) -> Holder:
        return cls("account", pk)

    @classmethod
    def of(cls, partner: Partner) -> Holder:
        return cls(partner.kind, partner.id)

    @classmethod
    def of_row(cls, row) -> Holder:
        """The holder of an entry or an open item."""
        for kind in KINDS:
            if pk := getattr(row, f"{kind}_id", None):
                return cls(kind, pk)
        raise ValueError(f"{row!r} has no holder")

    @property
    def field(self) -> str:
        return f"{self.kind}_id"

    @property
    def sort_key(self) -> tuple[int, int]:
        return (KINDS.index(self.kind), self.id)


@dataclass(frozen=True)
class EntryLine:
    """One balance change a posting asks for: ``amount`` is signed (see the
    signs in finance/models.py). An account line may name its account by the
    counter payment ``method`` instead (holder id 0): the active account that
    method pays into."""

    holder: Holder
    amount: Decimal
    kind: str
    memo: str = ""
    method: str = ""


# --- balances ------------------------------------------------------------------


def balances_lock(holders: Iterable[Holder]) -> dict[Holder, PartnerBalance]:
    """Lock (creating them if missing) the balance rows of the partners among
    ``holders``: customers by id, then suppliers by id. Two first postings of a
    new partner cannot both create its row, nor miss each other's. Accounts are
    locked at the end of the posting (``_accounts_write``)."""
    wanted = sorted(
        {holder for holder in holders if holder.kind != "account"},
        key=lambda holder: holder.sort_key,
    )
    found: dict[Holder, PartnerBalance] = {}
    for kind in ("customer", "supplier"):
        ids = [holder.id for holder in wanted if holder.kind == kind]
        if not ids:
            continue

        def locked(kind=kind, ids=ids):
            rows = (
                PartnerBalance.objects.select_for_update()
                .filter(**{f"{kind}_id__in": ids})
                .order_by(f"{kind}_id")
            )
            return {getattr(row, f"{kind}_id"): row for row in rows}

        rows = locked()
        missing = [pk for pk in ids if pk not in rows]
        if missing:
            PartnerBalance.objects.bulk_create(
                [PartnerBalance(**{f"{kind}_id": pk}) for pk in missing],
                ignore_conflicts=True,
            )
            rows = locked()
        found.update({Holder(kind, pk): rows[pk] for pk in ids})
    return found


def _check_amount(amount: Decimal) -> None:
    if amount != money(amount):
        raise ValidationError(_("An amount of money has at most 2 decimals."))
    if amount == 0:
        raise ValidationError(_("An amount of money cannot be zero."))
    if abs(amount) > MAX_VALUE:
        raise ValidationError(
            _("%(amount)s is more than this shop can record.")
            % {"amount": yuan(amount)}
        )


def _too_much(balance: Decimal) -> None:
    if abs(balance) > MAX_VALUE:
        raise ValidationError(
            _("%(amount)s is more than this shop can record.")
            % {"amount": yuan(balance)}
        )


def _entry(
    line: EntryLine, holder: Holder, balance, *, source, occurred_at, user, reversal
):
    return MoneyEntry(
        **{holder.field: holder.id},
        amount=line.amount,
        kind=line.kind,
        memo=line.memo[:200],
        is_reversal=reversal,
        occurred_at=occurred_at,
        balance_after=balance,
        created_by=user,
        source_type_id=source.content_type_id if source else None,
        source_id=source.object_id if source else None,
        source_number=source.number if source else "",
    )


def _entries_write(
    lines: Sequence[EntryLine],
    balances: dict[Holder, PartnerBalance],
    *,
    source: SourceRef | None,
    occurred_at,
    user,
    reversal: bool = False,
) -> list[MoneyEntry]:
    """Write the partners' entries and balances now (their rows are locked) and
    the accounts' at the end of the posting (``before_commit``): a till every
    cash sale pays into is locked from then to the commit only."""
    for line in lines:
        _check_amount(line.amount)
    account_lines = [line for line in lines if line.holder.kind == "account"]
    entries = []
    for line in lines:
        if line.holder.kind == "account":
            continue
        row = balances[line.holder]
        row.balance += line.amount
        _too_much(row.balance)
        entries.append(
            _entry(
                line,
                line.holder,
                row.balance,
                source=source,
                occurred_at=occurred_at,
                user=user,
                reversal=reversal,
            )
        )
    if entries:
        MoneyEntry.objects.bulk_create(entries)
        now = timezone.now()
        changed = {id(row): row for row in balances.values()}
        for row in changed.values():
            row.updated_at = now
        rows_update(list(changed.values()), ["balance", "updated_at"])
    if account_lines:
        before_commit(
            functools.partial(
                _accounts_write,
                account_lines,
                source=source,
                occurred_at=occurred_at,
                user=user,
                reversal=reversal,
            )
        )
    return entries


def _accounts_write(lines, *, source, occurred_at, user, reversal) -> None:
    """Lock the accounts of ``lines`` (in id order, one query; by id or by the
    payment method mapped to an active account), refuse one that would go below
    zero without overdraft, write the entries and the balances."""
    ids = {line.holder.id for line in lines if line.holder.id}
    methods = {line.method for line in lines if not line.holder.id}
    rows = list(
        Account.objects.select_for_update()
        .filter(Q(pk__in=ids) | Q(payment_method__in=methods, is_active=True))
        .order_by("pk")
    )
    by_id = {row.pk: row for row in rows}
    by_method = {row.payment_method: row for row in rows if row.payment_method}
    if not ids <= set(by_id):
        raise ValidationError(_("That money account no longer exists."))
    for method in sorted(methods - set(by_method)):
        raise ValidationError(
            _(
                "No money account takes payments by “%(method)s”; the owner sets "
                "that under money accounts."
            )
            % {"method": method}
        )
    before = {row.pk: row.balance for row in rows}
    entries = []
    for line in lines:
        row = by_id[line.holder.id] if line.holder.id else by_method[line.method]
        if not row.is_active and not reversal:
            raise ValidationError(
                _("The account “%(account)s” is no longer in use.") % {"account": row}
            )
        row.balance += line.amount
        _too_much(row.balance)
        entries.append(
            _entry(
                line,
                Holder.account(row.pk),
                row.balance,
                source=source,
                occurred_at=occurred_at,
                user=user,
                reversal=reversal,
            )
        )
    short = [
        row
        for row in rows
        if row.balance < 0 and row.balance < before[row.pk] and not row.allow_overdraft
    ]
    if short:
        raise ValidationError(
            _("Not enough money: %(accounts)s.")
            % {
                "accounts": "; ".join(
                    _("“%(account)s” holds %(balance)s, %(needed)s needed")
                    % {
                        "account": row.name,
                        "balance": yuan(before[row.pk]),
                        "needed": yuan(before[row.pk] - row.balance),
                    }
                    for row in short
                )
            }
        )
    MoneyEntry.objects.bulk_create(entries)
    rows_update([row for row in rows if row.balance != before[row.pk]], ["balance"])


@posting
def money_post(
    *,
    lines: Sequence[EntryLine],
    source: SourceRef | None,
    occurred_at,
    user,
) -> list[MoneyEntry]:
    """Post entries and update their holders' balances, atomically (the API is in
    this module's docstring). Refused (ValidationError, nothing written) for a bad
    amount or an account that would go below zero without overdraft. Returns the
    partners' entries; the accounts' are written as the posting ends."""
    if not lines:
        raise ValidationError(_("A document needs at least one line."))
    balances = balances_lock(line.holder for line in lines)
    return _entries_write(
        lines, balances, source=source, occurred_at=occurred_at, user=user
    )


# --- open items and allocations -------------------------------------------------


class _Allocator:
    """Allocations made in one posting, and the items they made or changed: new
    items are inserted with what they settled already (one INSERT), changed ones
    updated in one statement, then the allocations inserted."""

    def __init__(self, user):
        self.user = user
        self.rows: list[Allocation] = []
        self.items: dict[int, OpenItem] = {}
        self.new: list[OpenItem] = []

    def add(self, item: OpenItem) -> OpenItem:
        """A new item, inserted by ``flush``."""
        item.refresh_open()
        self.new.append(item)
        return item

    def allocate(self, debit: OpenItem, credit: OpenItem, amount: Decimal) -> None:
        """``amount`` of ``credit`` settles ``debit`` (negative: taken back)."""
        if not amount:
            return
        debit.settled += amount
        credit.settled -= amount
        for item in (debit, credit):
            item.refresh_open()
            if item.pk is not None:
                self.items[item.pk] = item
        self.rows.append(
            Allocation(debit=debit, credit=credit, amount=amount, created_by=self.user)
        )

    def match(self, item: OpenItem, others: Iterable[OpenItem]) -> None:
        """Settle ``item`` from ``others`` (opposite sign) in their order."""
        for other in others:
            if not item.is_open:
                return
            if (
                not other.is_open
                or other is item
                or (other.pk is not None and other.pk == item.pk)
            ):
                continue
            debit, credit = (item, other) if item.amount > 0 else (other, item)
            amount = min(debit.open_amount, -credit.open_amount)
            if amount > 0:
                self.allocate(debit, credit, amount)

    def flush(self) -> None:
        """Write what was made and allocated so far."""
        if self.new:
            OpenItem.objects.bulk_create(self.new)
        if self.items:
            rows_update(list(self.items.values()), ["settled", "cancelled", "is_open"])
        for row in self.rows:
            row.debit_id, row.credit_id = row.debit.pk, row.credit.pk
        if self.rows:
            Allocation.objects.bulk_create(self.rows)
        self.items, self.rows, self.new = {}, [], []


def _open_items(holder: Holder, *, credits: bool) -> list[OpenItem]:
    """The partner's open debits (documents owed) or credits (prepayments,
    returns), oldest first. The partner's balance row is locked."""
    sign = Q(amount__lt=0) if credits else Q(amount__gt=0)
    return list(
        OpenItem.objects.filter(
            sign, is_open=True, **{holder.field: holder.id}
        ).order_by("occurred_at", "id")
    )


def _consume(holder: Holder, item: OpenItem, allocator: _Allocator) -> None:
    """An open ``item`` settles against the partner's open items of the other
    sign, oldest first (a new document consumes prepayments; a return or a
    freed payment settles open documents)."""
    if item.is_open:
        # The database must see this posting's allocations so far.
        allocator.flush()
        allocator.match(item, _open_items(holder, credits=item.amount > 0))


def _item(holder: Holder, *, kind, source: SourceRef, occurred_at, amount) -> OpenItem:
    """A new open item (unsaved: the allocator inserts it)."""
    return OpenItem(
        **{holder.field: holder.id},
        kind=kind,
        source_type_id=source.content_type_id,
        source_id=source.object_id,
        source_number=source.number,
        occurred_at=occurred_at,
        amount=amount,
    )


# --- documents --------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentKind:
    item: str
    entry: str
    sign: int  # +1: the partner owes (is owed) more; -1: less (a return)


DOCUMENTS: dict[str, DocumentKind] = {
    "shipment": DocumentKind(ItemKind.SHIPMENT, EntryKind.SHIPMENT, 1),
    "sales_return": DocumentKind(ItemKind.SALES_RETURN, EntryKind.SALES_RETURN, -1),
    "receipt": DocumentKind(ItemKind.RECEIPT, EntryKind.RECEIPT, 1),
    "purchase_return": DocumentKind(
        ItemKind.PURCHASE_RETURN, EntryKind.PURCHASE_RETURN, -1
    ),
}


DOCUMENT_ITEMS = {spec.item for spec in DOCUMENTS.values()}


def _paid(payments: Sequence[PostingPayment]) -> list[PostingPayment]:
    """The payments that pay money (挂账 rows pay nothing), checked."""
    paid = []
    for payment in payments:
        if payment.method == ON_ACCOUNT and payment.account_id is None:
            continue
        if payment.amount <= 0:
            raise ValidationError(_("An amount paid must be greater than zero."))
        _check_amount(payment.amount)
        paid.append(payment)
    return paid


def _paid_total(payments: list[PostingPayment]) -> Decimal:
    return sum((payment.amount for payment in payments), ZERO)


def _paid_kind(holder: Holder, sign: int) -> str:
    if sign < 0:
        return EntryKind.REFUND
    return EntryKind.COLLECTED if holder.kind == "customer" else EntryKind.PAID


def _settle_lines(
    holder: Holder,
    sign: int,
    paid: list[PostingPayment],
    memo: str = "",
    *,
    partner_side: bool = True,
) -> list[EntryLine]:
    """The entries of money paid on a document of ``sign``: the partner owes less
    (a customer pays, the shop pays a supplier) or, for a return, the money goes
    back; the accounts take it in or pay it out. Without ``partner_side`` only the
    accounts change (a walk-in customer's sale, paid as it posts)."""
    total = _paid_total(paid)
    kind = _paid_kind(holder, sign)
    # Money comes in from a customer's sale and from a supplier's return.
    inward = sign if holder.kind == "customer" else -sign
    lines = [EntryLine(holder, -sign * total, kind, memo)] if partner_side else []
    return lines + [
        EntryLine(
            Holder.account(payment.account_id or 0),
            inward * payment.amount,
            kind,
            memo,
            method="" if payment.account_id else payment.method,
        )
        for payment in paid
    ]


def _document_settle(
    holder, document: OpenItem | None, sign, paid, *, source, occurred_at, allocator
) -> OpenItem:
    """The settlement item of money paid on ``document`` (allocated to it)."""
    total = _paid_total(paid)
    settlement = allocator.add(
        _item(
            holder,
            kind=ItemKind.SETTLEMENT,
            source=source,
            occurred_at=occurred_at,
            amount=-sign * total,
        )
    )
    if document is not None:
        allocator.match(document, [settlement])
    return settlement


@posting
def document_post(*, posting: Posting, kind: str) -> None:
    """A document's receivable or payable and the money paid on it as it posted
    (see the module's docstring). A document without money posts nothing; one
    without a partner (a walk-in customer's counter sale) posts only the money it
    was paid into the accounts."""
    spec = DOCUMENTS[kind]
    total = money(posting.total)
    payments = _paid(posting.payments)
    if posting.partner is None:
        if payments:
            _entries_write(
                _settle_lines(
                    Holder.customer(0), spec.sign, payments, partner_side=False
                ),
                {},
                source=posting.source,
                occurred_at=posting.occurred_at,
                user=posting.user,
            )
        return
    if not total and not payments:
        return
    holder = Holder.of(posting.partner)
    balances = balances_lock([holder])
    paid = payments
    lines = []
    if total:
        lines.append(EntryLine(holder, spec.sign * total, spec.entry))
    if paid:
        lines += _settle_lines(holder, spec.sign, paid)
    _entries_write(
        lines,
        balances,
        source=posting.source,
        occurred_at=posting.occurred_at,
        user=posting.user,
    )
    allocator = _Allocator(posting.user)
    document = None
    if total:
        document = allocator.add(
            _item(
                holder,
                kind=spec.item,
                source=posting.source,
                occurred_at=posting.occurred_at,
                amount=spec.sign * total,
            )
        )
    if paid:
        settlement = _document_settle(
            holder,
            document,
            spec.sign,
            paid,
            source=posting.source,
            occurred_at=posting.occurred_at,
            allocator=allocator,
        )
        _consume(holder, settlement, allocator)
    if document is not None:
        _consume(holder, document, allocator)
    allocator.flush()


@posting
def document_payments_post(*, posting: Posting) -> None:
    """Money paid (``posting.payments``) on the document ``posting.source`` that
    posted earlier in this transaction, e.g. a counter sale's payment rows. Only
    挂账 rows: nothing is paid, the document stays owed."""
    payments = _paid(posting.payments)
    if not payments:
        return
    if posting.partner is None:
        # A walk-in sale: the money into the accounts, nothing owed.
        document_post(
            posting=Posting(
                source=posting.source,
                occurred_at=posting.occurred_at,
                user=posting.user,
                payments=posting.payments,
            ),
            kind="shipment",
        )
        return
    holder = Holder.of(posting.partner)
    balances = balances_lock([holder])
    paid = payments
    items = list(
        OpenItem.objects.filter(
            source_type_id=posting.source.content_type_id,
            source_id=posting.source.object_id,
            cancelled=False,
        )
    )
    if any(item.kind == ItemKind.SETTLEMENT for item in items):
        raise ValidationError(
            _("The payment of %(number)s is already recorded.")
            % {"number": posting.source.number}
        )
    document = next((item for item in items if item.kind in DOCUMENT_ITEMS), None)
    sign = 1 if document is None or document.amount > 0 else -1
    _entries_write(
        _settle_lines(holder, sign, paid),
        balances,
        source=posting.source,
        occurred_at=posting.occurred_at,
        user=posting.user,
    )
    allocator = _Allocator(posting.user)
    settlement = _document_settle(
        holder,
        document,
        sign,
        paid,
        source=posting.source,
        occurred_at=posting.occurred_at,
        allocator=allocator,
    )
    _consume(holder, settlement, allocator)
    allocator.flush()


@posting
def money_reverse(*, source: SourceRef, occurred_at, user) -> list[MoneyEntry]:
    """Cancel what ``source`` posted: the reverse of each of its entries, its items'
    allocations taken back and the items cancelled; what that freed settles the
    partner's other open items (a payment's credit, a document owed again)."""
    entries = list(
        MoneyEntry.objects.filter(
            source_type_id=source.content_type_id,
            source_id=source.object_id,
            is_reversal=False,
        ).order_by("pk")
    )
    items = list(
        OpenItem.objects.filter(
            source_type_id=source.content_type_id,
            source_id=source.object_id,
            cancelled=False,
        )
    )
    if not entries and not items:
        return []
    holders = {Holder.of_row(row) for row in [*entries, *items]}
    balances = balances_lock(holders)
    # Re-read under the partners' locks: another posting may have allocated.
    ids = [item.pk for item in items]
    items = list(OpenItem.objects.filter(pk__in=ids))
    allocator = _Allocator(user)
    nets = (
        Allocation.objects.filter(Q(debit_id__in=ids) | Q(credit_id__in=ids))
        .values("debit_id", "credit_id")
        .annotate(net=Sum("amount"))
        .exclude(net=0)
    )
    pairs = [(row["debit_id"], row["credit_id"], row["net"]) for row in nets]
    others = {
        item.pk: item
        for item in OpenItem.objects.filter(
            pk__in={pk for d, c, _n in pairs for pk in (d, c)} - set(ids)
        )
    }
    known = {**others, **{item.pk: item for item in items}}
    for debit, credit, net in pairs:
        allocator.allocate(known[debit], known[credit], -net)
    for item in items:
        item.cancelled = True
        item.refresh_open()
        allocator.items[item.pk] = item
    written = _entries_write(
        [
            EntryLine(Holder.of_row(entry), -entry.amount, entry.kind, entry.memo)
            for entry in entries
        ],
        balances,
        source=source,
        occurred_at=occurred_at,
        user=user,
        reversal=True,
    )
    for other in sorted(others.values(), key=lambda item: (item.occurred_at, item.pk)):
        _consume(Holder.of_row(other), other, allocator)
    allocator.flush()
    return written


# --- 收款单 / 付款单 ---------------------------------------------------------------


def _partner_of(customer, supplier) -> Holder:
    if (customer is None) == (supplier is None):
        raise ValidationError(_("Choose a customer or a supplier."))
    if customer is not None:
        return Holder.customer(customer.pk)
    return Holder.supplier(supplier.pk)


@posting
def payment_post(
    *,
    account: Account,
    amount: Decimal,
    occurred_at,
    user,
    customer: Customer | None = None,
    supplier: Supplier | None = None,
    allocations: dict[int, Decimal] | None = None,
    note: str = "",
    submission=None,
) -> Payment:
    """收款单 (``customer``: money into ``account``) or 付款单 (``supplier``: money out
    of it). ``allocations`` (open item id → amount) says which documents it pays;
    None pays the oldest first. What is not allocated is a prepayment. A second
    submit of the same form posts once."""
    if existing := by_submission(Payment, submission):
        return existing
    holder = _partner_of(customer, supplier)
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError(_("The amount must be greater than zero."))
    _check_amount(amount)
    balances = balances_lock([holder])
    # A double click waited for the first click's locks: show what it posted.
    if existing := by_submission(Payment, submission):
        return existing
    if not account.is_active:
        raise ValidationError(
            _("The account “%(account)s” is no longer in use.") % {"account": account}
        )
    payment = Payment(
        submission=submission,
        customer=customer,
        supplier=supplier,
        account=account,
        amount=amount,
        occurred_at=occurred_at,
        note=note.strip(),
        created_by=user,
    )
    document_number_later(
        payment,
        prefix="SK" if customer is not None else "FK",
        day=timezone.localtime(occurred_at).date(),
    )
    payment.save()
    source = SourceRef.of(payment)
    partner = customer or supplier
    _entries_write(
        _settle_lines(holder, 1, [PostingPayment(amount, account_id=account.pk)]),
        balances,
        source=source,
        occurred_at=occurred_at,
        user=user,
    )
    allocator = _Allocator(user)
    credit = allocator.add(
        _item(
            holder,
            kind=ItemKind.PAYMENT,
            source=source,
            occurred_at=occurred_at,
            amount=-amount,
        )
    )
    debits = _open_items(holder, credits=False)
    if allocations is None:
        allocator.match(credit, debits)
    else:
        _allocate_chosen(credit, debits, allocations, allocator)
    allocated = [
        (row.debit.source_number, row.amount)
        for row in allocator.rows
        if row.credit is credit
    ]
    allocator.flush()
    payment_posted.send(Payment, payment=payment, allocated=allocated)
    audit_record_many(
        [
            audit_entry(
                user=user,
                action=Action.POST,
                record=payment,
                summary=str(partner),
                changes={
                    "customer" if customer else "supplier": [None, str(partner)],
                    "account": [None, str(account)],
                    "amount": [None, amount],
                    "allocated": [None, -credit.settled],
                },
            )
        ]
    )
    return payment


def _allocate_chosen(credit, debits, allocations, allocator) -> None:
    by_id = {item.pk: item for item in debits}
    total = ZERO
    for item_id, amount in sorted(allocations.items()):
        amount = Decimal(amount)
        if not amount:
            continue
        item = by_id.get(item_id)
        if item is None:
            raise ValidationError(
                _(
                    "A document to pay is no longer open; the page shows what is "
                    "open now."
                )
            )
        if amount < 0 or amount != money(amount):
            raise ValidationError(
                _(
                    "The amount for %(number)s must be positive, with at most 2 "
                    "decimals."
                )
                % {"number": item.source_number}
            )
        if amount > item.open_amount:
            raise ValidationError(
                _("%(number)s has %(open)s open, not %(amount)s.")
                % {
                    "number": item.source_number,
                    "open": yuan(item.open_amount),
                    "amount": yuan(amount),
                }
            )
        total += amount
        if total > -credit.amount:
            raise ValidationError(
                _("The amounts allocated add up to more than the payment.")
            )
        allocator.allocate(item, credit, amount)


@posting
def payment_cancel(*, payment: Payment, user, reason: str) -> Payment:
    """Cancel a 收款单 / 付款单 by reversal: the money leaves (returns to) the
    account, the documents it paid are owed again."""
    payment = lock(Payment, payment.pk)
    check_cancel(payment, reason)
    now = timezone.now()
    money_reverse(source=SourceRef.of(payment), occurred_at=now, user=user)
    payment.save(update_fields=payment.mark_cancelled(user=user, reason=reason, at=now))
    payment_posted.send(Payment, payment=payment, allocated=[], reversal=True)
    cancel_entry(audit, payment, user).save()
    return payment


# --- credit limits ------------------------------------------------------------------


@posting
def credit_limit_save(*, customer: Customer, limit: Decimal | None, user) -> Customer:
    """Set what ``customer`` may owe at most (None: no limit); audited."""
    if limit is not None and (limit < 0 or limit != money(limit) or limit > MAX_VALUE):
        raise ValidationError(
            _("A credit limit is zero or more, with at most 2 decimals.")
        )
    customer = lock(Customer, customer.pk)
    was = customer.credit_limit
    if was == limit:
        return customer
    customer.credit_limit = limit
    customer.save(update_fields=["credit_limit"])
    audit.audit_record(
        user=user,
        action=Action.CHANGE,
        record=customer,
        changes={"credit_limit": [was, limit]},
    )
    return customer

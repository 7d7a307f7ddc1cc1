"""The posting payload: what a document tells the ledgers when it posts or is
cancelled (kernel; imports no app).

A document (receipt, purchase return, shipment, sales return …) sends one
:class:`Posting` through its own :class:`PostingSignal` inside the posting
transaction. Each ledger listens: inventory turns the lines into stock moves
(``inventory/receivers.py``); a money ledger would turn the amounts and the
partner into receivables and payables. The rules:

- **Listeners return nothing.** ``PostingSignal.send`` refuses a listener that
  returns a value, so one ledger can never mix its rows into another's or be
  read by the sender through the signal. A document that needs what a ledger
  decided (the cost the goods left at) reads it afterwards through that ledger's
  selector (``inventory.selectors.posted_costs``).
- **A listener that raises rolls the whole document back** (the signal is sent
  inside the posting transaction; ``send`` lets the exception through).
- **Money paid as the document posts** (本次收款 / 本次付款, a counter sale's
  payment rows) travels in ``payments``; the money ledger settles the
  document's receivable or payable with it in the same transaction
  (``finance/receivers.py``). Inventory ignores it.
- **A cancel is one reverse-by-source per ledger.** A cancelling document sends a
  posting with ``reversal=True`` and no lines; each ledger reverses what it
  posted for ``source`` (inventory: ``stock_document_reverse``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.dispatch import Signal

ZERO = Decimal("0")


@dataclass(frozen=True)
class SourceRef:
    """The document a posting comes from, for the ledgers' links and display."""

    content_type_id: int | None
    object_id: int | None
    number: str

    @classmethod
    def of(cls, document) -> SourceRef:
        return cls(
            ContentType.objects.get_for_model(document).pk,
            document.pk,
            getattr(document, "number", "") or "",
        )


@dataclass(frozen=True)
class Partner:
    """Who the document is with: ``kind`` is "customer" or "supplier"."""

    kind: str
    id: int

    @classmethod
    def of(cls, document) -> Partner | None:
        """The supplier or customer a document (or order) is with, if any."""
        for kind in ("supplier", "customer"):
            if partner_id := getattr(document, f"{kind}_id", None):
                return cls(kind, partner_id)
        return None


@dataclass(frozen=True)
class PostingLine:
    """One document line as the ledgers see it.

    ``quantity`` is signed and in the product's base unit: positive comes into
    stock, negative goes out. ``unit_cost`` is the cost goods come in at (a
    receipt) or leave at when the document knows it (a return to the supplier at
    the receipt's cost); None means the ledger decides (the moving average).
    ``value`` makes an inbound line bring back exactly this stock value (a sales
    return takes back the cost its shipment took out). ``amount`` is the line's
    money (what the customer pays or the supplier is owed), never signed.
    """

    line: int | None
    product_id: int
    warehouse_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None
    value: Decimal | None = None
    amount: Decimal = ZERO


@dataclass(frozen=True)
class PostingPayment:
    """Money paid on the document as it posts, never signed: what the customer
    pays (or is refunded, for a return) or what the supplier is paid (or pays
    back). ``account_id`` names the money account; without it ``method`` names
    a counter payment method ("cash", "wechat", "alipay", "card") the money
    ledger maps to its account, and "account" (挂账) is no payment: it stays
    owed. ``tendered`` is the cash handed over (cash only; for the slip)."""

    amount: Decimal
    account_id: int | None = None
    method: str = ""
    tendered: Decimal | None = None


@dataclass(frozen=True)
class Posting:
    """A document posting (or, with ``reversal``, its cancel) for every ledger.

    ``reservations`` is the stock the shipped sales order holds per (product id,
    warehouse id), which a shipment may use and consumes; without it outbound
    lines take free stock only.

    ``payments`` is money paid on the document as it posts (see
    :class:`PostingPayment`); a posting with payments and no lines pays a
    document that posted earlier in the same transaction (a counter sale's
    payment rows, ``sales.signals.payments_recorded``).
    """

    source: SourceRef
    occurred_at: datetime
    user: Any
    lines: tuple[PostingLine, ...] = ()
    partner: Partner | None = None
    reversal: bool = False
    reservations: Mapping[tuple[int, int], Decimal] = field(default_factory=dict)
    payments: tuple[PostingPayment, ...] = ()

    @classmethod
    def cancel_of(cls, document, *, occurred_at, user) -> Posting:
        """The cancel of a posted document: no lines; every ledger reverses what it
        posted for this source."""
        return cls(
            source=SourceRef.of(document),
            occurred_at=occurred_at,
            user=user,
            partner=Partner.of(document),
            reversal=True,
        )

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


class PostingSignal(Signal):
    """A document's "posted" signal: sent with one :class:`Posting`; listeners
    return nothing."""

    def send(self, sender, *, posting: Posting) -> None:  # type: ignore[override]
        for receiver, result in super().send(sender, posting=posting):
            if result is not None:
                raise TypeError(
                    f"{receiver!r} returned a value from a posting signal; a "
                    "listener posts into its own ledger and returns nothing."
                )

    def send_robust(self, sender, **named):  # pragma: no cover - guarded
        raise TypeError("A posting signal is sent inside the transaction: use send().")

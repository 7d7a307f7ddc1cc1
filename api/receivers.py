"""Postings → the webhook outbox, in the posting's own transaction.

- ``stock.changed`` from the stock ledger itself (``inventory.signals.
  stock_changed``, sent by the one writer of stock): every kind of change, with
  the levels as that posting wrote them under their row locks.
- ``document.posted`` / ``document.cancelled`` from the documents' posting
  signals (receipts, shipments — counter sales among them — and returns) and
  from finance's ``payment_posted`` (收款单 / 付款单).

Like every listener (jxc.posting) they return nothing; one that raised would
roll the posting back, so they only read and insert, and a rolled-back posting
takes its events with it. The document's number is taken just before commit
(jxc.numbering): the events name the document by type and id, and
deliver_webhooks adds the number.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from api.models import EventKind
from api.services import webhook_events_add, webhook_keys
from jxc.decimals import money
from jxc.posting import Posting


def document_of(source) -> dict:
    content_type = ContentType.objects.get_for_id(source.content_type_id)
    return {
        "app": content_type.app_label,
        "type": content_type.model,
        "id": source.object_id,
    }


def document_of_ref(source) -> dict | None:
    return document_of(source) if source and source.content_type_id else None


def on_posted(sender, *, posting: Posting, **kwargs) -> None:
    """document.posted / document.cancelled for a receipt, shipment or return
    (its stock.changed events come from the stock ledger, on_stock_changed)."""
    keys = webhook_keys()
    if not keys:
        return
    partner = (
        {"kind": posting.partner.kind, "id": posting.partner.id}
        if posting.partner
        else None
    )
    event = (
        EventKind.DOCUMENT_CANCELLED if posting.reversal else EventKind.DOCUMENT_POSTED,
        {
            "document": document_of(posting.source),
            "occurred_at": posting.occurred_at.isoformat(),
            "partner": partner,
            "lines": [
                {
                    "product_id": line.product_id,
                    "warehouse_id": line.warehouse_id,
                    "quantity": str(line.quantity),
                }
                for line in posting.lines
            ],
        },
    )
    webhook_events_add(keys, [event])


def on_stock_changed(sender, *, levels, source, occurred_at, **kwargs) -> None:
    """stock.changed for every level a stock posting changed, whatever the kind
    (inventory.signals: receipts, shipments, counter sales and returns,
    adjustments, transfers, stocktakes, opening stock, cancels), as written."""
    keys = webhook_keys()
    if not keys:
        return
    document = document_of_ref(source)
    webhook_events_add(
        keys,
        [
            (
                EventKind.STOCK_CHANGED,
                {
                    "product_id": level.product_id,
                    "sku": level.product.sku,
                    "warehouse_id": level.warehouse_id,
                    "on_hand": str(level.on_hand),
                    "reserved": str(level.reserved),
                    "available": str(level.on_hand - level.reserved),
                    "document": document,
                    "occurred_at": occurred_at.isoformat(),
                },
            )
            for level in levels
        ],
    )


def on_payment(sender, *, payment, allocated, reversal=False, **kwargs) -> None:
    """document.posted / document.cancelled for a 收款单 or 付款单."""
    keys = webhook_keys()
    if not keys:
        return
    partner = (
        {"kind": "customer", "id": payment.customer_id}
        if payment.customer_id
        else {"kind": "supplier", "id": payment.supplier_id}
    )
    event = (
        EventKind.DOCUMENT_CANCELLED if reversal else EventKind.DOCUMENT_POSTED,
        {
            "document": {"app": "finance", "type": "payment", "id": payment.pk},
            "occurred_at": (
                payment.cancelled_at if reversal else payment.occurred_at
            ).isoformat(),
            "partner": partner,
            "account_id": payment.account_id,
            "amount": str(money(payment.amount)),
            "allocated": [
                {"document": number, "amount": str(money(amount))}
                for number, amount in allocated
            ],
            "lines": [],
        },
    )
    webhook_events_add(keys, [event])


def connect() -> None:
    from finance.signals import payment_posted
    from inventory.signals import stock_changed
    from purchasing import signals as purchasing_signals
    from sales import signals as sales_signals

    for signal, name in (
        (purchasing_signals.receipt_posted, "receipt_posted"),
        (purchasing_signals.purchase_return_posted, "purchase_return_posted"),
        (sales_signals.shipment_posted, "shipment_posted"),
        (sales_signals.sales_return_posted, "sales_return_posted"),
    ):
        signal.connect(on_posted, dispatch_uid=f"api.{name}")
    stock_changed.connect(on_stock_changed, dispatch_uid="api.stock_changed")
    payment_posted.connect(on_payment, dispatch_uid="api.payment_posted")

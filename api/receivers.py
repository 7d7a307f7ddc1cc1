"""Document postings → the webhook outbox, in the posting's own transaction.

Connected after inventory's receivers (the api app comes later in
INSTALLED_APPS), so the stock levels read here are the ones the posting just
wrote, under its row locks. Like every listener (jxc.posting) they return
nothing; one that raised would roll the document back, so they only read and
insert. The document's number is taken just before commit (jxc.numbering): the
events name the document by type and id, and deliver_webhooks adds the number.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from api.models import EventKind
from api.services import webhook_events_add, webhook_keys
from inventory.models import StockLevel, StockMove
from jxc.posting import Posting


def document_of(source) -> dict:
    content_type = ContentType.objects.get_for_id(source.content_type_id)
    return {
        "app": content_type.app_label,
        "type": content_type.model,
        "id": source.object_id,
    }


def _pairs(posting: Posting) -> set[tuple[int, int]]:
    if posting.reversal:
        return set(
            StockMove.objects.filter(
                source_type_id=posting.source.content_type_id,
                source_id=posting.source.object_id,
            ).values_list("product_id", "warehouse_id")
        )
    return {(line.product_id, line.warehouse_id) for line in posting.lines}


def on_posted(sender, *, posting: Posting, **kwargs) -> None:
    keys = webhook_keys()
    if not keys:
        return
    document = document_of(posting.source)
    partner = (
        {"kind": posting.partner.kind, "id": posting.partner.id}
        if posting.partner
        else None
    )
    events = [
        (
            EventKind.DOCUMENT_CANCELLED
            if posting.reversal
            else EventKind.DOCUMENT_POSTED,
            {
                "document": document,
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
    ]
    pairs = _pairs(posting)
    products = {product for product, _warehouse in pairs}
    levels = (
        StockLevel.objects.filter(product_id__in=products or [0])
        .select_related("product")
        .order_by("product_id", "warehouse_id")
    )
    events += [
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
                "occurred_at": posting.occurred_at.isoformat(),
            },
        )
        for level in levels
        if (level.product_id, level.warehouse_id) in pairs
    ]
    webhook_events_add(keys, events)


def connect() -> None:
    from purchasing import signals as purchasing_signals
    from sales import signals as sales_signals

    for signal, name in (
        (purchasing_signals.receipt_posted, "receipt_posted"),
        (purchasing_signals.purchase_return_posted, "purchase_return_posted"),
        (sales_signals.shipment_posted, "shipment_posted"),
        (sales_signals.sales_return_posted, "sales_return_posted"),
    ):
        signal.connect(on_posted, dispatch_uid=f"api.{name}")

"""Document postings → stock moves. Each receiver is one posting call and returns
nothing (the rule of ``jxc.posting``): a document that needs the costs the ledger
decided reads them afterwards with ``inventory.selectors.posted_costs``.

A receiver that raises (InsufficientStock, ValidationError) propagates through
``PostingSignal.send()`` and rolls the whole document back.
"""

from inventory.models import MoveKind
from inventory.services import MoveLine, stock_document_reverse, stock_moves_post
from jxc.posting import Posting


def _post(kind):
    """A receiver posting one kind of move. Outbound lines of a purchase or sales
    document never take stock reserved for a sales order; a shipment may use its
    own order's reservation (``posting.reservations``). A cancel reverses every
    move the document posted."""

    def receiver(sender, *, posting: Posting, **kwargs) -> None:
        if posting.reversal:
            stock_document_reverse(
                source=posting.source,
                occurred_at=posting.occurred_at,
                user=posting.user,
                free_only=True,
            )
            return
        stock_moves_post(
            lines=[
                MoveLine(
                    line.product_id,
                    line.warehouse_id,
                    line.quantity,
                    line.unit_cost,
                    line.line,
                    value=line.value,
                )
                for line in posting.lines
            ],
            kind=kind,
            source=posting.source,
            occurred_at=posting.occurred_at,
            user=posting.user,
            sale=any(line.quantity < 0 for line in posting.lines),
            own_reserved=posting.reservations,
        )

    receiver.__name__ = f"post_{kind}"
    return receiver


on_receipt_posted = _post(MoveKind.RECEIPT)
on_purchase_return_posted = _post(MoveKind.PURCHASE_RETURN)
on_shipment_posted = _post(MoveKind.SHIPMENT)
on_sales_return_posted = _post(MoveKind.SALES_RETURN)


def connect() -> None:
    from purchasing import signals as purchasing_signals
    from sales import signals as sales_signals

    purchasing_signals.receipt_posted.connect(
        on_receipt_posted, dispatch_uid="inventory.receipt_posted"
    )
    purchasing_signals.purchase_return_posted.connect(
        on_purchase_return_posted, dispatch_uid="inventory.purchase_return_posted"
    )
    sales_signals.shipment_posted.connect(
        on_shipment_posted, dispatch_uid="inventory.shipment_posted"
    )
    sales_signals.sales_return_posted.connect(
        on_sales_return_posted, dispatch_uid="inventory.sales_return_posted"
    )

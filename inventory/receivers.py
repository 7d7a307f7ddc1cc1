"""Document signals → stock moves. Kept lean: each receiver is one posting call.

A receiver that raises (InsufficientStock, ValidationError) propagates through
``Signal.send()`` and rolls the whole document back.
"""

from inventory.models import MoveKind
from inventory.services import stock_moves_post


def _post(kind):
    """A receiver posting one kind of move. Outbound lines of a document never take
    stock reserved for a sales order; a shipment may use its own order's
    reservation (``reservations``: (product id, warehouse id) → quantity)."""

    def receiver(sender, *, lines, source, occurred_at, user, reversal=False, **kwargs):
        return stock_moves_post(
            lines=lines,
            kind=kind,
            source=source,
            occurred_at=occurred_at,
            user=user,
            reversal=reversal,
            sale=any(line.quantity < 0 for line in lines),
            own_reserved=kwargs.get("reservations"),
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

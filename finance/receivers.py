"""Document postings → the money ledger. Each receiver is one posting call and
returns nothing (the rule of ``jxc.posting``); one that raises (an account
without enough money, a bad amount) rolls the whole document back.

Shipments (and counter sales) and sales returns make receivables; receipts and
purchase returns make payables; money paid as a document posts
(``posting.payments``) settles it into the accounts; a cancel reverses by source.
"""

from finance import services
from jxc.posting import Posting

# A receiver runs inside the document's posting transaction: the services' own
# bodies, without a savepoint of their own (the document's rolls back as one).
document_post = services.document_post.__wrapped__
document_payments_post = services.document_payments_post.__wrapped__
money_reverse = services.money_reverse.__wrapped__


def _post(kind):
    def receiver(sender, *, posting: Posting, **kwargs) -> None:
        if posting.reversal:
            money_reverse(
                source=posting.source,
                occurred_at=posting.occurred_at,
                user=posting.user,
            )
            return
        document_post(posting=posting, kind=kind)

    receiver.__name__ = f"money_{kind}"
    return receiver


on_receipt_posted = _post("receipt")
on_purchase_return_posted = _post("purchase_return")
on_shipment_posted = _post("shipment")
on_sales_return_posted = _post("sales_return")


def on_payments_recorded(sender, *, posting: Posting, **kwargs) -> None:
    """A counter sale's payment rows: every row but 挂账 settles the sale."""
    document_payments_post(posting=posting)


def connect() -> None:
    from purchasing import signals as purchasing_signals
    from sales import signals as sales_signals

    purchasing_signals.receipt_posted.connect(
        on_receipt_posted, dispatch_uid="finance.receipt_posted"
    )
    purchasing_signals.purchase_return_posted.connect(
        on_purchase_return_posted, dispatch_uid="finance.purchase_return_posted"
    )
    sales_signals.shipment_posted.connect(
        on_shipment_posted, dispatch_uid="finance.shipment_posted"
    )
    sales_signals.sales_return_posted.connect(
        on_sales_return_posted, dispatch_uid="finance.sales_return_posted"
    )
    sales_signals.payments_recorded.connect(
        on_payments_recorded, dispatch_uid="finance.payments_recorded"
    )

"""What inventory tells the rest of the project (plain Signal objects).

``stock_changed`` is sent by ``inventory.services.stock_moves_post`` — the one
writer of stock, so every kind of change: receipts, shipments, returns, counter
sales, adjustments, transfers, stocktakes, opening stock and every cancel —
inside the posting transaction, after the levels are written, with:

- ``levels``: the StockLevel rows whose on hand changed, as just written (under
  their row locks), each with its ``product`` attached;
- ``source``: the ``jxc.posting.SourceRef`` of the document (None for a posting
  without one) and ``occurred_at``.

A listener only reads and inserts (the api app writes its webhook outbox): one
that raised would roll the posting back, and a rolled-back posting takes what
the listeners wrote with it. Listeners return nothing.
"""

from django.dispatch import Signal

stock_changed = Signal()

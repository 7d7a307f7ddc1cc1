"""Signals the purchasing documents send when they post; inventory turns them into
stock moves (inventory/receivers.py).

Each is sent with ``send()`` inside the posting transaction, with keyword
arguments: ``lines`` (a list of inventory.services.MoveLine: product id,
warehouse id, signed quantity, unit cost for inbound, source line id),
``source`` (inventory.services.SourceRef: the document's content type, id and
number), ``occurred_at``, ``user`` and ``reversal`` (True when cancelling).
"""

from django.dispatch import Signal

receipt_posted = Signal()
purchase_return_posted = Signal()

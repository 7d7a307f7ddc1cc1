"""Signals the sales documents send when they post; inventory turns them into stock
moves (inventory/receivers.py). Arguments as in purchasing/signals.py, and for
``shipment_posted`` also ``reservations``: {(product id, warehouse id): quantity}
reserved for the shipped order, which the shipment may use and consumes. Without
it a shipment (a retail sale) takes free stock only."""

from django.dispatch import Signal

shipment_posted = Signal()
sales_return_posted = Signal()

"""Signals the sales documents send when they post; inventory turns them into stock
moves (inventory/receivers.py). Arguments as in purchasing/signals.py."""

from django.dispatch import Signal

shipment_posted = Signal()
sales_return_posted = Signal()

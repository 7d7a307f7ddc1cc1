"""Signals the sales documents send when they post or are cancelled, each with one
``jxc.posting.Posting`` (lines, source, partner = the customer, occurred_at, user;
``reversal`` when cancelling). For a shipment ``reservations`` is {(product id,
warehouse id): quantity} reserved for the shipped order, which the shipment may
use and consumes; without it a shipment (a retail sale) takes free stock only.
Inventory turns them into stock moves (inventory/receivers.py); listeners return
nothing (see jxc/posting.py)."""

from jxc.posting import PostingSignal

shipment_posted = PostingSignal()
sales_return_posted = PostingSignal()

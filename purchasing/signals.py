"""Signals the purchasing documents send when they post or are cancelled, each
with one ``jxc.posting.Posting`` (lines, source, partner = the supplier,
occurred_at, user; ``reversal`` when cancelling). Inventory turns them into stock
moves (inventory/receivers.py); listeners return nothing (see jxc/posting.py)."""

from jxc.posting import PostingSignal

receipt_posted = PostingSignal()
purchase_return_posted = PostingSignal()

"""Signals the sales documents send when they post or are cancelled, each with one
``jxc.posting.Posting`` (lines, source, partner = the customer, occurred_at, user;
``reversal`` when cancelling). For a shipment ``reservations`` is {(product id,
warehouse id): quantity} reserved for the shipped order, which the shipment may
use and consumes; without it a shipment (a retail sale) takes free stock only.
Inventory turns them into stock moves (inventory/receivers.py), finance into
receivables (finance/receivers.py); listeners return nothing (see jxc/posting.py).

``payments_recorded`` is sent by ``sales.services.sale_payments_record`` with the
payments of a counter sale: source = the sale's shipment, partner = the customer,
``payments`` = one PostingPayment per SalePayment row (method, amount, tendered)
and no lines. Finance settles the sale's receivable from every row but 挂账."""

from jxc.posting import PostingSignal

shipment_posted = PostingSignal()
sales_return_posted = PostingSignal()
payments_recorded = PostingSignal()

"""What finance tells the rest of the project (plain Signal objects).

``payment_posted`` is sent by ``finance.services.payment_post`` (and, with
``reversal=True``, by ``payment_cancel``) inside the posting transaction, after
the entries and allocations are written, with ``payment`` (the 收款单 / 付款单)
and ``allocated`` (a list of (document number, amount) it settled as it posted;
empty for a cancel). A listener only reads and inserts (the api app writes its
webhook outbox): one that raised would roll the payment back. Listeners return
nothing.
"""

from django.dispatch import Signal

payment_posted = Signal()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    """The money ledger and balances (往来账, 资金账户): the only writer of money.

    Mirrors inventory: it imports catalog and, of purchasing and sales, only their
    ``signals`` modules; its receivers turn document postings into receivables,
    payables and money in the accounts (finance/receivers.py).
    """

    name = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from finance import receivers

        receivers.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    """The stock ledger and balances: the only writer of stock."""

    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from inventory import receivers

        receivers.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    """Purchase orders, goods receipts and purchase returns."""

    name = "purchasing"
    verbose_name = _("Purchasing")

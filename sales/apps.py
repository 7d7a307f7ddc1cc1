from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Sales orders, shipments, sales returns and the quick retail sale."""

    name = "sales"
    verbose_name = _("Sales")

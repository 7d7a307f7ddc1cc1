from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Products, categories, suppliers, customers and warehouses."""

    name = "catalog"
    verbose_name = _("Catalog")

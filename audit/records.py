"""The records the trail covers and the page that shows one of each.

Named by strings only ("app_label.model", URL names): the audit app imports no
other app of the project, so every app may import it.
"""

from django.apps import apps
from django.urls import reverse

# "app_label.model" → (URL name of the record's page, whether it takes the id).
RECORD_PAGES = {
    "catalog.product": ("catalog:product_detail", True),
    "catalog.category": ("catalog:category_update", True),
    "catalog.supplier": ("catalog:supplier_update", True),
    "catalog.customer": ("catalog:customer_update", True),
    "catalog.warehouse": ("catalog:warehouse_update", True),
    "auth.user": ("accounts:user_update", True),
    "purchasing.purchasingsettings": ("purchasing:settings", False),
    "purchasing.purchaseorder": ("purchasing:order_detail", True),
    "purchasing.goodsreceipt": ("purchasing:receipt_detail", True),
    "purchasing.purchasereturn": ("purchasing:return_detail", True),
    "sales.salessettings": ("sales:settings", False),
    "sales.salesorder": ("sales:order_detail", True),
    "sales.shipment": ("sales:shipment_detail", True),
    "sales.salesreturn": ("sales:return_detail", True),
    "inventory.adjustment": ("inventory:adjustment_detail", True),
    "inventory.transfer": ("inventory:transfer_detail", True),
    "inventory.stocktake": ("inventory:stocktake_detail", True),
    "inventory.openingstock": ("inventory:openingstock_detail", True),
    "inventory.closedmonth": ("reports:month_close", False),
    "inventory.inventorysettings": ("inventory:settings", False),
}


def record_key(model) -> str:
    return model._meta.label_lower


def record_model(key: str):
    """The model of a covered record kind, or None for anything else."""
    if key not in RECORD_PAGES:
        return None
    return apps.get_model(key)


def record_choices() -> list[tuple[str, str]]:
    """(key, name in the reader's language) of every covered kind, by name."""
    choices = [
        (key, str(apps.get_model(key)._meta.verbose_name)) for key in RECORD_PAGES
    ]
    return sorted(choices, key=lambda choice: choice[1])


def record_url(content_type, object_id: int) -> str:
    """The page of one record ("" for a kind without one, or no record)."""
    if content_type is None or object_id is None:
        return ""
    page = RECORD_PAGES.get(f"{content_type.app_label}.{content_type.model}")
    if page is None:
        return ""
    name, takes_id = page
    return reverse(name, args=[object_id]) if takes_id else reverse(name)

"""The records the trail covers and the page that shows one of each.

Named by strings only ("app_label.model"): the audit app imports no other app of
the project, so every app may import it; each record's page is its model's
``get_absolute_url()``.
"""

from django.apps import apps

from jxc.models import record_page

# The kinds of record the trail covers ("app_label.model"). Each one's page is its
# model's get_absolute_url() (auth.user's: settings.ABSOLUTE_URL_OVERRIDES).
RECORDS = [
    "catalog.product",
    "catalog.category",
    "catalog.supplier",
    "catalog.customer",
    "catalog.warehouse",
    "catalog.shop",
    "catalog.style",
    "catalog.attribute",
    "catalog.pricelevel",
    "auth.user",
    "purchasing.purchasingsettings",
    "purchasing.purchaseorder",
    "purchasing.goodsreceipt",
    "purchasing.purchasereturn",
    "sales.salessettings",
    "sales.salesorder",
    "sales.shipment",
    "sales.salesreturn",
    "inventory.adjustment",
    "inventory.transfer",
    "inventory.transferrequest",
    "inventory.stocktake",
    "inventory.openingstock",
    "inventory.closedmonth",
    "inventory.inventorysettings",
    "catalog.shopprofile",
    "counter.countersettings",
    "counter.shift",
    "api.apikey",
    "finance.payment",
    "finance.transfer",
    "finance.cashentry",
]


def record_key(model) -> str:
    return model._meta.label_lower


def record_model(key: str):
    """The model of a covered record kind, or None for anything else."""
    if key not in RECORDS:
        return None
    return apps.get_model(key)


def record_choices() -> list[tuple[str, str]]:
    """(key, name in the reader's language) of every covered kind, by name."""
    choices = [(key, str(apps.get_model(key)._meta.verbose_name)) for key in RECORDS]
    return sorted(choices, key=lambda choice: choice[1])


def record_url(content_type, object_id: int) -> str:
    """The page of one record ("" for a kind without one, or no record)."""
    if content_type is None or object_id is None:
        return ""
    if f"{content_type.app_label}.{content_type.model}" not in RECORDS:
        return ""
    return record_page(content_type, object_id)

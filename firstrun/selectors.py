"""Reads of the first-run wizard: is the shop empty, where does the wizard stand."""

from dataclasses import dataclass

from catalog.models import Product, Warehouse
from firstrun.models import STEPS, SetupProgress
from inventory.models import StockMove
from purchasing.models import PurchaseOrder
from sales.models import SalesOrder

RUN_SETUP = "firstrun.change_setupprogress"


def progress() -> SetupProgress | None:
    """The wizard's progress, None while it has never been opened."""
    return SetupProgress.objects.filter(pk=1).first()


def shop_is_empty() -> bool:
    """No products and no documents: a shop that has not started (a demo or a
    shop in use is not)."""
    return not (
        Product.objects.exists()
        or StockMove.objects.exists()
        or PurchaseOrder.objects.exists()
        or SalesOrder.objects.exists()
    )


def wizard_due(user) -> bool:
    """The wizard opens by itself: an owner's first sign-in on an empty shop."""
    return user.has_perm(RUN_SETUP) and progress() is None and shop_is_empty()


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    state: str | None  # "done", "skipped" or None (to do)
    url_name: str


def steps(found: SetupProgress | None) -> list[Step]:
    return [
        Step(key, str(title), found.state(key) if found else None, f"firstrun:{key}")
        for key, title in STEPS
    ]


def checklist(user) -> list[Step] | None:
    """The dashboard's checklist: the steps while the wizard was opened and not
    every step is done, unless the owner put it away; None otherwise (and always
    for staff)."""
    if not user.has_perm(RUN_SETUP):
        return None
    found = progress()
    if found is None or found.dismissed or found.complete:
        return None
    return steps(found)


def products_without_stock(limit: int = 100) -> list[Product]:
    """Active products no stock was ever booked for (the ones just added), for
    typing their opening quantities."""
    return list(
        Product.objects.filter(is_active=True)
        .exclude(pk__in=StockMove.objects.values("product_id"))
        .order_by("pk")[:limit]
    )


def warehouses() -> list[Warehouse]:
    return list(Warehouse.objects.all())

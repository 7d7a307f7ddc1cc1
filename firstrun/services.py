"""Writes of the first-run wizard. Its own: the progress row. Everything a step
saves goes through the owning app's service, in the same transaction as the
step's mark, so a refused step leaves no mark either."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from catalog import services as catalog_services
from catalog.models import Product, ShopProfile, Warehouse
from firstrun import selectors
from firstrun.models import STEP_KEYS, SetupProgress, StepState
from inventory import documents


def _locked() -> SetupProgress:
    SetupProgress.objects.get_or_create(pk=1)
    return SetupProgress.objects.select_for_update().get(pk=1)


@transaction.atomic
def setup_open_at_sign_in(*, user) -> bool:
    """At an owner's sign-in: True (and the progress is kept from now on) when the
    wizard should open, which happens once, on an empty shop."""
    if not selectors.wizard_due(user):
        return False
    _locked()
    return True


@transaction.atomic
def setup_step_mark(*, step: str, state: str) -> SetupProgress:
    """Mark a step done or skipped (a done step stays done when skipped later)."""
    if step not in STEP_KEYS or state not in StepState.values:
        raise ValueError(f"no step {step!r} or state {state!r}")
    found = _locked()
    if found.steps.get(step) != StepState.DONE:
        found.steps[step] = state
        found.save(update_fields=["steps", "updated_at"])
    return found


@transaction.atomic
def setup_dismiss() -> SetupProgress:
    """Put the dashboard's checklist away (the wizard stays reachable)."""
    found = _locked()
    found.dismissed = True
    found.save(update_fields=["dismissed", "updated_at"])
    return found


@transaction.atomic
def shop_step_save(*, data: dict, user) -> ShopProfile:
    """Save the shop's details (catalog's service) and mark the step done."""
    profile = catalog_services.shop_profile_save(data=data, user=user)
    setup_step_mark(step="shop", state=StepState.DONE)
    return profile


def _free_code(model, field: str, pattern: str) -> str:
    """The first of pattern % 1, 2, … not taken in ``field`` (ignoring case)."""
    taken = {
        value.lower()
        for value in model.objects.annotate(_v=Lower(field)).values_list(
            "_v", flat=True
        )
    }
    number = 1
    while (pattern % number).lower() in taken:
        number += 1
    return pattern % number


@transaction.atomic
def warehouse_add(*, name: str, address: str = "", user) -> Warehouse:
    """A new warehouse under a generated code (WH02, …)."""
    return catalog_services.warehouse_save(
        data={
            "code": _free_code(Warehouse, "code", "WH%02d"),
            "name": name,
            "address": address,
            "is_active": True,
        },
        user=user,
    )


@transaction.atomic
def warehouse_rename(*, warehouse: Warehouse, name: str, user) -> Warehouse:
    return catalog_services.warehouse_save(
        warehouse=warehouse, data={"name": name}, user=user
    )


@transaction.atomic
def product_by_hand_add(
    *, name: str, unit: str, sale_price: Decimal, barcode: str, user
) -> Product:
    """A product typed in the wizard; its SKU is its barcode when that is free as a
    SKU, else the next free P0001, P0002, …"""
    sku = barcode
    if not sku or Product.objects.filter(sku__iexact=sku).exists():
        sku = _free_code(Product, "sku", "P%04d")
    return catalog_services.product_save(
        data={
            "sku": sku,
            "name": name,
            "unit": unit,
            "sale_price": sale_price,
            "barcode": barcode,
        },
        user=user,
    )


@transaction.atomic
def opening_quantities_post(
    *,
    quantities: dict[Product, tuple[Decimal, Decimal]],
    warehouse: Warehouse,
    user,
    submission=None,
):
    """Book typed opening quantities ({product: (quantity, unit cost)}) as one
    opening-stock document, and mark the step done."""
    lines = [
        (product, warehouse, quantity, cost)
        for product, (quantity, cost) in quantities.items()
    ]
    if not lines:
        raise ValidationError(_("Type a quantity for at least one product."))
    opening = documents.opening_stock_post(
        lines=lines, note=_("Opening stock"), user=user, submission=submission
    )
    setup_step_mark(step="opening", state=StepState.DONE)
    return opening

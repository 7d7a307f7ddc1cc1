"""Every write to master data. Views, forms, imports and seed_demo call these."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, Customer, Product, Supplier, Warehouse
from catalog.pinyin import search_text

PRODUCT_FIELDS = [
    "sku", "name", "barcode", "category", "unit", "spec", "purchase_price",
    "sale_price",
    "safety_stock", "reorder_quantity", "lead_time_days", "preferred_supplier",
    "is_active", "note",
]  # fmt: skip
PARTY_FIELDS = ["code", "name", "contact", "phone", "address", "note", "is_active"]
WAREHOUSE_FIELDS = ["code", "name", "address", "is_active"]
CATEGORY_FIELDS = ["name", "parent", "sort_order"]


def _assign(instance: Model, fields: list[str], data: dict) -> None:
    for field in fields:
        if field in data:
            setattr(instance, field, data[field])


def _delete(instance: Model) -> None:
    try:
        instance.delete()
    except ProtectedError as error:
        raise ValidationError(
            _(
                "“%(name)s” is already in use and cannot be deleted. "
                "Deactivate it instead: it then leaves the choices but keeps its "
                "history."
            ),
            params={"name": str(instance)},
        ) from error


# --- categories ----------------------------------------------------------------


@transaction.atomic
def category_save(*, category: Category | None = None, data: dict) -> Category:
    """Create or update a category; a category cannot sit under itself."""
    category = category or Category()
    _assign(category, CATEGORY_FIELDS, data)
    ancestor = category.parent
    while ancestor is not None:
        if category.pk and ancestor.pk == category.pk:
            raise ValidationError(_("A category cannot be placed under itself."))
        ancestor = ancestor.parent
    category.save()
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Delete a category no product or sub-category uses."""
    _delete(category)


# --- products ------------------------------------------------------------------


def _product_search_text(product: Product) -> str:
    return search_text(product.sku, product.barcode, name=product.name)


@transaction.atomic
def product_save(*, product: Product | None = None, data: dict) -> Product:
    """Create a product, or update one; keeps its search keys in step."""
    product = product or Product()
    _assign(product, PRODUCT_FIELDS, data)
    product.search_text = _product_search_text(product)
    product.save()
    return product


@transaction.atomic
def product_delete(*, product: Product) -> None:
    """Delete an unused product; a used one must be deactivated instead."""
    _delete(product)


def products_by_sku(skus) -> dict[str, Product]:
    """Existing products keyed by lower-case SKU (SKUs are unique ignoring case)."""
    lowered = {sku.lower() for sku in skus}
    found = Product.objects.annotate(sku_lower=Lower("sku")).filter(
        sku_lower__in=lowered
    )
    return {product.sku.lower(): product for product in found}


@transaction.atomic
def products_import(*, rows: list[dict]) -> tuple[int, int]:
    """Create or update products from validated import rows, all or nothing.

    A row names its category by ``category_name`` (created when missing); a row
    whose SKU exists (ignoring case) updates that product, keeping fields the file
    does not have. Returns (created, updated).
    """
    categories = {c.name.lower(): c for c in Category.objects.all()}
    existing = products_by_sku(row["sku"] for row in rows)
    now = timezone.now()
    to_create, to_update, changed = [], [], {"search_text", "updated_at"}
    for row in rows:
        data = dict(row)
        if "category_name" in data:
            name = data.pop("category_name")
            if name and name.lower() not in categories:
                categories[name.lower()] = Category.objects.create(name=name)
            data["category"] = categories[name.lower()] if name else None
        product = existing.get(row["sku"].lower())
        if product is None:
            product = Product()
            to_create.append(product)
        else:
            to_update.append(product)
            changed.update(key for key in data if key != "sku")
        _assign(product, PRODUCT_FIELDS, data)
        product.search_text = _product_search_text(product)
        product.updated_at = now
    Product.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        Product.objects.bulk_update(to_update, sorted(changed), batch_size=1000)
    return len(to_create), len(to_update)


# --- suppliers and customers ---------------------------------------------------------


@transaction.atomic
def party_save(*, model: type[Supplier] | type[Customer], party=None, data: dict):
    """Create or update a supplier or customer. The walk-in customer stays active."""
    party = party or model()
    _assign(party, PARTY_FIELDS, data)
    if isinstance(party, Customer) and party.pk and _walk_in_would_change(party):
        raise ValidationError(
            _(
                "The walk-in customer is needed for retail sales: it stays active "
                "and keeps its code."
            )
        )
    party.search_text = search_text(party.code, party.phone, name=party.name)
    party.save()
    return party


def _walk_in_would_change(customer: Customer) -> bool:
    """True when an edit would deactivate or re-code the walk-in customer."""
    if customer.is_active and customer.is_walk_in:
        return False
    return Customer.objects.get(pk=customer.pk).is_walk_in


@transaction.atomic
def party_delete(*, party) -> None:
    """Delete an unused supplier or customer (never the walk-in customer)."""
    if isinstance(party, Customer) and party.is_walk_in:
        raise ValidationError(_("The walk-in customer cannot be deleted."))
    _delete(party)


@transaction.atomic
def parties_import(*, model: type[Supplier] | type[Customer], rows: list[dict]):
    """Create or update suppliers or customers by code, all or nothing."""
    lowered = {row["code"].lower() for row in rows}
    existing = {
        p.code.lower(): p
        for p in model.objects.annotate(code_lower=Lower("code")).filter(
            code_lower__in=lowered
        )
    }
    created = updated = 0
    for row in rows:
        party = existing.get(row["code"].lower())
        if party is None:
            created += 1
        else:
            updated += 1
            # Matched ignoring case: the stored code keeps its spelling.
            row = {key: value for key, value in row.items() if key != "code"}
        party_save(model=model, party=party, data=row)
    return created, updated


# --- warehouses ---------------------------------------------------------------------


@transaction.atomic
def warehouse_save(
    *, warehouse: Warehouse | None = None, data: dict, make_default: bool = False
) -> Warehouse:
    """Create or update a warehouse; exactly one active warehouse is the default."""
    warehouse = warehouse or Warehouse()
    _assign(warehouse, WAREHOUSE_FIELDS, data)
    if warehouse.is_default and not warehouse.is_active:
        raise ValidationError(
            _(
                "The default warehouse cannot be deactivated. Make another one the "
                "default first."
            )
        )
    if make_default and not warehouse.is_active:
        raise ValidationError(_("An inactive warehouse cannot be the default."))
    if make_default and not warehouse.is_default:
        Warehouse.objects.select_for_update().filter(is_default=True).update(
            is_default=False
        )
        warehouse.is_default = True
    if not Warehouse.objects.filter(is_default=True).exclude(pk=warehouse.pk).exists():
        warehouse.is_default = True
    warehouse.save()
    return warehouse


@transaction.atomic
def warehouse_delete(*, warehouse: Warehouse) -> None:
    """Delete an unused warehouse that is not the default."""
    if warehouse.is_default:
        raise ValidationError(
            _(
                "The default warehouse cannot be deleted. Make another one the "
                "default first."
            )
        )
    _delete(warehouse)

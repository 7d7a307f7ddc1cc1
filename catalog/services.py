"""Every write to master data. Views, forms, imports and seed_demo call these.

Each write leaves its audit entry (who, what, old → new) in the same transaction;
``user`` None means a command or the demo data.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.changes import changes, snapshot
from audit.services import Action, audit_entry, audit_record, audit_record_many
from catalog.models import (
    Category,
    Customer,
    Product,
    ShopProfile,
    Supplier,
    Warehouse,
)
from catalog.pinyin import search_text

PRODUCT_FIELDS = [
    "sku", "name", "barcode", "plu", "category", "unit", "spec", "purchase_price",
    "sale_price", "min_price",
    "safety_stock", "reorder_quantity", "lead_time_days", "preferred_supplier",
    "is_active", "note",
]  # fmt: skip
PARTY_FIELDS = ["code", "name", "contact", "phone", "address", "note", "is_active"]
WAREHOUSE_FIELDS = ["code", "name", "address", "is_active"]
CATEGORY_FIELDS = ["name", "parent", "sort_order"]
# What the audit trail compares on an edit (search keys are derived, not edited).
WAREHOUSE_AUDIT_FIELDS = [*WAREHOUSE_FIELDS, "is_default"]


def _assign(instance: Model, fields: list[str], data: dict) -> None:
    for field in fields:
        if field in data:
            setattr(instance, field, data[field])


def _stored(instance: Model, fields: list[str]) -> dict | None:
    """The record as the database has it (a form has already changed ``instance``),
    for the audit trail's old → new; None for a new record."""
    if instance.pk is None:
        return None
    model = type(instance)
    related = [name for name in fields if model._meta.get_field(name).many_to_one]
    stored = model._default_manager.select_related(*related).get(pk=instance.pk)
    return snapshot(stored, fields)


def _saved(instance: Model, before: dict | None, fields: list[str], user, **extra):
    """The audit entry of a create or an edit (None when an edit changed nothing)."""
    found = changes(before, instance, fields)
    if before is not None and not found:
        return None
    action = Action.CREATE if before is None else Action.CHANGE
    return audit_entry(
        user=user, action=action, record=instance, changes=found, **extra
    )


def _delete(instance: Model, user) -> None:
    label, pk = str(instance), instance.pk
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
    audit_record(
        user=user, action=Action.DELETE, model=type(instance), object_id=pk, label=label
    )


# --- categories ----------------------------------------------------------------


@transaction.atomic
def category_save(
    *, category: Category | None = None, data: dict, user=None
) -> Category:
    """Create or update a category; a category cannot sit under itself."""
    category = category or Category()
    before = _stored(category, CATEGORY_FIELDS)
    _assign(category, CATEGORY_FIELDS, data)
    ancestor = category.parent
    while ancestor is not None:
        if category.pk and ancestor.pk == category.pk:
            raise ValidationError(_("A category cannot be placed under itself."))
        ancestor = ancestor.parent
    category.save()
    if entry := _saved(category, before, CATEGORY_FIELDS, user):
        entry.save()
    return category


@transaction.atomic
def category_delete(*, category: Category, user=None) -> None:
    """Delete a category no product or sub-category uses."""
    _delete(category, user)


# --- products ------------------------------------------------------------------


def _product_search_text(product: Product) -> str:
    return search_text(product.sku, product.barcode, product.plu, name=product.name)


@transaction.atomic
def product_save(*, product: Product | None = None, data: dict, user=None) -> Product:
    """Create a product, or update one; keeps its search keys in step."""
    product = product or Product()
    before = _stored(product, PRODUCT_FIELDS)
    _assign(product, PRODUCT_FIELDS, data)
    product.search_text = _product_search_text(product)
    product.save()
    if entry := _saved(product, before, PRODUCT_FIELDS, user):
        entry.save()
    return product


@transaction.atomic
def product_delete(*, product: Product, user=None) -> None:
    """Delete an unused product; a used one must be deactivated instead."""
    _delete(product, user)


def products_by_sku(skus) -> dict[str, Product]:
    """Existing products keyed by lower-case SKU (SKUs are unique ignoring case),
    with their category and preferred supplier loaded."""
    lowered = {sku.lower() for sku in skus}
    found = (
        Product.objects.annotate(sku_lower=Lower("sku"))
        .filter(sku_lower__in=lowered)
        .select_related("category", "preferred_supplier")
    )
    return {product.sku.lower(): product for product in found}


@transaction.atomic
def products_import(
    *, rows: list[dict], user=None, source: str = ""
) -> tuple[int, int]:
    """Create or update products from validated import rows, all or nothing.

    A row names its category by ``category_name`` (created when missing); a row
    whose SKU exists (ignoring case) updates that product, keeping fields the file
    does not have. Every created record and every changed product gets its audit
    entry (``source``: the file's name), all in one bulk insert. Returns (created,
    updated).
    """
    categories = {c.name.lower(): c for c in Category.objects.all()}
    existing = products_by_sku(row["sku"] for row in rows)
    now = timezone.now()
    to_create, to_update, changed = [], [], {"search_text", "updated_at"}
    new_categories, before = [], {}
    for row in rows:
        data = dict(row)
        if "category_name" in data:
            name = data.pop("category_name")
            if name and name.lower() not in categories:
                categories[name.lower()] = Category.objects.create(name=name)
                new_categories.append(categories[name.lower()])
            data["category"] = categories[name.lower()] if name else None
        product = existing.get(row["sku"].lower())
        if product is None:
            product = Product()
            to_create.append(product)
        else:
            to_update.append(product)
            before[id(product)] = snapshot(product, PRODUCT_FIELDS)
            changed.update(key for key in data if key != "sku")
        _assign(product, PRODUCT_FIELDS, data)
        product.search_text = _product_search_text(product)
        product.updated_at = now
    Product.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        Product.objects.bulk_update(to_update, sorted(changed), batch_size=1000)
    entries = [
        _saved(record, None, CATEGORY_FIELDS, user, summary=source)
        for record in new_categories
    ] + [
        _saved(product, before.get(id(product)), PRODUCT_FIELDS, user, summary=source)
        for product in to_create
    ]
    changes = [
        _saved(product, before[id(product)], PRODUCT_FIELDS, user, summary=source)
        for product in to_update
    ]
    changes = [entry for entry in changes if entry is not None]  # unchanged rows
    audit_record_many(entry for entry in entries + changes if entry is not None)
    return len(to_create), len(changes)


# --- suppliers and customers ---------------------------------------------------------


@transaction.atomic
def party_save(
    *, model: type[Supplier] | type[Customer], party=None, data: dict, user=None
):
    """Create or update a supplier or customer. The walk-in customer stays active."""
    party = party or model()
    party, entry = _party_write(party, _stored(party, PARTY_FIELDS), data, user)
    if entry is not None:
        entry.save()
    return party


def _party_write(party, before: dict | None, data: dict, user, summary: str = ""):
    """Save one supplier or customer; (party, its audit entry or None)."""
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
    return party, _saved(party, before, PARTY_FIELDS, user, summary=summary)


def _walk_in_would_change(customer: Customer) -> bool:
    """True when an edit would deactivate or re-code the walk-in customer."""
    if customer.is_active and customer.is_walk_in:
        return False
    return Customer.objects.get(pk=customer.pk).is_walk_in


@transaction.atomic
def party_delete(*, party, user=None) -> None:
    """Delete an unused supplier or customer (never the walk-in customer)."""
    if isinstance(party, Customer) and party.is_walk_in:
        raise ValidationError(_("The walk-in customer cannot be deleted."))
    _delete(party, user)


@transaction.atomic
def parties_import(
    *,
    model: type[Supplier] | type[Customer],
    rows: list[dict],
    user=None,
    source: str = "",
):
    """Create or update suppliers or customers by code, all or nothing; their audit
    entries (``source``: the file's name) in one bulk insert."""
    lowered = {row["code"].lower() for row in rows}
    existing = {
        p.code.lower(): p
        for p in model.objects.annotate(code_lower=Lower("code")).filter(
            code_lower__in=lowered
        )
    }
    created = updated = 0
    entries = []
    for row in rows:
        party = existing.get(row["code"].lower())
        if party is None:
            created += 1
            party, before = model(), None
        else:
            updated += 1
            before = snapshot(party, PARTY_FIELDS)
            # Matched ignoring case: the stored code keeps its spelling.
            row = {key: value for key, value in row.items() if key != "code"}
        _party, entry = _party_write(party, before, row, user, summary=source)
        entries.append(entry)
        if before is not None and entry is None:
            updated -= 1  # the row changed nothing
    audit_record_many(entry for entry in entries if entry is not None)
    return created, updated


# --- warehouses ---------------------------------------------------------------------


@transaction.atomic
def warehouse_save(
    *,
    warehouse: Warehouse | None = None,
    data: dict,
    make_default: bool = False,
    user=None,
) -> Warehouse:
    """Create or update a warehouse; exactly one active warehouse is the default."""
    warehouse = warehouse or Warehouse()
    before = _stored(warehouse, WAREHOUSE_AUDIT_FIELDS)
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
    entries = []
    if make_default and not warehouse.is_default:
        for previous in Warehouse.objects.select_for_update().filter(is_default=True):
            entries.append(
                audit_entry(
                    user=user,
                    action=Action.CHANGE,
                    record=previous,
                    changes={"is_default": [True, False]},
                )
            )
        Warehouse.objects.filter(is_default=True).update(is_default=False)
        warehouse.is_default = True
    if not Warehouse.objects.filter(is_default=True).exclude(pk=warehouse.pk).exists():
        warehouse.is_default = True
    warehouse.save()
    entries.append(_saved(warehouse, before, WAREHOUSE_AUDIT_FIELDS, user))
    audit_record_many(entry for entry in entries if entry is not None)
    return warehouse


@transaction.atomic
def warehouse_delete(*, warehouse: Warehouse, user=None) -> None:
    """Delete an unused warehouse that is not the default."""
    if warehouse.is_default:
        raise ValidationError(
            _(
                "The default warehouse cannot be deleted. Make another one the "
                "default first."
            )
        )
    _delete(warehouse, user)


# --- the shop itself -------------------------------------------------------------

SHOP_PROFILE_FIELDS = ["name", "address", "phone", "slip_footer"]


@transaction.atomic
def shop_profile_save(*, data: dict, user=None) -> ShopProfile:
    """Save the shop's name, address, phone and thank-you line (one row), with an
    audit entry of what changed."""
    profile, _created = ShopProfile.objects.select_for_update().get_or_create(pk=1)
    before = snapshot(profile, SHOP_PROFILE_FIELDS)
    _assign(profile, SHOP_PROFILE_FIELDS, data)
    found = changes(before, profile, SHOP_PROFILE_FIELDS)
    if not found:
        return profile
    profile.save()
    audit_record(
        user=user, action=Action.CHANGE, record=profile, label="", changes=found
    )
    return profile

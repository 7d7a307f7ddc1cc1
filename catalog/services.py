"""Every write to master data. Views, forms, imports and seed_demo call these.

Each write leaves its audit entry (who, what, old → new) in the same transaction;
``user`` None means a command or the demo data.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.changes import changes, snapshot
from audit.services import Action, audit_entry, audit_record, audit_record_many
from catalog.models import (
    Attribute,
    AttributeValue,
    Category,
    Customer,
    LevelPrice,
    PackageUnit,
    PriceLevel,
    Product,
    Shop,
    ShopProfile,
    Style,
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
CUSTOMER_FIELDS = [*PARTY_FIELDS, "price_level"]


def _party_fields(model) -> list[str]:
    return CUSTOMER_FIELDS if model is Customer else PARTY_FIELDS


WAREHOUSE_FIELDS = ["code", "name", "shop", "address", "is_active"]
SHOP_FIELDS = ["code", "name", "address", "phone", "is_active"]
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
    if product.barcode and (before is None or before["barcode"] != product.barcode):
        _lock_barcodes([product.barcode])
        _refuse_taken_barcodes([product.barcode], product=product)
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
    party, entry = _party_write(party, _stored(party, _party_fields(model)), data, user)
    if entry is not None:
        entry.save()
    return party


def _party_write(party, before: dict | None, data: dict, user, summary: str = ""):
    """Save one supplier or customer; (party, its audit entry or None)."""
    fields = _party_fields(type(party))
    _assign(party, fields, data)
    if isinstance(party, Customer) and party.pk and _walk_in_would_change(party):
        raise ValidationError(
            _(
                "The walk-in customer is needed for retail sales: it stays active "
                "and keeps its code."
            )
        )
    party.search_text = search_text(party.code, party.phone, name=party.name)
    party.save()
    return party, _saved(party, before, fields, user, summary=summary)


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
            before = snapshot(party, _party_fields(model))
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
    if warehouse.shop_id is None:
        warehouse.shop = Shop.objects.order_by("pk").first()
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


# --- shops of the chain ------------------------------------------------------------


@transaction.atomic
def shop_save(*, shop: Shop | None = None, data: dict, user=None) -> Shop:
    """Create or update a shop and, when ``data`` has "members", its clerks."""
    shop = shop or Shop()
    before = _stored(shop, SHOP_FIELDS)
    old_members = (
        set(shop.members.values_list("username", flat=True)) if shop.pk else set()
    )
    _assign(shop, SHOP_FIELDS, data)
    # (A new shop has no warehouse yet: nothing to ask.)
    if (
        not shop.is_active
        and shop.pk
        and shop.warehouses.filter(is_default=True).exists()
    ):
        raise ValidationError(
            _("The shop of the default warehouse cannot be deactivated.")
        )
    shop.save()
    extra = {}
    if "members" in data:
        shop.members.set(data["members"])
        new_members = {member.username for member in data["members"]}
        if new_members != old_members:
            extra["members"] = [
                "、".join(sorted(old_members)) or None,
                "、".join(sorted(new_members)) or None,
            ]
    found = {**changes(before, shop, SHOP_FIELDS), **extra}
    if before is None or found:
        action = Action.CREATE if before is None else Action.CHANGE
        audit_record(user=user, action=action, record=shop, changes=found)
    return shop


@transaction.atomic
def shop_delete(*, shop: Shop, user=None) -> None:
    """Delete a shop that holds no warehouse (its warehouses keep its history)."""
    if shop.warehouses.exists():
        raise ValidationError(
            _("The shop “%(name)s” still has warehouses; move or delete them first.")
            % {"name": shop.name}
        )
    _delete(shop, user)


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


# --- barcodes shared by products and package units ------------------------------------


def _lock_barcodes(codes) -> None:
    """Serialize writers of the same barcodes (a product's and a package unit's live
    in two tables, so no one unique index covers both): a transaction-scoped
    advisory lock per code on PostgreSQL; SQLite writers serialize anyway."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for code in sorted({code.lower() for code in codes if code}):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [code])


def _refuse_taken_barcodes(codes, *, product=None, unit_pks=()) -> None:
    from catalog.selectors import barcode_holders

    holders = barcode_holders(codes, product=product, unit_pks=unit_pks)
    if holders:
        raise ValidationError(
            [
                _("Barcode “%(code)s” is already used by %(holder)s.")
                % {"code": code, "holder": holder}
                for code, holder in holders.items()
            ]
        )


# --- price levels ---------------------------------------------------------------------

PRICE_LEVEL_FIELDS = ["name", "sort_order", "note"]


@transaction.atomic
def price_level_save(*, level: PriceLevel | None = None, data: dict, user=None):
    """Create or rename a price level (批发价, 会员价)."""
    level = level or PriceLevel()
    before = _stored(level, PRICE_LEVEL_FIELDS)
    _assign(level, PRICE_LEVEL_FIELDS, data)
    level.save()
    if entry := _saved(level, before, PRICE_LEVEL_FIELDS, user):
        entry.save()
    return level


@transaction.atomic
def price_level_delete(*, level: PriceLevel, user=None) -> None:
    """Delete a level no customer is on (its prices go with it)."""
    _delete(level, user)


@transaction.atomic
def level_prices_save(*, product: Product, prices: dict, user=None) -> int:
    """Set a product's prices per level: ``prices`` maps (level pk, package unit pk
    or None) to a price, or None to drop it (the sale price applies). Returns how
    many prices changed."""
    Product.objects.select_for_update().filter(pk=product.pk).first()
    units = {unit.pk: unit.name for unit in product.package_units.all()}
    levels = dict(PriceLevel.objects.values_list("pk", "name"))
    current = {
        (row.level_id, row.package_unit_id): row
        for row in LevelPrice.objects.filter(product=product)
    }
    changed = {}
    for (level_pk, unit_pk), price in prices.items():
        if unit_pk is not None and unit_pk not in units:
            raise ValidationError(_("That package unit belongs to another product."))
        # The trail names the level and the unit: 批发价 / 箱.
        label = f"{levels.get(level_pk, level_pk)} / {units.get(unit_pk, product.unit)}"
        row = current.get((level_pk, unit_pk))
        if price is None:
            if row is not None:
                row.delete()
                changed[label] = [str(row.price), None]
        elif row is None:
            LevelPrice.objects.create(
                level_id=level_pk, product=product, package_unit_id=unit_pk, price=price
            )
            changed[label] = [None, str(price)]
        elif row.price != price:
            changed[label] = [str(row.price), str(price)]
            row.price = price
            row.save(update_fields=["price"])
    if changed:
        audit_record(
            user=user,
            action=Action.CHANGE,
            record=product,
            summary=_("level prices"),
            changes=changed,
        )
    return len(changed)


# --- package units --------------------------------------------------------------------

PACKAGE_FIELDS = ["name", "factor", "barcode", "sale_price"]


@transaction.atomic
def package_units_save(*, product: Product, rows: list[dict], user=None) -> None:
    """Replace a product's package units by ``rows`` (each: pk or None, name, factor,
    barcode, sale_price, delete). A barcode may be no other product's or package's;
    a unit's factor needs at most 3 decimals."""
    from jxc.units import factor_problem

    Product.objects.select_for_update().filter(pk=product.pk).first()
    existing = {unit.pk: unit for unit in product.package_units.all()}
    keep = [row for row in rows if not row.get("delete")]
    names = [row["name"].lower() for row in keep]
    if product.unit.lower() in names:
        raise ValidationError(
            _("“%(unit)s” is the base unit already.") % {"unit": product.unit}
        )
    if len(set(names)) != len(names):
        raise ValidationError(_("Two package units have the same name."))
    codes = [row["barcode"] for row in keep if row.get("barcode")]
    if len({c.lower() for c in codes}) != len(codes):
        raise ValidationError(_("Two package units have the same barcode."))
    for row in keep:
        if problem := factor_problem(row["factor"]):
            raise ValidationError(problem)
    _lock_barcodes(codes)
    # The product's own barcode counts as taken too: a box is not a bottle.
    _refuse_taken_barcodes(codes, unit_pks=tuple(existing))
    changed = {}
    for row in rows:
        unit = existing.get(row.get("pk"))
        if row.get("delete"):
            if unit is not None:
                unit.delete()
                changed[unit.name] = [str(unit), None]
            continue
        before = str(unit) if unit else None
        unit = unit or PackageUnit(product=product)
        _assign(unit, PACKAGE_FIELDS, row)
        unit.save()
        if before != str(unit) or before is None:
            changed[unit.name] = [before, str(unit)]
    if changed:
        audit_record(
            user=user,
            action=Action.CHANGE,
            record=product,
            summary=_("package units"),
            changes=changed,
        )


# --- in-store barcodes ----------------------------------------------------------------


def _instore_codes(profile: ShopProfile, count: int) -> list[str]:
    """The next ``count`` free in-store EAN-13s; the caller holds the profile's row
    lock, so two clerks never draw the same number."""
    from catalog.selectors import barcode_holders
    from jxc.matching import gtin_check_digit

    prefix = profile.instore_prefix
    width = 12 - len(prefix)
    codes, number = [], profile.instore_next
    while len(codes) < count:
        batch = []
        while len(batch) < count - len(codes):
            if number >= 10**width:
                raise ValidationError(
                    _("No in-store barcodes are left under the prefix %(prefix)s.")
                    % {"prefix": prefix}
                )
            body = f"{prefix}{number:0{width}d}"
            batch.append(f"{body}{gtin_check_digit(body)}")
            number += 1
        taken = barcode_holders(batch)
        codes.extend(code for code in batch if code not in taken)
    profile.instore_next = number
    profile.save(update_fields=["instore_next"])
    return codes


def _locked_profile() -> ShopProfile:
    ShopProfile.objects.get_or_create(pk=1)
    return ShopProfile.objects.select_for_update().get(pk=1)


@transaction.atomic
def instore_prefix_save(*, prefix: str, user=None) -> ShopProfile:
    """Set the prefix of in-store barcodes (numbering goes on where it was)."""
    profile = _locked_profile()
    before = snapshot(profile, ["instore_prefix"])
    profile.instore_prefix = prefix
    profile.full_clean(exclude=["name", "address", "phone", "slip_footer"])
    profile.save(update_fields=["instore_prefix"])
    if found := changes(before, profile, ["instore_prefix"]):
        audit_record(user=user, action=Action.CHANGE, record=profile, changes=found)
    return profile


@transaction.atomic
def instore_barcodes_assign(*, products, user=None) -> dict[int, str]:
    """Give each product without a barcode an in-store EAN-13 (owner's prefix,
    valid check digit, held by no product or package unit); products that have a
    barcode keep it. Returns {product pk: code} of those given one."""
    profile = _locked_profile()
    pks = [p.pk for p in products]
    bare = list(
        Product.objects.select_for_update()
        .filter(pk__in=pks, barcode="")
        .order_by("pk")
    )
    if not bare:
        return {}
    codes = _instore_codes(profile, len(bare))
    entries = []
    for product, code in zip(bare, codes, strict=True):
        product.barcode = code
        product.search_text = _product_search_text(product)
        entries.append(
            audit_entry(
                user=user,
                action=Action.CHANGE,
                record=product,
                changes={"barcode": ["", code]},
            )
        )
    Product.objects.bulk_update(bare, ["barcode", "search_text"])
    audit_record_many(entries)
    return {product.pk: product.barcode for product in bare}


# --- attributes and styles ------------------------------------------------------------

ATTRIBUTE_FIELDS = ["name", "sort_order"]
STYLE_FIELDS = [
    "code", "name", "category", "unit", "supplier", "purchase_price", "sale_price",
    "note",
]  # fmt: skip


@transaction.atomic
def attribute_save(
    *, attribute: Attribute | None = None, data: dict, values: list, user=None
) -> Attribute:
    """Create or edit an attribute and its values in the order given (``values``:
    (code, name) pairs). A value matched by code keeps its products; a value left
    out is removed unless a style or product uses it."""
    attribute = attribute or Attribute()
    before = _stored(attribute, ATTRIBUTE_FIELDS)
    _assign(attribute, ATTRIBUTE_FIELDS, data)
    attribute.save()
    existing = {v.code.lower(): v for v in attribute.values.all()}
    seen_codes, seen_names = set(), set()
    for code, name in values:
        if code.lower() in seen_codes or name.lower() in seen_names:
            raise ValidationError(
                _("“%(code)s %(name)s” is listed twice.") % {"code": code, "name": name}
            )
        seen_codes.add(code.lower())
        seen_names.add(name.lower())
    dropped = [v for key, v in existing.items() if key not in seen_codes]
    for value in dropped:
        if value.products.exists() or value.styles.exists():
            raise ValidationError(
                _(
                    "“%(name)s” is used by styles or products and cannot be "
                    "removed; rename it instead."
                )
                % {"name": value.name}
            )
        value.delete()
    # Renames may swap names between values: clear them first, then write.
    kept = [
        existing[code.lower()] for code, _name in values if code.lower() in existing
    ]
    for value in kept:
        value.name = f"~{value.pk}~"
    AttributeValue.objects.bulk_update(kept, ["name"])
    for order, (code, name) in enumerate(values):
        value = existing.get(code.lower()) or AttributeValue(attribute=attribute)
        value.code, value.name, value.sort_order = code, name, order
        value.save()
    listed = ", ".join(f"{code} {name}" for code, name in values)
    entry = _saved(attribute, before, ATTRIBUTE_FIELDS, user, summary=listed)
    if entry is None and (dropped or before is None or values):
        entry = audit_entry(
            user=user, action=Action.CHANGE, record=attribute, summary=listed
        )
    entry.save()
    return attribute


@transaction.atomic
def attribute_delete(*, attribute: Attribute, user=None) -> None:
    """Delete an attribute none of whose values a style or product uses."""
    if (
        AttributeValue.objects.filter(attribute=attribute)
        .filter(Q(products__isnull=False) | Q(styles__isnull=False))
        .exists()
    ):
        raise ValidationError(
            _("“%(name)s” is used by styles or products and cannot be deleted.")
            % {"name": attribute.name}
        )
    _delete(attribute, user)


@transaction.atomic
def style_save(
    *, style: Style | None = None, data: dict, values=None, user=None
) -> Style:
    """Create or edit a style and the values it comes in. A value its variants
    use stays (their stock and history need it)."""
    style = style or Style()
    before = _stored(style, STYLE_FIELDS)
    _assign(style, STYLE_FIELDS, data)
    style.save()
    if values is not None:
        wanted = {value.pk for value in values}
        used = set(
            AttributeValue.objects.filter(products__style=style).values_list(
                "pk", flat=True
            )
        )
        if missing := used - wanted:
            names = AttributeValue.objects.filter(pk__in=missing).order_by("pk")
            raise ValidationError(
                _("Variants use %(values)s: they stay in the style.")
                % {"values": "、".join(v.name for v in names)}
            )
        style.values.set(values)
    if entry := _saved(style, before, STYLE_FIELDS, user):
        entry.save()
    return style


@transaction.atomic
def style_delete(*, style: Style, user=None) -> None:
    """Delete a style without variants."""
    _delete(style, user)


@transaction.atomic
def style_variants_generate(
    *, style: Style, user=None, instore_barcodes: bool = False
) -> list[Product]:
    """Make the missing variants of a style, one product per combination of its
    values (SKU: style code + value codes), sharing its name, category, unit,
    supplier and prices. Existing variants stay as they are; the database refuses
    a combination twice. With ``instore_barcodes`` the new variants get in-store
    EAN-13s. Returns the products made."""
    from catalog.selectors import style_variant_plan

    style = Style.objects.select_for_update().get(pk=style.pk)
    plan = style_variant_plan(style)
    clashes = [row for row in plan.rows if row.clash]
    if clashes:
        raise ValidationError(
            _("SKU %(skus)s already belongs to other products: rename those first.")
            % {"skus": "、".join(row.sku for row in clashes)}
        )
    made = []
    for row in plan.rows:
        if row.product is not None:
            continue
        product = Product(
            sku=row.sku,
            name=f"{style.name} {row.label}",
            category_id=style.category_id,
            unit=style.unit,
            spec=row.label,
            purchase_price=style.purchase_price,
            sale_price=style.sale_price,
            preferred_supplier_id=style.supplier_id,
            style=style,
            variant_key=row.key,
        )
        product.search_text = _product_search_text(product)
        product.variant_values_list = row.values
        made.append(product)
    Product.objects.bulk_create(made)
    through = Product.variant_values.through
    through.objects.bulk_create(
        through(product_id=product.pk, attributevalue_id=value.pk)
        for product in made
        for value in product.variant_values_list
    )
    audit_record_many(
        audit_entry(
            user=user,
            action=Action.CREATE,
            record=product,
            summary=_("variant of %(style)s") % {"style": style.code},
        )
        for product in made
    )
    if instore_barcodes and made:
        codes = instore_barcodes_assign(products=made, user=user)
        for product in made:
            product.barcode = codes.get(product.pk, product.barcode)
    return made


@transaction.atomic
def variants_import(
    *, rows: list[dict], user=None, source: str = ""
) -> tuple[int, int]:
    """Create or update variants from checked rows (catalog.imports.variant_rows),
    all or nothing: a new style is made with the row's name and price; its values
    join the style; a missing variant is made like generated ones; a given barcode
    or price is set on the variant. Returns (created, updated)."""
    from catalog.imports import variant_changes
    from catalog.selectors import variant_key

    styles: dict[str, Style] = {}
    created = updated = 0
    for row in rows:
        code = row["style_code"]
        style = row["_style"] or styles.get(code.lower())
        if style is None:
            name = next(
                r["style_name"]
                for r in rows
                if r["style_code"].lower() == code.lower() and r.get("style_name")
            )
            style = style_save(
                data={
                    "code": code,
                    "name": name,
                    "sale_price": row.get("sale_price", 0),
                },
                user=user,
            )
        elif row.get("style_name") and row["style_name"] != style.name:
            style = style_save(style=style, data={"name": row["style_name"]}, user=user)
        styles[code.lower()] = style
        style.values.add(*row["_values"])
        product = (
            row["_product"]
            or style.variants.filter(variant_key=variant_key(row["_values"])).first()
        )
        if product is None:
            label = " ".join(value.name for value in row["_values"])
            product = product_save(
                data={
                    "sku": row["sku"],
                    "name": f"{style.name} {label}",
                    "category": style.category,
                    "unit": style.unit,
                    "spec": label,
                    "purchase_price": style.purchase_price,
                    "sale_price": row.get("sale_price", style.sale_price),
                    "preferred_supplier": style.supplier,
                    "barcode": row.get("barcode", ""),
                },
                user=user,
            )
            product.style, product.variant_key = style, variant_key(row["_values"])
            product.save(update_fields=["style", "variant_key"])
            product.variant_values.set(row["_values"])
            created += 1
        elif changed := variant_changes(row):
            data = {k: v for k, v in changed.items() if k != "style_name"}
            if data:
                product_save(product=product, data=data, user=user)
            updated += 1
    return created, updated

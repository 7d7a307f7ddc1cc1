"""Reads of master data, each in a fixed number of queries."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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
from catalog.pinyin import fold_code, normalize_text
from jxc.inputs import searchable


def search(queryset: QuerySet, text: str) -> QuerySet:
    """Records whose search keys contain every word typed (name, code, pinyin...)."""
    if not searchable(text):
        return queryset.none()
    for word in normalize_text(text).split():
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def product_list() -> QuerySet:
    """Products with what a list row shows, joined in the same query."""
    return Product.objects.select_related("category", "preferred_supplier")


class SeveralProductsMatch(ValidationError):
    """A code names more than one product; the message says which."""

    def __init__(self, code: str, products: list[Product]):
        self.code, self.products = code, products
        super().__init__(
            _("Several products match “%(code)s”: %(products)s. Type the SKU.")
            % {
                "code": code[:60],
                "products": "、".join(f"{p.sku} {p.name}" for p in products),
            }
        )


def code_key(text: str) -> str:
    """The key ``products_by_code`` answers under: the code as typed or scanned,
    full-width characters folded, no spaces around it, lower-case."""
    return fold_code(text).lower()


def products_by_code(codes: Iterable[str]) -> dict[str, Product | SeveralProductsMatch]:
    """What each code names, keyed by ``code_key``, in one query: the product whose
    barcode is the code (ignoring case), else the product whose SKU is. A barcode
    wins over another product's SKU that reads the same, as a scanner means; two
    barcodes differing only in case answer SeveralProductsMatch. Codes naming no
    product are absent."""
    keys = {code_key(code) for code in codes}
    keys = {key for key in keys if key and searchable(key)}
    if not keys:
        return {}
    found = (
        Product.objects.alias(sku_lower=Lower("sku"), barcode_lower=Lower("barcode"))
        .filter(Q(sku_lower__in=keys) | Q(barcode_lower__in=keys))
        .order_by("pk")
    )
    by_barcode: dict[str, list[Product]] = {}
    by_sku: dict[str, Product] = {}
    for product in found:
        if product.barcode.lower() in keys:
            by_barcode.setdefault(product.barcode.lower(), []).append(product)
        if product.sku.lower() in keys:
            by_sku[product.sku.lower()] = product
    answer: dict[str, Product | SeveralProductsMatch] = dict(by_sku)
    for key, products in by_barcode.items():
        answer[key] = (
            products[0] if len(products) == 1 else SeveralProductsMatch(key, products)
        )
    return answer


def product_by_code(code: str) -> Product | None:
    """The one product a typed SKU or scanned barcode names (``products_by_code``'s
    rules), None when none does; raises SeveralProductsMatch when several do."""
    found = products_by_code([code]).get(code_key(code))
    if isinstance(found, SeveralProductsMatch):
        raise found
    return found


def product_detail(pk: int) -> QuerySet:
    return (
        Product.objects.select_related("category", "preferred_supplier", "style")
        .prefetch_related("package_units")
        .filter(pk=pk)
    )


def category_list() -> QuerySet:
    return Category.objects.select_related("parent")


def category_choices() -> QuerySet:
    return Category.objects.order_by("sort_order", "name")


def supplier_list() -> QuerySet:
    return Supplier.objects.all()


def customer_list() -> QuerySet:
    return Customer.objects.select_related("price_level")


def warehouse_list() -> QuerySet:
    return Warehouse.objects.select_related("shop")


def shop_list() -> QuerySet:
    return Shop.objects.annotate(
        warehouse_count=Count("warehouses", distinct=True),
        member_count=Count("members", distinct=True),
    ).order_by("code")


def active_suppliers() -> QuerySet:
    return Supplier.objects.filter(is_active=True)


def default_warehouse() -> Warehouse:
    return Warehouse.objects.get(is_default=True)


# --- import previews ---------------------------------------------------------------


def _differs(record, values: dict) -> bool:
    """True when an import row would change ``record``."""
    for key, value in values.items():
        if key in ("sku", "code"):
            continue  # matched ignoring case; the stored spelling stays
        if key == "category_name":
            current = record.category.name if record.category_id else ""
            if current.lower() != (value or "").lower():
                return True
        elif key == "preferred_supplier":
            if record.preferred_supplier_id != (value.pk if value else None):
                return True
        elif getattr(record, key) != value:
            return True
    return False


def _plan(table, rows: list[dict], model, key: str, code_header: str):
    """new / updated / unchanged by ``key`` (SKU or code, ignoring case) and the
    first rows; returns (plan, numbered rows, the existing records by key)."""
    from jxc.import_flow import PREVIEW_ROWS, ImportPlan

    numbered = [
        (number, values)
        for (number, _raw), values in zip(table.rows, rows, strict=True)
    ]
    records = model.objects.annotate(key_lower=Lower(key)).filter(
        key_lower__in={values[key].lower() for values in rows}
    )
    if model is Product:
        records = records.select_related("category")
    existing = {getattr(record, key).lower(): record for record in records}
    new = updated = unchanged = 0
    shown = []
    for number, values in numbered:
        record = existing.get(values[key].lower())
        if record is None:
            new += 1
            status = _("new")
        elif _differs(record, values):
            updated += 1
            status = _("updated")
        else:
            unchanged += 1
            status = _("unchanged")
        if len(shown) < PREVIEW_ROWS:
            shown.append([number, status, values[key], values.get("name", "")])
    plan = ImportPlan(
        counts=[(_("new"), new), (_("updated"), updated), (_("unchanged"), unchanged)],
        headers=[
            _("Row"),
            pgettext("import preview", "Change"),
            code_header,
            _("Name"),
        ],
        rows=shown,
        total=len(numbered),
        warnings=list(table.warnings),
    )
    return plan, numbered, existing


def product_import_plan(table, rows: list[dict]):
    """The preview of a product import: new / updated / unchanged by SKU, the first
    rows, and new products named like an existing one (or like another new row):
    the same words in another order or spacing (红富士苹果 / 苹果 红富士)."""
    from jxc.matching import name_key
    from jxc.tabular import RowError

    plan, numbered, existing = _plan(table, rows, Product, "sku", _("SKU"))
    names = {}
    for sku, name in Product.objects.values_list("sku", "name"):
        names.setdefault(name_key(name), (sku, name))
    column = next(c.header for c in table.columns if c.key == "name")
    for number, values in numbered:
        if values["sku"].lower() in existing or not values.get("name"):
            continue
        key = name_key(values["name"])
        like = names.get(key)
        if like is not None and like[0].lower() != values["sku"].lower():
            plan.warnings.append(
                RowError(
                    number,
                    column,
                    _("named like “%(name)s” (%(sku)s): the same product twice?")
                    % {"name": like[1], "sku": like[0]},
                )
            )
        names.setdefault(key, (values["sku"], values["name"]))
    plan.warnings.sort(key=lambda warning: warning.row)
    return plan


def party_import_plan(model):
    """The preview of a supplier or customer import: new / updated / unchanged."""

    def plan(table, rows: list[dict]):
        return _plan(table, rows, model, "code", _("Code"))[0]

    return plan


def shop_profile() -> ShopProfile:
    """The shop's name, address, phone and slip line (defaults until saved)."""
    return ShopProfile.objects.filter(pk=1).first() or ShopProfile(pk=1)


# --- barcodes of products and package units -------------------------------------------


def barcode_holders(codes, *, product=None, unit_pks=()) -> dict[str, str]:
    """Which of ``codes`` a product (other than ``product``) or a package unit (not
    in ``unit_pks``) already carries, ignoring case, in two queries:
    {code: who holds it, for a message}."""
    wanted = {code.lower(): code for code in codes if code}
    if not wanted:
        return {}
    products = Product.objects.alias(b=Lower("barcode")).filter(b__in=wanted)
    if product is not None and product.pk:
        products = products.exclude(pk=product.pk)
    units = (
        PackageUnit.objects.alias(b=Lower("barcode"))
        .filter(b__in=wanted)
        .exclude(pk__in=unit_pks)
        .select_related("product")
    )
    found = {}
    for holder in products:
        found[wanted[holder.barcode.lower()]] = f"“{holder.name}” ({holder.sku})"
    for unit in units:
        found[wanted[unit.barcode.lower()]] = _(
            "the %(unit)s of “%(name)s” (%(sku)s)"
        ) % {
            "unit": unit.name,
            "name": unit.product.name,
            "sku": unit.product.sku,
        }
    return found


@dataclass(frozen=True)
class Sellable:
    """What a scanned or typed code sells: a product, in its base unit (``unit``
    None, factor 1) or in one of its package units."""

    product: Product
    unit: PackageUnit | None
    factor: Decimal

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit else self.product.unit


def sellable_by_code(code: str) -> Sellable | None:
    """The product and unit a code names: a package unit's barcode (1 箱), else
    ``product_by_code``'s rules (the base unit). None when nothing does; raises
    SeveralProductsMatch as product_by_code does."""
    key = code_key(code)
    if key and searchable(key):
        unit = (
            PackageUnit.objects.alias(b=Lower("barcode"))
            .filter(b=key)
            .select_related("product")
            .first()
        )
        if unit is not None:
            return Sellable(unit.product, unit, unit.factor)
    product = product_by_code(code)
    return None if product is None else Sellable(product, None, Decimal(1))


def sellable_in_unit(code: str, unit: str = "") -> Sellable | None:
    """What a document line's code names in the unit its select holds: ``unit``
    empty, as the code names it (a package's barcode: that package); a package
    unit's id, that unit of the product (another product's: the base unit)."""
    found = sellable_by_code(code)
    if found is None or not unit.isdigit():
        return found
    package = PackageUnit.objects.filter(pk=int(unit), product=found.product).first()
    if package is None:
        return found
    return Sellable(found.product, package, package.factor)


def package_units_of(product_ids) -> dict[int, PackageUnit]:
    """The largest package unit of each product that has one, in one query (what
    stock is shown in: "3 箱 5 瓶")."""
    largest = {}
    for unit in PackageUnit.objects.filter(product_id__in=list(product_ids)).order_by(
        "product_id", "factor"
    ):
        largest[unit.product_id] = unit
    return largest


# --- prices for a customer ------------------------------------------------------------


def price_for(product: Product, customer=None, unit: PackageUnit | None = None):
    """The price a sale to ``customer`` starts at, per ``unit`` (None: the base
    unit): the price on the customer's level for that unit, else for a package
    the package's own price, else the level's base price (or the sale price)
    times its factor. One query at most (none without a level or unit price)."""
    from jxc.decimals import money

    level_id = getattr(customer, "price_level_id", None)
    prices = {}
    if level_id is not None:
        prices = {
            row.package_unit_id: row.price
            for row in LevelPrice.objects.filter(
                level_id=level_id, product_id=product.pk
            )
        }
    if unit is None:
        return prices.get(None, product.sale_price)
    if unit.pk in prices:
        return prices[unit.pk]
    if unit.sale_price is not None:
        return unit.sale_price
    return money(prices.get(None, product.sale_price) * unit.factor)


def level_prices_of(level_id: int | None, product_ids) -> dict[int, Decimal]:
    """The base-unit prices of products on a price level (product id → price),
    in one query; none, and no query, without a level."""
    if level_id is None:
        return {}
    return dict(
        LevelPrice.objects.filter(
            level_id=level_id,
            product_id__in=list(product_ids),
            package_unit__isnull=True,
        ).values_list("product_id", "price")
    )


def level_prices(product: Product) -> dict[tuple[int, int | None], Decimal]:
    """A product's prices per (level pk, package unit pk or None)."""
    return {
        (row.level_id, row.package_unit_id): row.price
        for row in LevelPrice.objects.filter(product=product)
    }


def price_level_list() -> QuerySet:
    return PriceLevel.objects.annotate(customer_count=Count("customers")).order_by(
        "sort_order", "name"
    )


# --- styles and their variants --------------------------------------------------------


def style_list() -> QuerySet:
    return (
        Style.objects.select_related("category", "supplier")
        .annotate(variant_count=Count("variants"))
        .order_by("code")
    )


def attribute_list() -> QuerySet:
    return Attribute.objects.prefetch_related("values")


def style_axes(style: Style) -> list[tuple[Attribute, list[AttributeValue]]]:
    """The attributes a style varies in, each with the values it comes in, in the
    shop's order (one query)."""
    axes: dict[int, tuple[Attribute, list]] = {}
    for value in style.values.select_related("attribute").order_by(
        "attribute__sort_order", "attribute__name", "sort_order", "pk"
    ):
        axes.setdefault(value.attribute_id, (value.attribute, []))[1].append(value)
    return list(axes.values())


def variant_key(values) -> str:
    return "-".join(str(pk) for pk in sorted(value.pk for value in values))


@dataclass
class VariantRow:
    values: tuple
    key: str
    sku: str
    label: str
    product: Product | None  # the existing variant
    clash: Product | None  # another product holding the SKU


@dataclass
class VariantPlan:
    axes: list
    rows: list[VariantRow]

    @property
    def new(self) -> list[VariantRow]:
        return [row for row in self.rows if row.product is None]


def style_variant_plan(style: Style) -> VariantPlan:
    """Every combination of a style's values: its SKU (style code + value codes),
    the variant that exists for it, or another product already holding that SKU
    (three queries)."""
    axes = style_axes(style)
    combos = list(itertools.product(*[values for _a, values in axes])) if axes else []
    existing = {p.variant_key: p for p in style.variants.all()}
    rows = []
    for combo in combos:
        sku = "-".join([style.code, *[value.code for value in combo]])
        key = variant_key(combo)
        label = " ".join(value.name for value in combo)
        rows.append(VariantRow(combo, key, sku, label, existing.get(key), None))
    skus = {row.sku.lower(): row for row in rows if row.product is None}
    if skus:
        for product in Product.objects.alias(s=Lower("sku")).filter(s__in=skus):
            skus[product.sku.lower()].clash = product
    return VariantPlan(axes, rows)


def variant_import_plan(table, rows: list[dict]):
    """The preview of a variant import: new / updated / unchanged variants (a new
    style counts its variants as new), the first rows."""
    from catalog.imports import variant_changes
    from jxc.import_flow import PREVIEW_ROWS, ImportPlan

    new = updated = unchanged = 0
    shown = []
    for (number, _raw), values in zip(table.rows, rows, strict=True):
        if values["_product"] is None:
            new += 1
            status = _("new")
        elif variant_changes(values):
            updated += 1
            status = _("updated")
        else:
            unchanged += 1
            status = _("unchanged")
        if len(shown) < PREVIEW_ROWS:
            label = " ".join(value.name for value in values["_values"])
            shown.append([number, status, values["sku"], label])
    return ImportPlan(
        counts=[(_("new"), new), (_("updated"), updated), (_("unchanged"), unchanged)],
        headers=[
            _("Row"),
            pgettext("import preview", "Change"),
            _("SKU"),
            _("Variant"),
        ],
        rows=shown,
        total=len(rows),
        warnings=list(table.warnings),
    )


def style_by_code(text: str) -> Style | None:
    """The style a typed or scanned text names: its code (ignoring case), else its
    exact name, else the one style whose code or name contains it. None when none
    does; raises ValidationError naming them when several do (at most two
    queries)."""
    key = code_key(text)
    if not key or not searchable(key):
        return None
    styles = Style.objects.alias(code_lower=Lower("code"), name_lower=Lower("name"))
    exact = list(styles.filter(Q(code_lower=key) | Q(name_lower=key)))
    for matches in (
        [s for s in exact if s.code.lower() == key],
        [s for s in exact if s.name.lower() == key],
    ):
        if len(matches) == 1:
            return matches[0]
    found = exact or list(
        styles.filter(
            Q(code_lower__contains=key) | Q(name_lower__contains=key)
        ).order_by("code")[:6]
    )
    if len(found) == 1:
        return found[0]
    if found:
        raise ValidationError(
            _("Several styles match “%(text)s”: %(styles)s. Type the style code.")
            % {"text": text[:60], "styles": "、".join(str(s) for s in found[:5])}
        )
    return None

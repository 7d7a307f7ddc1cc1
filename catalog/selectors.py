"""Reads of master data, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from catalog.models import (
    Category,
    Customer,
    Product,
    ShopProfile,
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
    return Product.objects.select_related("category", "preferred_supplier").filter(
        pk=pk
    )


def category_list() -> QuerySet:
    return Category.objects.select_related("parent")


def category_choices() -> QuerySet:
    return Category.objects.order_by("sort_order", "name")


def supplier_list() -> QuerySet:
    return Supplier.objects.all()


def customer_list() -> QuerySet:
    return Customer.objects.all()


def warehouse_list() -> QuerySet:
    return Warehouse.objects.all()


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

"""Reads of master data, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from catalog.models import Category, Customer, Product, Supplier, Warehouse
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

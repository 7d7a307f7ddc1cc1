"""Reads of master data, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from catalog.models import Category, Customer, Product, Supplier, Warehouse
from catalog.pinyin import fold_code, normalize_text
from jxc.forms import searchable


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


def product_by_barcode(text: str) -> Product | None:
    """The one product a scanned barcode (or exact SKU) names, if any."""
    code = fold_code(text)
    if not code or " " in code or not searchable(code):
        return None
    matches = list(
        Product.objects.filter(Q(barcode__iexact=code) | Q(sku__iexact=code)).order_by(
            "pk"
        )[:2]
    )
    return matches[0] if len(matches) == 1 else None


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

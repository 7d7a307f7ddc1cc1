"""Master data in Django's admin is read-only: changes go through the app's pages,
whose services keep search keys, the walk-in customer and the default warehouse
right."""

from django.contrib import admin

from catalog.models import Category, Customer, Product, Supplier, Warehouse
from jxc.admin import ReadOnlyAdmin


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["sku", "name", "barcode", "category", "sale_price", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["sku", "name", "barcode", "search_text"]


@admin.register(Supplier, Customer)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "contact", "phone", "is_active"]
    search_fields = ["code", "name", "search_text"]


@admin.register(Category, Warehouse)
class PlainAdmin(ReadOnlyAdmin):
    pass

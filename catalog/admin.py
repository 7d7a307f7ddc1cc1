from django.contrib import admin

from catalog.models import Category, Customer, Product, Supplier, Warehouse


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "barcode", "category", "sale_price", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["sku", "name", "barcode", "search_text"]
    readonly_fields = ["search_text", "created_at", "updated_at"]


@admin.register(Supplier, Customer)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "contact", "phone", "is_active"]
    search_fields = ["code", "name", "search_text"]
    readonly_fields = ["search_text"]


admin.site.register(Category)
admin.site.register(Warehouse)

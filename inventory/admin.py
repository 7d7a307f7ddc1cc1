"""The ledger and balances in Django's admin: read-only, like everything stock."""

from django.contrib import admin

from inventory.models import (
    Adjustment,
    OpeningStock,
    StockLevel,
    StockMove,
    Stocktake,
    Transfer,
)
from jxc.admin import ReadOnlyAdmin


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = [
        "occurred_at",
        "kind",
        "product",
        "warehouse",
        "quantity",
        "value",
        "balance_after",
        "source_number",
    ]
    list_filter = ["kind", "warehouse"]
    search_fields = ["product__sku", "product__name", "source_number"]
    list_select_related = ["product", "warehouse"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["product", "warehouse", "on_hand", "reserved", "unit_cost", "value"]
    list_select_related = ["product", "warehouse"]
    search_fields = ["product__sku", "product__name"]


admin.site.register([Adjustment, Transfer, Stocktake, OpeningStock], ReadOnlyAdmin)

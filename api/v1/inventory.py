"""Stock per product and warehouse: on hand, reserved, available (and, for
owner-level keys, the moving-average cost and the stock value)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.v1.base import SINCE, CostAware, ReadOnly
from inventory.models import StockLevel
from jxc.decimals import QUANTITY_DIGITS, QUANTITY_PLACES


class StockSerializer(CostAware):
    sku = serializers.CharField(source="product.sku")
    product_name = serializers.CharField(source="product.name")
    unit = serializers.CharField(source="product.unit")
    warehouse_code = serializers.CharField(source="warehouse.code")
    available = serializers.DecimalField(QUANTITY_DIGITS + 1, QUANTITY_PLACES)

    class Meta:
        model = StockLevel
        fields = [
            "id", "product", "sku", "product_name", "unit", "warehouse",
            "warehouse_code", "on_hand", "reserved", "available", "unit_cost",
            "value", "updated_at",
        ]  # fmt: skip
        cost_fields = ["unit_cost", "value"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            SINCE,
            OpenApiParameter("warehouse", int, description="Only this warehouse."),
            OpenApiParameter("product", int, description="Only this product."),
        ]
    )
)
class StockViewSet(ReadOnly):
    serializer_class = StockSerializer
    required_perms = {"GET": ("inventory.view_stocklevel",)}

    def get_queryset(self):
        return StockLevel.objects.select_related("product", "warehouse").order_by(
            "product_id", "warehouse_id"
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        for name in ("warehouse", "product"):
            value = self.request.query_params.get(name)
            if value:
                if not value.isdigit():
                    raise ValidationError({name: _("An id: a whole number.")})
                queryset = queryset.filter(**{f"{name}_id": int(value)})
        return queryset


ENDPOINTS = [("stock", StockViewSet, "stock")]

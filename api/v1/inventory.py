"""Stock per product and warehouse: on hand, reserved, available (and, for
owner-level keys, the moving-average cost and the stock value), and the same in
each of the product's package units ("3 箱 5 瓶": whole packages and the rest
in the base unit)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.v1.base import SINCE, CostAware, ReadOnly
from inventory.models import StockLevel
from jxc.decimals import QUANTITY_DIGITS, QUANTITY_PLACES
from jxc.units import in_packages as as_text
from jxc.units import split


class InPackagesSerializer(serializers.Serializer):
    package_unit = serializers.IntegerField()
    name = serializers.CharField()
    factor = serializers.DecimalField(QUANTITY_DIGITS, QUANTITY_PLACES)
    on_hand_packages = serializers.IntegerField()
    on_hand_rest = serializers.DecimalField(QUANTITY_DIGITS, QUANTITY_PLACES)
    available_packages = serializers.IntegerField()
    available_rest = serializers.DecimalField(QUANTITY_DIGITS, QUANTITY_PLACES)
    on_hand_text = serializers.CharField()


def in_packages(level) -> list[dict]:
    """The level in each package unit of its product (prefetched), smallest
    first: whole packages and the rest in the base unit."""
    rows = []
    available = level.on_hand - level.reserved
    for unit in level.product.package_units.all():
        whole, rest = split(level.on_hand, unit.factor)
        free_whole, free_rest = split(available, unit.factor)
        rows.append(
            {
                "package_unit": unit.pk,
                "name": unit.name,
                "factor": unit.factor,
                "on_hand_packages": whole,
                "on_hand_rest": rest,
                "available_packages": free_whole,
                "available_rest": free_rest,
                "on_hand_text": as_text(
                    level.on_hand, unit.factor, unit.name, level.product.unit
                ),
            }
        )
    return InPackagesSerializer(rows, many=True).data


class StockSerializer(CostAware):
    sku = serializers.CharField(source="product.sku")
    product_name = serializers.CharField(source="product.name")
    unit = serializers.CharField(source="product.unit")
    warehouse_code = serializers.CharField(source="warehouse.code")
    available = serializers.DecimalField(QUANTITY_DIGITS + 1, QUANTITY_PLACES)
    packages = serializers.SerializerMethodField()

    class Meta:
        model = StockLevel
        fields = [
            "id", "product", "sku", "product_name", "unit", "warehouse",
            "warehouse_code", "on_hand", "reserved", "available", "unit_cost",
            "value", "packages", "updated_at",
        ]  # fmt: skip
        cost_fields = ["unit_cost", "value"]

    @extend_schema_field(InPackagesSerializer(many=True))
    def get_packages(self, level) -> list[dict]:
        return in_packages(level)


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
        return (
            StockLevel.objects.select_related("product", "warehouse")
            .prefetch_related("product__package_units")
            .order_by("product_id", "warehouse_id")
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

"""Purchase orders, goods receipts and purchase returns with their lines.

Purchase prices show on these as they do on the purchase pages, where a clerk
enters them."""

from __future__ import annotations

from rest_framework import serializers

from api.v1.base import document_viewset
from purchasing.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReturn,
    PurchaseReturnLine,
)

HEAD = [
    "id",
    "number",
    "status",
    "supplier",
    "warehouse",
    "note",
    "created_at",
    "total",
]


class Lines(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    unit = serializers.CharField(source="product.unit")
    entered_quantity = serializers.DecimalField(14, 3, source="entered", read_only=True)
    entered_unit = serializers.CharField(source="unit_name", read_only=True)


class PurchaseOrderLineSerializer(Lines):
    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id", "product", "sku", "unit", "quantity", "entered_quantity",
            "entered_unit", "unit_price", "amount", "received_quantity",
        ]  # fmt: skip


class PurchaseOrderSerializer(serializers.ModelSerializer):
    lines = PurchaseOrderLineSerializer(many=True)

    class Meta:
        model = PurchaseOrder
        fields = [*HEAD, "order_date", "expected_date", "ordered_at", "lines"]


class ReceiptLineSerializer(Lines):
    class Meta:
        model = GoodsReceiptLine
        fields = [
            "id", "product", "sku", "unit", "quantity", "entered_quantity",
            "entered_unit", "rejected_quantity", "unit_cost", "amount",
        ]  # fmt: skip


class ReceiptSerializer(serializers.ModelSerializer):
    lines = ReceiptLineSerializer(many=True)

    class Meta:
        model = GoodsReceipt
        fields = [*HEAD, "order", "occurred_at", "lines"]


class PurchaseReturnLineSerializer(Lines):
    class Meta:
        model = PurchaseReturnLine
        fields = [
            "id", "product", "sku", "unit", "quantity", "entered_quantity",
            "entered_unit", "unit_cost", "amount",
        ]  # fmt: skip


class PurchaseReturnSerializer(serializers.ModelSerializer):
    lines = PurchaseReturnLineSerializer(many=True)

    class Meta:
        model = PurchaseReturn
        fields = [*HEAD, "receipt", "occurred_at", "lines"]


def _documents(model, serializer, perm, name):
    return document_viewset(
        model, serializer, perm, partner="supplier", schema_name=name
    )


ENDPOINTS = [
    (
        "purchase-orders",
        _documents(
            PurchaseOrder, PurchaseOrderSerializer,
            "purchasing.view_purchaseorder", "PurchaseOrderViewSet",
        ),
        "purchaseorder",
    ),
    (
        "receipts",
        _documents(
            GoodsReceipt, ReceiptSerializer,
            "purchasing.view_goodsreceipt", "ReceiptViewSet",
        ),
        "receipt",
    ),
    (
        "purchase-returns",
        _documents(
            PurchaseReturn, PurchaseReturnSerializer,
            "purchasing.view_purchasereturn", "PurchaseReturnViewSet",
        ),
        "purchasereturn",
    ),
]  # fmt: skip

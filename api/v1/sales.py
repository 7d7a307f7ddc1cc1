"""Sales orders, shipments and sales returns with their lines; creating a sales
order (and confirming it) through the same services as the order page."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from api.framework import check_key_shop, key_shop_id
from api.models import Scope
from api.v1.base import CostAware, document_viewset
from catalog.models import Customer, PackageUnit, Product, Warehouse
from jxc.decimals import PRICE_PLACES, QUANTITY_PLACES
from sales import authority, services
from sales.models import (
    OrderStatus,
    SalesOrder,
    SalesOrderLine,
    SalesReturn,
    SalesReturnLine,
    Shipment,
    ShipmentLine,
)

HEAD = ["id", "number", "status", "warehouse", "note", "created_at", "total"]


class SalesOrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    unit = serializers.CharField(source="product.unit")
    # As entered (2 箱); ``quantity`` is in ``unit``, the base unit, and the
    # price is per the entered unit.
    entered_quantity = serializers.DecimalField(14, 3, source="entered", read_only=True)
    entered_unit = serializers.CharField(source="unit_name", read_only=True)

    class Meta:
        model = SalesOrderLine
        fields = [
            "id", "product", "sku", "unit", "quantity", "entered_quantity",
            "entered_unit", "unit_price", "discount", "amount", "reserved_quantity",
            "shipped_quantity", "returned_quantity",
        ]  # fmt: skip


class SalesOrderSerializer(serializers.ModelSerializer):
    lines = SalesOrderLineSerializer(many=True)

    class Meta:
        model = SalesOrder
        fields = [*HEAD, "customer", "order_date", "is_retail", "confirmed_at", "lines"]


class ShipmentLineSerializer(CostAware):
    sku = serializers.CharField(source="product.sku")
    entered_quantity = serializers.DecimalField(14, 3, source="entered", read_only=True)
    entered_unit = serializers.CharField(source="unit_name", read_only=True)

    class Meta:
        model = ShipmentLine
        fields = [
            "id",
            "product",
            "sku",
            "quantity",
            "entered_quantity",
            "entered_unit",
            "amount",
            "unit_cost",
            "cost_amount",
        ]
        cost_fields = ["unit_cost", "cost_amount"]


class ShipmentSerializer(CostAware):
    lines = ShipmentLineSerializer(many=True)

    class Meta:
        model = Shipment
        fields = [*HEAD, "customer", "order", "occurred_at", "cost_total", "lines"]
        cost_fields = ["cost_total"]


class SalesReturnLineSerializer(ShipmentLineSerializer):
    class Meta(ShipmentLineSerializer.Meta):
        model = SalesReturnLine


class SalesReturnSerializer(CostAware):
    lines = SalesReturnLineSerializer(many=True)

    class Meta:
        model = SalesReturn
        fields = [
            *HEAD, "customer", "shipment", "occurred_at", "reason", "cost_total",
            "lines",
        ]  # fmt: skip
        cost_fields = ["cost_total"]


# --- creating an order ---------------------------------------------------------------


class OrderLineInput(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(14, QUANTITY_PLACES)
    unit_price = serializers.DecimalField(
        14, PRICE_PLACES, required=False, allow_null=True, min_value=0
    )
    # The quantity and price are in this package unit of the product (1 箱);
    # none: the base unit.
    package_unit = serializers.PrimaryKeyRelatedField(
        queryset=PackageUnit.objects.all(), required=False, allow_null=True
    )
    discount = serializers.DecimalField(
        5, 2, required=False, default=0, min_value=0, max_value=100
    )


class SalesOrderCreateSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), required=False
    )
    order_date = serializers.DateField(required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lines = OrderLineInput(many=True, allow_empty=False, max_length=500)
    confirm = serializers.BooleanField(required=False, default=False)
    on_shortage = serializers.ChoiceField(
        ["refuse", "reduce", "backorder"], required=False, default="refuse"
    )


SalesOrderViewSet = document_viewset(
    SalesOrder,
    SalesOrderSerializer,
    "sales.view_salesorder",
    partner="customer",
    schema_name="SalesOrderViewSet",
)


class SalesOrders(mixins.CreateModelMixin, SalesOrderViewSet):
    """Sales orders with their lines. POST creates a draft (``confirm``: and
    confirms it, reserving stock; a shortage is refused unless ``on_shortage``
    says reduce or backorder) through sales' own services: the same rules,
    reservations, audit entries and numbers as the order page."""

    write_scope = Scope.ORDERS
    required_perms = {
        "GET": ("sales.view_salesorder",),
        "POST": ("sales.add_salesorder", "sales.change_salesorder"),
    }

    def get_serializer_class(self):
        if self.action == "create":
            return SalesOrderCreateSerializer
        return SalesOrderSerializer

    @extend_schema(
        request=SalesOrderCreateSerializer, responses={201: SalesOrderSerializer}
    )
    def create(self, request, *args, **kwargs):
        return self.idempotent(request, self._create)

    def _create(self, submission):
        given = self.get_serializer(data=self.request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        lines = [
            services.SaleLineInput(
                line["product"], line["quantity"], line.get("unit_price"),
                line.get("discount") or 0, unit=line.get("package_unit"),
            )
            for line in data["lines"]
        ]  # fmt: skip
        if self.request.auth.scope != Scope.FULL and (
            breaches := authority.price_breaches(lines)
        ):
            # A clerk-level key cannot bring an owner's approval along.
            return Response(
                {
                    "detail": [
                        _("Needs an owner's approval: %(line)s")
                        % {"line": breach.describe()}
                        for breach in breaches
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        warehouse = data.get("warehouse")
        shop_id = key_shop_id(self.request)
        if warehouse is None and shop_id is None:
            warehouse = Warehouse.objects.filter(is_default=True).first()
        elif warehouse is None:
            # A shop-bound key's orders go to that shop's default warehouse.
            warehouse = (
                Warehouse.objects.filter(
                    shop_id=shop_id, is_active=True, is_transit=False
                )
                .order_by("-is_default", "code")
                .first()
            )
        check_key_shop(self.request, warehouse)
        if warehouse is None:
            return Response(
                {"warehouse": [_("Say which warehouse.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        user = self.request.user
        try:
            # All or nothing: an order that cannot be confirmed is not kept as a
            # draft (the caller asked for a confirmed order).
            with transaction.atomic():
                order = services.sales_order_save(
                    customer=data["customer"],
                    warehouse=warehouse,
                    order_date=data.get("order_date") or timezone.localdate(),
                    note=data.get("note", ""),
                    lines=lines,
                    user=user,
                    submission=submission,
                )
                if data["confirm"] and order.status == OrderStatus.DRAFT:
                    order = services.sales_order_confirm(
                        order=order, user=user, on_shortage=data["on_shortage"]
                    )
        except services.OrderShortage as shortage:
            return Response(
                {
                    "detail": shortage.messages,
                    "short": [
                        {
                            "product": row.line.product_id,
                            "sku": row.line.product.sku,
                            "quantity": str(row.line.quantity),
                            "available": str(row.available),
                        }
                        for row in shortage.rows
                    ],
                },
                status=status.HTTP_409_CONFLICT,
            )
        order = self.get_queryset().get(pk=order.pk)
        return Response(
            SalesOrderSerializer(order, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


ENDPOINTS = [
    ("sales-orders", SalesOrders, "salesorder"),
    (
        "shipments",
        document_viewset(
            Shipment, ShipmentSerializer, "sales.view_shipment",
            partner="customer", schema_name="ShipmentViewSet",
        ),
        "shipment",
    ),
    (
        "sales-returns",
        document_viewset(
            SalesReturn, SalesReturnSerializer, "sales.view_salesreturn",
            partner="customer", schema_name="SalesReturnViewSet",
        ),
        "salesreturn",
    ),
]  # fmt: skip

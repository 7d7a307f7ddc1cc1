"""Products, customers, suppliers and warehouses; creating a product.

The hook for what catalog adds next (styles and variants, package units, price
levels): give ``ProductSerializer`` a field per addition (a nested serializer
or a SerializerMethodField reading a prefetched relation) and add the relation
to ``ProductViewSet.get_queryset``'s prefetch; a price level that reveals a cost
goes into ``Meta.cost_fields``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from api.models import Scope
from api.v1.base import SINCE, CostAware, ReadOnly
from catalog import services
from catalog.forms import ProductForm
from catalog.models import Customer, Product, Supplier, Warehouse


class ProductSerializer(CostAware):
    category = serializers.StringRelatedField()

    class Meta:
        model = Product
        fields = [
            "id", "sku", "name", "barcode", "category", "unit", "spec",
            "sale_price", "min_price", "purchase_price", "safety_stock",
            "reorder_quantity", "lead_time_days", "is_active", "created_at",
            "updated_at",
        ]  # fmt: skip
        # What a clerk is not shown on the product pages.
        cost_fields = ["purchase_price", "min_price"]


class ProductCreateSerializer(serializers.Serializer):
    """What a new product takes; the rules are the product form's (ProductForm)."""

    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    barcode = serializers.CharField(max_length=64, required=False, allow_blank=True)
    category = serializers.IntegerField(required=False, allow_null=True)
    unit = serializers.CharField(max_length=16, required=False)
    spec = serializers.CharField(max_length=100, required=False, allow_blank=True)
    purchase_price = serializers.DecimalField(14, 2, required=False)
    sale_price = serializers.DecimalField(14, 2, required=False)
    min_price = serializers.DecimalField(14, 2, required=False, allow_null=True)
    safety_stock = serializers.DecimalField(14, 3, required=False)
    reorder_quantity = serializers.DecimalField(14, 3, required=False)
    lead_time_days = serializers.IntegerField(required=False)
    preferred_supplier = serializers.IntegerField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)


DEFAULTS = {
    "unit": "件",
    "purchase_price": "0",
    "sale_price": "0",
    "safety_stock": "0",
    "reorder_quantity": "0",
    "lead_time_days": "7",
}


@extend_schema_view(list=extend_schema(parameters=[SINCE]))
class ProductViewSet(mixins.CreateModelMixin, ReadOnly):
    """Products with their unit and prices (purchase price and price floor for
    owner-level keys only). POST creates one (scope full) through the same form
    rules and service as the product page."""

    required_perms = {
        "GET": ("catalog.view_product",),
        "POST": ("catalog.add_product",),
    }
    write_scope = Scope.FULL

    def get_queryset(self):
        return Product.objects.select_related("category").order_by("id")

    def get_serializer_class(self):
        return ProductCreateSerializer if self.action == "create" else ProductSerializer

    @extend_schema(request=ProductCreateSerializer, responses={201: ProductSerializer})
    def create(self, request, *args, **kwargs):
        return self.idempotent(request, self._create)

    def _create(self, submission):
        given = self.get_serializer(data=self.request.data)
        given.is_valid(raise_exception=True)
        sent = {
            name: "" if value is None else str(value)
            for name, value in self.request.data.items()
            if name in given.fields and name != "is_active"
        }
        data = {**DEFAULTS, **sent}
        if given.validated_data.get("is_active", True):
            data["is_active"] = "on"
        form = ProductForm(data=data)
        if not form.is_valid():
            return Response(
                {
                    name: [str(m) for m in errors]
                    for name, errors in form.errors.items()
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        product = services.product_save(data=form.cleaned_data, user=self.request.user)
        return Response(
            ProductSerializer(product, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        fields = [
            "id", "code", "name", "contact", "phone", "address", "is_active",
            "created_at", "updated_at",
        ]  # fmt: skip


class CustomerSerializer(PartySerializer):
    class Meta(PartySerializer.Meta):
        model = Customer


class SupplierSerializer(PartySerializer):
    class Meta(PartySerializer.Meta):
        model = Supplier


@extend_schema_view(list=extend_schema(parameters=[SINCE]))
class CustomerViewSet(ReadOnly):
    serializer_class = CustomerSerializer
    required_perms = {"GET": ("catalog.view_customer",)}

    def get_queryset(self):
        return Customer.objects.order_by("id")


@extend_schema_view(list=extend_schema(parameters=[SINCE]))
class SupplierViewSet(ReadOnly):
    serializer_class = SupplierSerializer
    required_perms = {"GET": ("catalog.view_supplier",)}

    def get_queryset(self):
        return Supplier.objects.order_by("id")


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "is_active", "is_default"]


class WarehouseViewSet(ReadOnly):
    serializer_class = WarehouseSerializer
    required_perms = {"GET": ("catalog.view_warehouse",)}

    def get_queryset(self):
        return Warehouse.objects.order_by("id")


ENDPOINTS = [
    ("products", ProductViewSet, "product"),
    ("customers", CustomerViewSet, "customer"),
    ("suppliers", SupplierViewSet, "supplier"),
    ("warehouses", WarehouseViewSet, "warehouse"),
]

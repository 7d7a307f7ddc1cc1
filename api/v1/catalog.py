"""Products (with their style and attribute values, package units and price
levels), price levels, customers (with their price level and balance),
suppliers and warehouses; creating a product.

Everything a product list shows comes in a fixed number of queries however many
products, variants, packages and level prices there are (select_related and
prefetch_related in ``ProductViewSet.get_queryset``; pinned in test_reads).
"""

from __future__ import annotations

from django.db.models import F, Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from api.models import Scope
from api.v1.base import SINCE, CostAware, ReadOnly
from catalog import services
from catalog.forms import ProductForm
from catalog.models import (
    AttributeValue,
    Customer,
    LevelPrice,
    PackageUnit,
    PriceLevel,
    Product,
    Style,
    Supplier,
    Warehouse,
)
from jxc.decimals import MONEY_DIGITS, VALUE_PLACES, money


class StyleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Style
        fields = ["id", "code", "name"]


class VariantValueSerializer(serializers.ModelSerializer):
    attribute = serializers.CharField(source="attribute.name")

    class Meta:
        model = AttributeValue
        fields = ["attribute", "code", "name"]


class PackageUnitSerializer(serializers.ModelSerializer):
    price = serializers.SerializerMethodField(
        help_text="Its own sale price, else the product's sale price × factor."
    )

    class Meta:
        model = PackageUnit
        fields = ["id", "name", "factor", "barcode", "sale_price", "price"]

    @extend_schema_field(serializers.DecimalField(MONEY_DIGITS, VALUE_PLACES))
    def get_price(self, unit) -> str:
        if unit.sale_price is not None:
            return str(unit.sale_price)
        return str(money(unit.product.sale_price * unit.factor))


class LevelPriceSerializer(serializers.ModelSerializer):
    level_name = serializers.CharField(source="level.name")

    class Meta:
        model = LevelPrice
        fields = ["level", "level_name", "package_unit", "price"]


class ProductSerializer(CostAware):
    category = serializers.StringRelatedField()
    style = StyleSerializer(allow_null=True, read_only=True)
    variant_values = VariantValueSerializer(many=True, read_only=True)
    package_units = PackageUnitSerializer(many=True, read_only=True)
    level_prices = LevelPriceSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id", "sku", "name", "barcode", "category", "unit", "spec",
            "sale_price", "min_price", "purchase_price", "safety_stock",
            "reorder_quantity", "lead_time_days", "is_active", "style",
            "variant_values", "package_units", "level_prices", "created_at",
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
        return (
            Product.objects.select_related("category", "style")
            .prefetch_related(
                Prefetch(
                    "variant_values",
                    queryset=AttributeValue.objects.select_related("attribute"),
                ),
                "package_units",
                Prefetch(
                    "level_prices",
                    queryset=LevelPrice.objects.select_related("level").order_by(
                        "level__sort_order",
                        "level__name",
                        F("package_unit__factor").asc(nulls_first=True),
                    ),
                ),
            )
            .order_by("id")
        )

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


class PriceLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceLevel
        fields = ["id", "name", "sort_order", "note"]


class CustomerSerializer(PartySerializer):
    price_level = PriceLevelSerializer(allow_null=True, read_only=True)
    balance = serializers.SerializerMethodField(
        help_text="What the customer owes now; below zero: paid in advance."
    )

    class Meta(PartySerializer.Meta):
        model = Customer
        fields = [
            *PartySerializer.Meta.fields, "price_level", "credit_limit", "balance",
        ]  # fmt: skip

    @extend_schema_field(serializers.DecimalField(MONEY_DIGITS, VALUE_PLACES))
    def get_balance(self, customer) -> str:
        row = getattr(customer, "money_balance", None)
        return str(money(row.balance if row is not None else 0))


class SupplierSerializer(PartySerializer):
    class Meta(PartySerializer.Meta):
        model = Supplier


@extend_schema_view(list=extend_schema(parameters=[SINCE]))
class CustomerViewSet(ReadOnly):
    serializer_class = CustomerSerializer
    required_perms = {"GET": ("catalog.view_customer",)}

    def get_queryset(self):
        return Customer.objects.select_related("price_level", "money_balance").order_by(
            "id"
        )


class PriceLevelViewSet(ReadOnly):
    """价格等级: the price lists customers buy on (their prices are on each
    product's ``level_prices``)."""

    serializer_class = PriceLevelSerializer
    required_perms = {"GET": ("catalog.view_pricelevel",)}
    since_param = ""

    def get_queryset(self):
        return PriceLevel.objects.order_by("sort_order", "name", "id")


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
    ("price-levels", PriceLevelViewSet, "pricelevel"),
    ("customers", CustomerViewSet, "customer"),
    ("suppliers", SupplierViewSet, "supplier"),
    ("warehouses", WarehouseViewSet, "warehouse"),
]

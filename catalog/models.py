from decimal import Decimal

from django.conf import settings
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jxc.decimals import (
    MAX_PRICE,
    MAX_QUANTITY,
    MONEY_DIGITS,
    PRICE_PLACES,
    QUANTITY_DIGITS,
    QUANTITY_PLACES,
)
from jxc.models import money_field, quantity_field

UNIT_SUGGESTIONS = [
    "件",
    "个",
    "斤",
    "公斤",
    "箱",
    "台",
    "盒",
    "包",
    "支",
    "本",
    "瓶",
    "双",
]

WALK_IN_CUSTOMER_CODE = "RETAIL"
DEFAULT_WAREHOUSE_CODE = "WH01"


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ShopProfile(models.Model):
    """The shop itself, one row: what slips, printouts and exports say about it."""

    name = models.CharField(_("shop name"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    slip_footer = models.CharField(
        _("thank-you line"),
        max_length=100,
        blank=True,
        default="谢谢惠顾，欢迎再来！",
        help_text=_("Printed at the bottom of every counter slip."),
    )
    # 店内码: EAN-13 numbers the shop gives products that came without a barcode,
    # from a restricted-circulation prefix (GS1: 20–29 are the shop's own).
    instore_prefix = models.CharField(
        _("in-store barcode prefix"),
        max_length=4,
        default="29",
        validators=[
            RegexValidator(
                r"^2[0-9]{1,3}$",
                _("2 to 4 digits starting with 2 (GS1 keeps 20–29 for in-store use)."),
            )
        ],
        help_text=_(
            "In-store EAN-13 barcodes start with these digits (20–29: for use "
            "inside the shop only)."
        ),
    )
    instore_next = models.PositiveBigIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shop profile")
        verbose_name_plural = _("shop profile")

    def __str__(self):
        return self.name or str(self._meta.verbose_name)

    def get_absolute_url(self) -> str:
        return reverse("catalog:shop_profile")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="catalog_category_name_ci_unique"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:category_update", args=[self.pk])


class Party(TimestampedModel):
    """What suppliers and customers share: a code, a name and how to reach them."""

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse(f"catalog:{self._meta.model_name}_update", args=[self.pk])


class Supplier(Party):
    class Meta(Party.Meta):
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.UniqueConstraint(
                Lower("code"), name="catalog_supplier_code_ci_unique"
            )
        ]


class PriceLevel(models.Model):
    """价格等级: a named price list (批发价, 会员价); a customer buys on one."""

    name = models.CharField(_("name"), max_length=32)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("price level")
        verbose_name_plural = _("price levels")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="catalog_pricelevel_name_ci_unique"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:pricelevel_update", args=[self.pk])


class Customer(Party):
    # 信用额度: what the customer may owe at most; a sale on account beyond it
    # needs the owner (sales.authority.credit_authorize). None: no limit.
    credit_limit = models.DecimalField(
        _("credit limit"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: no limit. 0: nothing on account."),
    )
    price_level = models.ForeignKey(
        PriceLevel,
        verbose_name=_("price level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        help_text=_("Sales to this customer start at this level's prices."),
    )

    class Meta(Party.Meta):
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0) | Q(credit_limit__isnull=True),
                name="catalog_customer_credit_limit_not_negative",
            ),
            models.UniqueConstraint(
                Lower("code"), name="catalog_customer_code_ci_unique"
            ),
        ]

    @property
    def is_walk_in(self) -> bool:
        return self.code == WALK_IN_CUSTOMER_CODE


class Shop(TimestampedModel):
    """A shop of the chain (门店): it has its warehouses (and so its counter's stock)
    and its staff. A business with one shop has exactly one row; the owner
    (permission ``catalog.all_shops``) acts in every shop, a clerk only in the
    shops they belong to (``catalog.selectors.warehouses_for``)."""

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="shops",
        verbose_name=_("staff"),
    )

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["code"]
        permissions = [("all_shops", _("Can see and act in every shop"))]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="catalog_shop_code_ci_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:shop_update", args=[self.pk])


class Warehouse(TimestampedModel):
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Null only between a bare create and the data migration / service that files
    # it (catalog.migrations …_shops puts every such warehouse in the default shop).
    shop = models.ForeignKey(
        Shop,
        on_delete=models.PROTECT,
        related_name="warehouses",
        verbose_name=_("shop"),
        null=True,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default"), default=False)
    # 在途: goods shipped by one shop and not yet received by another (transfer
    # requests). One such warehouse, in no shop, never chosen on a form.
    is_transit = models.BooleanField(_("in transit"), default=False, editable=False)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["-is_default", "code"]
        constraints = [
            models.UniqueConstraint(
                Lower("code"), name="catalog_warehouse_code_ci_unique"
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="catalog_warehouse_one_default",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:warehouse_update", args=[self.pk])


def _price(verbose_name):
    return money_field(
        verbose_name,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_PRICE)],
    )


def _quantity(verbose_name):
    return quantity_field(
        verbose_name,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_QUANTITY)],
    )


class Product(TimestampedModel):
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    # 条码秤: the number a scale prints into its labels (counter.scale reads it).
    plu = models.CharField(
        _("scale PLU"),
        max_length=6,
        blank=True,
        help_text=_(
            "The product's number on the label scale (digits); empty: not weighed."
        ),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=16, default="件")
    spec = models.CharField(_("spec"), max_length=100, blank=True)
    purchase_price = _price(_("purchase price"))
    sale_price = _price(_("sale price"))
    # The owner's floor: staff selling below it need an owner's approval on the
    # spot (sales.authority). Empty: no floor.
    min_price = models.DecimalField(
        _("minimum sale price"),
        max_digits=MONEY_DIGITS,
        decimal_places=PRICE_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_PRICE)],
        help_text=_(
            "Staff cannot sell below it (after discount) without an owner's "
            "approval. Empty: no floor."
        ),
    )
    safety_stock = _quantity(_("safety stock"))
    reorder_quantity = _quantity(_("reorder quantity"))
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), default=7, validators=[MaxValueValidator(365)]
    )
    preferred_supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("preferred supplier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="preferred_products",
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    # A variant of a style (款式): its attribute values, and their pks sorted and
    # joined ("3-17"), which the database keeps unique per style, so generating
    # the variants twice never makes one twice.
    style = models.ForeignKey(
        "Style",
        verbose_name=_("style"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variants",
    )
    variant_values = models.ManyToManyField(
        "AttributeValue",
        verbose_name=_("attribute values"),
        blank=True,
        related_name="products",
    )
    variant_key = models.CharField(max_length=100, blank=True, editable=False)
    # SKU, barcode, name and the name's pinyin (full and initials), lower-case;
    # written by the catalog services on every save.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(Lower("sku"), name="catalog_product_sku_ci_unique"),
            models.UniqueConstraint(
                fields=["barcode"],
                condition=~Q(barcode=""),
                name="catalog_product_barcode_unique",
            ),
            models.UniqueConstraint(
                fields=["plu"],
                condition=~Q(plu=""),
                name="catalog_product_plu_unique",
            ),
            models.CheckConstraint(
                condition=Q(purchase_price__gte=0)
                & Q(sale_price__gte=0)
                & Q(safety_stock__gte=0)
                & Q(reorder_quantity__gte=0),
                name="catalog_product_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(min_price__gte=0),
                name="catalog_product_min_price_not_negative",
            ),
            models.UniqueConstraint(
                fields=["style", "variant_key"],
                condition=Q(style__isnull=False),
                name="catalog_product_one_variant_per_combination",
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="catalog_product_name_idx"),
            # A scan looks a code up as lower(sku) OR lower(barcode)
            # (catalog.selectors.products_by_code): both sides indexed, one
            # bitmap OR of two probes instead of a scan of every product.
            models.Index(Lower("barcode"), name="catalog_product_barcode_lower"),
        ]
        permissions = [
            ("import_product", _("Can import master data from spreadsheets"))
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:product_detail", args=[self.pk])


# --- variants (款式) ------------------------------------------------------------------


class Attribute(models.Model):
    """What variants differ in: 颜色, 尺码, or the owner's own (口味, 规格 …)."""

    name = models.CharField(_("name"), max_length=32)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="catalog_attribute_name_ci_unique"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:attribute_update", args=[self.pk])


class AttributeValue(models.Model):
    """One value of an attribute (红色, XL), in the order the shop lists them; its
    code goes into a variant's SKU."""

    attribute = models.ForeignKey(
        Attribute,
        verbose_name=_("attribute"),
        on_delete=models.CASCADE,
        related_name="values",
    )
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=32)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        ordering = ["attribute__sort_order", "attribute__name", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                "attribute", Lower("code"), name="catalog_attrvalue_code_ci_unique"
            ),
            models.UniqueConstraint(
                "attribute", Lower("name"), name="catalog_attrvalue_name_ci_unique"
            ),
        ]

    def __str__(self):
        return self.name


class Style(TimestampedModel):
    """款: what its variants share (name, category, unit, supplier, price) and
    the attribute values it comes in; each combination is one Product."""

    code = models.CharField(_("style code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="styles",
    )
    unit = models.CharField(_("unit"), max_length=16, default="件")
    supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="styles",
    )
    purchase_price = _price(_("purchase price"))
    sale_price = _price(_("sale price"))
    values = models.ManyToManyField(
        AttributeValue,
        verbose_name=_("comes in"),
        blank=True,
        related_name="styles",
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("style")
        verbose_name_plural = _("styles")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="catalog_style_code_ci_unique"),
            models.CheckConstraint(
                condition=Q(purchase_price__gte=0) & Q(sale_price__gte=0),
                name="catalog_style_prices_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:style_detail", args=[self.pk])


# --- package units (箱 / 瓶) ------------------------------------------------------


class PackageUnit(models.Model):
    """A package a product is also bought or sold in: 1 箱 = 24 瓶 (factor 24 of the
    product's base unit, which the ledger keeps), with its own barcode and price."""

    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="package_units",
    )
    name = models.CharField(_("package unit"), max_length=16)
    factor = models.DecimalField(
        _("base units in one"),
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        validators=[
            MinValueValidator(Decimal("0.001")),
            MaxValueValidator(MAX_QUANTITY),
        ],
    )
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    sale_price = models.DecimalField(
        _("sale price"),
        max_digits=MONEY_DIGITS,
        decimal_places=PRICE_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_PRICE)],
        help_text=_("Empty: the product's sale price × the factor."),
    )

    class Meta:
        verbose_name = _("package unit")
        verbose_name_plural = _("package units")
        ordering = ["product", "factor"]
        constraints = [
            models.UniqueConstraint(
                "product", Lower("name"), name="catalog_packageunit_name_ci_unique"
            ),
            models.UniqueConstraint(
                fields=["barcode"],
                condition=~Q(barcode=""),
                name="catalog_packageunit_barcode_unique",
            ),
            models.CheckConstraint(
                condition=Q(factor__gt=0), name="catalog_packageunit_factor_positive"
            ),
            models.CheckConstraint(
                condition=Q(sale_price__gte=0),
                name="catalog_packageunit_price_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.name} (×{self.factor.normalize():f})"


# --- price levels (价格等级) -------------------------------------------------------


class LevelPrice(models.Model):
    """A product's price on a price level, for its base unit or one package unit."""

    level = models.ForeignKey(
        PriceLevel,
        verbose_name=_("price level"),
        on_delete=models.CASCADE,
        related_name="prices",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="level_prices",
    )
    package_unit = models.ForeignKey(
        PackageUnit,
        verbose_name=_("package unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="level_prices",
    )
    price = _price(_("price"))

    class Meta:
        verbose_name = _("level price")
        verbose_name_plural = _("level prices")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "product"],
                condition=Q(package_unit__isnull=True),
                name="catalog_levelprice_one_per_product",
            ),
            models.UniqueConstraint(
                fields=["level", "package_unit"],
                condition=Q(package_unit__isnull=False),
                name="catalog_levelprice_one_per_package",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="catalog_levelprice_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.level}: {self.price}"

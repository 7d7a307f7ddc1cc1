from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jxc.decimals import MAX_PRICE, MAX_QUANTITY, MONEY_DIGITS, PRICE_PLACES
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
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shop profile")
        verbose_name_plural = _("shop profile")

    def __str__(self):
        return self.name or str(self._meta.verbose_name)


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


class Customer(Party):
    class Meta(Party.Meta):
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                Lower("code"), name="catalog_customer_code_ci_unique"
            )
        ]

    @property
    def is_walk_in(self) -> bool:
        return self.code == WALK_IN_CUSTOMER_CODE


class Warehouse(TimestampedModel):
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default"), default=False)

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
        help_text=_("The product's number on the label scale (digits); empty: not weighed."),
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
        ]
        indexes = [models.Index(fields=["name"], name="catalog_product_name_idx")]
        permissions = [
            ("import_product", _("Can import master data from spreadsheets"))
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:product_detail", args=[self.pk])

from decimal import Decimal

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Supplier, Warehouse
from jxc.models import (
    DocumentLine,
    OrderDocument,
    PostedDocument,
    cost_field,
    money_field,
    quantity_field,
    user_field,
)


class PurchasingSettings(models.Model):
    """The owner's purchasing rules; one row."""

    over_receipt_percent = models.PositiveSmallIntegerField(
        _("over-receipt tolerance (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "How much more than ordered may be received, in percent of the "
            "ordered quantity. 0: never more than ordered."
        ),
    )

    price_band_factor = models.DecimalField(
        _("price check band (×)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("3"),
        validators=[MaxValueValidator(Decimal("100"))],
        help_text=_(
            "A purchase price below the last price paid ÷ this factor or above it "
            "× this factor is flagged and needs the owner's approval. 3: from a "
            "third to three times. 0: no check."
        ),
    )

    class Meta:
        verbose_name = _("purchasing settings")
        verbose_name_plural = _("purchasing settings")
        permissions = [
            ("cancel_posted", _("Can cancel posted purchasing documents")),
            ("edit_cost", _("Can change unit costs on receipts")),
            ("approve_price", _("Can approve purchase prices outside the band")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    def get_absolute_url(self) -> str:
        return reverse("purchasing:settings")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ORDERED = "ordered", _("Ordered")
    PARTIAL = "partial", _("Partially received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED = "closed", _("Closed short")


OPEN_ORDER_STATUSES = [OrderStatus.ORDERED, OrderStatus.PARTIAL]


class PurchaseOrder(OrderDocument):
    """采购订单: what was ordered from a supplier, and how much of it has arrived."""

    detail_url_name = "purchasing:order_detail"

    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("supplier"),
    )
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving warehouse"),
    )
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OrderStatus.choices,
        default=OrderStatus.DRAFT,
    )
    ordered_by = user_field(_("ordered by"))
    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)

    class Meta(OrderDocument.Meta):
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        indexes = [
            models.Index(fields=["status", "order_date"], name="purchasing_po_status")
        ]


class PurchaseOrderLine(DocumentLine):
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines"
    )
    unit_price = money_field(_("unit price"))
    amount = money_field(_("amount"))
    received_quantity = quantity_field(_("received"), default=0)
    # Set when the price was outside the band: the price it was compared with
    # (the last price paid, else the reference price) when the line was saved.
    price_reference = money_field(_("compared price"), null=True, blank=True)
    price_approved_by = user_field(_("price approved by"))
    price_approved_at = models.DateTimeField(
        _("price approved at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "product"], name="purchasing_poline_product_once"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="purchasing_poline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0),
                name="purchasing_poline_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0),
                name="purchasing_poline_received_not_negative",
            ),
        ]

    @property
    def remaining(self):
        return max(self.quantity - self.received_quantity, 0)

    @property
    def price_flagged(self) -> bool:
        return self.price_reference is not None

    @property
    def price_waiting(self) -> bool:
        """Outside the band and not approved: the order cannot be placed."""
        return self.price_reference is not None and self.price_approved_by_id is None


class SupplierDocument(PostedDocument):
    """A posted purchasing document: a receipt or a return, with its supplier."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )

    class Meta(PostedDocument.Meta):
        abstract = True


class GoodsReceipt(SupplierDocument):
    """入库单: what arrived, checked: accepted goods enter stock, rejected do not."""

    detail_url_name = "purchasing:receipt_detail"

    order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipts",
        verbose_name=_("purchase order"),
    )

    class Meta(SupplierDocument.Meta):
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")


class GoodsReceiptLine(DocumentLine):
    receipt = models.ForeignKey(
        GoodsReceipt, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        PurchaseOrderLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipt_lines",
    )
    quantity = quantity_field(_("accepted quantity"))
    rejected_quantity = quantity_field(_("rejected quantity"), default=0)
    reject_reason = models.CharField(_("reject reason"), max_length=200, blank=True)
    unit_cost = cost_field(_("unit cost"))
    amount = money_field(_("amount"))
    # Set when the price was outside the band: the price it was compared with
    # (the last price paid, else the reference price) when the line was saved.
    price_reference = money_field(_("compared price"), null=True, blank=True)
    price_approved_by = user_field(_("price approved by"))
    price_approved_at = models.DateTimeField(
        _("price approved at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("goods receipt line")
        verbose_name_plural = _("goods receipt lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(rejected_quantity__gte=0),
                name="purchasing_grline_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) | Q(rejected_quantity__gt=0),
                name="purchasing_grline_something",
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0),
                name="purchasing_grline_cost_not_negative",
            ),
        ]

    @property
    def price_flagged(self) -> bool:
        return self.price_reference is not None


class PurchaseReturn(SupplierDocument):
    """采购退货: goods sent back to the supplier; they leave stock."""

    detail_url_name = "purchasing:return_detail"

    receipt = models.ForeignKey(
        GoodsReceipt,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
        verbose_name=_("goods receipt"),
    )

    class Meta(SupplierDocument.Meta):
        verbose_name = _("purchase return")
        verbose_name_plural = _("purchase returns")


class PurchaseReturnLine(DocumentLine):
    purchase_return = models.ForeignKey(
        PurchaseReturn, on_delete=models.CASCADE, related_name="lines"
    )
    receipt_line = models.ForeignKey(
        GoodsReceiptLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_lines",
    )
    unit_cost = cost_field(_("unit cost"))
    amount = money_field(_("amount"))

    class Meta:
        verbose_name = _("purchase return line")
        verbose_name_plural = _("purchase return lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="purchasing_returnline_positive"
            )
        ]

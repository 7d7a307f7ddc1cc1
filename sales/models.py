from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Customer, Product, Warehouse
from jxc.decimals import COST_DIGITS, COST_PLACES, MONEY_DIGITS, QUANTITY_DIGITS
from jxc.models import PostedDocument as BasePostedDocument
from jxc.models import user_field

QTY = {"max_digits": QUANTITY_DIGITS, "decimal_places": 3}
PRICE = {"max_digits": MONEY_DIGITS, "decimal_places": 2}
COST = {"max_digits": COST_DIGITS, "decimal_places": COST_PLACES}
USER = settings.AUTH_USER_MODEL


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    PARTIAL = "partial", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED = "closed", pgettext_lazy("sales order", "Closed short")


OPEN_STATUSES = [OrderStatus.CONFIRMED, OrderStatus.PARTIAL]


class SalesSettings(models.Model):
    """The owner's sales rules; one row."""

    reservation_expiry_days = models.PositiveSmallIntegerField(
        _("reservations expire after (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "The stock a confirmed order reserves is released when the order is "
            "not fully shipped this many days after it was confirmed; the order "
            "is marked “reservation expired” and can still ship from free stock. "
            "Empty or 0: reservations never expire."
        ),
    )
    staff_discount_limit = models.DecimalField(
        _("staff discount limit (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "A clerk may give at most this discount on a line; a larger one, a "
            "price below a product's minimum sale price or a price of zero needs "
            "an owner's approval on the spot."
        ),
    )

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(staff_discount_limit__gte=0)
                & Q(staff_discount_limit__lte=100),
                name="sales_settings_discount_limit_range",
            )
        ]
        permissions = [
            ("release_reservation", _("Can release the stock an order reserved")),
            (
                "approve_price",
                _("Can approve sale prices below the staff's authority"),
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class SalesOrder(models.Model):
    """销售订单: what a customer wants; confirming it reserves the stock."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="sales_orders",
        verbose_name=_("customer"),
    )
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    order_date = models.DateField(_("order date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OrderStatus.choices,
        default=OrderStatus.DRAFT,
    )
    is_retail = models.BooleanField(_("retail sale"), default=False)
    total = models.DecimalField(_("total"), default=0, **PRICE)
    amount_received = models.DecimalField(
        _("amount received"), null=True, blank=True, **PRICE
    )
    # Bumped by every change; a form opened on an older version is stale.
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_by = user_field(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_by = user_field(_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)
    # When the reservation of an open order runs out (confirmed + the owner's
    # expiry days); None: it never does. Set on confirm and by the settings.
    reserved_until = models.DateTimeField(null=True, blank=True, editable=False)
    reservation_expired_at = models.DateTimeField(
        _("reservation expired"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["status", "order_date"], name="sales_order_status"),
            # The check before every sale and confirmation ("is any reservation
            # due to expire?") reads only open orders that can expire: one index
            # probe when nothing is due, however many orders the shop has.
            models.Index(
                fields=["reserved_until"],
                name="sales_order_reserved_until",
                condition=Q(reserved_until__isnull=False)
                & Q(status__in=["confirmed", "partial"]),
            ),
        ]
        permissions = [("cancel_posted", _("Can cancel posted sales documents"))]

    def __str__(self):
        return self.number

    @property
    def change(self):
        if self.amount_received is None:
            return None
        return self.amount_received - self.total


class SalesOrderLine(models.Model):
    order = models.ForeignKey(
        SalesOrder, on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.DecimalField(_("quantity"), **QTY)
    unit_price = models.DecimalField(_("unit price"), **PRICE)
    discount = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    amount = models.DecimalField(_("amount"), **PRICE)
    reserved_quantity = models.DecimalField(_("reserved"), default=0, **QTY)
    shipped_quantity = models.DecimalField(_("shipped"), default=0, **QTY)
    returned_quantity = models.DecimalField(_("returned"), default=0, **QTY)
    # The amount of posted shipments of this line, kept by shipment post and
    # cancel: the last shipment takes what is left of the amount without reading
    # every earlier shipment.
    shipped_amount = models.DecimalField(_("shipped amount"), default=0, **PRICE)

    class Meta:
        verbose_name = _("sales order line")
        verbose_name_plural = _("sales order lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "product"], name="sales_line_product_once"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="sales_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="sales_line_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=100),
                name="sales_line_discount_range",
            ),
            models.CheckConstraint(
                condition=Q(reserved_quantity__gte=0)
                & Q(shipped_quantity__gte=0)
                & Q(returned_quantity__gte=0),
                name="sales_line_counters_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.product} × {self.quantity}"

    @property
    def remaining(self):
        return max(self.quantity - self.shipped_quantity, 0)

    @property
    def net_price(self):
        """The unit price after the discount, as the amount was computed."""
        return self.amount / self.quantity if self.quantity else 0


class PostedDocument(BasePostedDocument):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    cost_total = models.DecimalField(_("cost of goods"), default=0, **PRICE)

    class Meta(BasePostedDocument.Meta):
        abstract = True

    @property
    def profit(self):
        return self.total - self.cost_total


class Shipment(PostedDocument):
    """出库单: goods leaving for a customer, at their moving-average cost."""

    order = models.ForeignKey(
        SalesOrder,
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("sales order"),
    )

    class Meta(PostedDocument.Meta):
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        SalesOrderLine, on_delete=models.PROTECT, related_name="shipment_lines"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.DecimalField(_("quantity"), **QTY)
    amount = models.DecimalField(_("amount"), **PRICE)
    unit_cost = models.DecimalField(_("unit cost"), default=0, **COST)
    cost_amount = models.DecimalField(_("cost of goods"), default=0, **PRICE)
    returned_quantity = models.DecimalField(_("returned"), default=0, **QTY)

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="sales_shipline_positive"
            ),
            models.CheckConstraint(
                condition=Q(returned_quantity__gte=0),
                name="sales_shipline_returned_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.product} × {self.quantity}"

    @property
    def profit(self):
        return self.amount - self.cost_amount


class SalesReturn(PostedDocument):
    """销售退货: goods a customer brings back, into stock at the cost they left with."""

    shipment = models.ForeignKey(
        Shipment,
        on_delete=models.PROTECT,
        related_name="returns",
        verbose_name=_("shipment"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta(PostedDocument.Meta):
        verbose_name = _("sales return")
        verbose_name_plural = _("sales returns")


class SalesReturnLine(models.Model):
    sales_return = models.ForeignKey(
        SalesReturn, on_delete=models.CASCADE, related_name="lines"
    )
    shipment_line = models.ForeignKey(
        ShipmentLine, on_delete=models.PROTECT, related_name="return_lines"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.DecimalField(_("quantity"), **QTY)
    amount = models.DecimalField(_("amount"), **PRICE)
    unit_cost = models.DecimalField(_("unit cost"), default=0, **COST)
    cost_amount = models.DecimalField(_("cost of goods"), default=0, **PRICE)

    class Meta:
        verbose_name = _("sales return line")
        verbose_name_plural = _("sales return lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="sales_returnline_positive"
            )
        ]

    def __str__(self):
        return f"{self.product} × {self.quantity}"

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Customer
from jxc.models import (
    DocumentLine,
    OrderDocument,
    PostedDocument,
    cost_field,
    money_field,
    quantity_field,
    user_field,
)


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

    def get_absolute_url(self) -> str:
        return reverse("sales:settings")


class SalesOrder(OrderDocument):
    """销售订单: what a customer wants; confirming it reserves the stock."""

    detail_url_name = "sales:order_detail"

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="sales_orders",
        verbose_name=_("customer"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OrderStatus.choices,
        default=OrderStatus.DRAFT,
    )
    is_retail = models.BooleanField(_("retail sale"), default=False)
    amount_received = money_field(_("amount received"), null=True, blank=True)
    confirmed_by = user_field(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # When the reservation of an open order runs out (confirmed + the owner's
    # expiry days); None: it never does. Set on confirm and by the settings.
    reserved_until = models.DateTimeField(null=True, blank=True, editable=False)
    reservation_expired_at = models.DateTimeField(
        _("reservation expired"), null=True, blank=True
    )

    class Meta(OrderDocument.Meta):
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
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

    @property
    def change(self):
        if self.amount_received is None:
            return None
        return self.amount_received - self.total


class SalesOrderLine(DocumentLine):
    order = models.ForeignKey(
        SalesOrder, on_delete=models.CASCADE, related_name="lines"
    )
    unit_price = money_field(_("unit price"))
    discount = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    amount = money_field(_("amount"))
    reserved_quantity = quantity_field(_("reserved"), default=0)
    shipped_quantity = quantity_field(_("shipped"), default=0)
    returned_quantity = quantity_field(_("returned"), default=0)
    # The amount of posted shipments of this line, kept by shipment post and
    # cancel: the last shipment takes what is left of the amount without reading
    # every earlier shipment.
    shipped_amount = money_field(_("shipped amount"), default=0)

    class Meta:
        verbose_name = _("sales order line")
        verbose_name_plural = _("sales order lines")
        ordering = ["id"]
        constraints = [
            # One line per product and unit (1 箱 and 3 瓶 of one product).
            models.UniqueConstraint(
                fields=["order", "product"],
                condition=Q(unit__isnull=True),
                name="sales_line_product_once",
            ),
            models.UniqueConstraint(
                fields=["order", "product", "unit"],
                condition=Q(unit__isnull=False),
                name="sales_line_product_unit_once",
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

    @property
    def remaining(self):
        return max(self.quantity - self.shipped_quantity, 0)

    @property
    def net_price(self):
        """The unit price after the discount, as the amount was computed."""
        return self.amount / self.quantity if self.quantity else 0


class CustomerDocument(PostedDocument):
    """A posted sales document: a shipment or a return, with its customer and the
    cost of the goods."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    cost_total = money_field(_("cost of goods"), default=0)

    class Meta(PostedDocument.Meta):
        abstract = True

    @property
    def profit(self):
        return self.total - self.cost_total


class Shipment(CustomerDocument):
    """出库单: goods leaving for a customer, at their moving-average cost."""

    detail_url_name = "sales:shipment_detail"

    order = models.ForeignKey(
        SalesOrder,
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("sales order"),
    )

    class Meta(CustomerDocument.Meta):
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")


class ShipmentLine(DocumentLine):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        SalesOrderLine, on_delete=models.PROTECT, related_name="shipment_lines"
    )
    amount = money_field(_("amount"))
    unit_cost = cost_field(_("unit cost"), default=0)
    cost_amount = money_field(_("cost of goods"), default=0)
    returned_quantity = quantity_field(_("returned"), default=0)

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

    @property
    def profit(self):
        return self.amount - self.cost_amount


class SalesReturn(CustomerDocument):
    """销售退货: goods a customer brings back, into stock at the cost they left with."""

    detail_url_name = "sales:return_detail"

    shipment = models.ForeignKey(
        Shipment,
        on_delete=models.PROTECT,
        related_name="returns",
        verbose_name=_("shipment"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta(CustomerDocument.Meta):
        verbose_name = _("sales return")
        verbose_name_plural = _("sales returns")


class SalesReturnLine(DocumentLine):
    sales_return = models.ForeignKey(
        SalesReturn, on_delete=models.CASCADE, related_name="lines"
    )
    shipment_line = models.ForeignKey(
        ShipmentLine, on_delete=models.PROTECT, related_name="return_lines"
    )
    amount = money_field(_("amount"))
    unit_cost = cost_field(_("unit cost"), default=0)
    cost_amount = money_field(_("cost of goods"), default=0)

    class Meta:
        verbose_name = _("sales return line")
        verbose_name_plural = _("sales return lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="sales_returnline_positive"
            )
        ]


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CARD = "card", _("Bank card")
    ACCOUNT = "account", _("On account")


class SalePayment(models.Model):
    """One payment method's share of a counter sale, or of a refund (收款明细).

    A sale's rows sum to its total: ``amount`` is what the method pays of it (a
    refund's rows are negative and belong to the return). ``tendered`` is the
    cash handed over, for cash rows only; change = tendered − amount. 挂账 (on
    account) is a row too: unpaid on the sale until the money ledger settles it.
    Rows are written with the sale in its posting transaction and never edited.
    """

    order = models.ForeignKey(
        SalesOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("sale"),
    )
    sales_return = models.ForeignKey(
        SalesReturn,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
        verbose_name=_("sales return"),
    )
    method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethod.choices
    )
    amount = money_field(_("amount"))
    tendered = money_field(_("cash tendered"), null=True, blank=True)
    created_by = user_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(order__isnull=False) & Q(sales_return__isnull=True))
                | (Q(order__isnull=True) & Q(sales_return__isnull=False)),
                name="sales_payment_one_document",
            ),
            models.CheckConstraint(
                condition=Q(tendered__isnull=True) | Q(method="cash"),
                name="sales_payment_tendered_cash_only",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_by", "created_at"], name="sales_payment_clerk_time"
            )
        ]

    def __str__(self):
        return f"{self.get_method_display()} ¥{self.amount:,.2f}"

    @property
    def change(self):
        if self.tendered is None:
            return None
        return self.tendered - self.amount

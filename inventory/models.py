from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Product, Warehouse
from jxc.decimals import MONEY_DIGITS
from jxc.models import (
    AppendOnly,
    Cancellable,
    DocumentLine,
    DocumentStatus,
    NumberedDocument,
    cost_field,
    money_field,
    quantity_field,
    record_page,
    user_field,
)


class InventorySettings(models.Model):
    """The owner's stock rules; one row (pk 1)."""

    staff_backdate_days = models.PositiveSmallIntegerField(
        _("days staff may date documents back"),
        default=0,
        validators=[MaxValueValidator(31)],
        help_text=_(
            "0: staff date documents today only. The owner may date into any "
            "open month."
        ),
    )
    stocktake_threshold_percent = models.PositiveSmallIntegerField(
        _("stocktake difference needing confirmation (%)"),
        default=20,
        validators=[MaxValueValidator(1000)],
        help_text=_(
            "A counted line that differs from the expected quantity by more than "
            "this share needs an explicit confirmation before posting. 0: off."
        ),
    )
    stocktake_threshold_amount = models.DecimalField(
        _("stocktake difference needing confirmation (¥)"),
        default=Decimal("500"),
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_(
            "A counted line whose difference is worth more than this at cost needs "
            "an explicit confirmation before posting. 0: off."
        ),
    )

    class Meta:
        verbose_name = _("stock settings")
        verbose_name_plural = _("stock settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    def get_absolute_url(self) -> str:
        return reverse("inventory:settings")


class StockLevel(models.Model):
    """On hand, reserved and moving-average cost of one product in one warehouse.

    Written only by inventory.services, in the transaction that writes the moves.
    """

    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="levels",
        verbose_name=_("product"),
    )
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="levels",
        verbose_name=_("warehouse"),
    )
    on_hand = quantity_field(_("on hand"), default=0)
    reserved = quantity_field(_("reserved"), default=0)
    unit_cost = cost_field(_("unit cost"), default=0)
    value = money_field(_("stock value"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"],
                name="inventory_level_product_warehouse",
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="inventory_level_on_hand_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="inventory_level_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0),
                name="inventory_level_reserved_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.product} @ {self.warehouse}: {self.on_hand}"

    @property
    def available(self):
        return self.on_hand - self.reserved


class ProductStock(models.Model):
    """Σ of one product's StockLevel rows over every warehouse: on hand, reserved
    and value, so the stock overview and the dashboard read one row per product
    instead of aggregating the levels on every request.

    Written only by inventory.services, in the transaction that writes the
    levels, after them, locked in product order. ``check_stock`` proves each row
    equals Σ its levels (a missing row counts as zero).
    """

    product = models.OneToOneField(
        Product,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stock",
        verbose_name=_("product"),
    )
    on_hand = quantity_field(_("on hand"), default=0)
    reserved = quantity_field(_("reserved"), default=0)
    value = money_field(_("stock value"), default=0)

    class Meta:
        verbose_name = _("product stock")
        verbose_name_plural = _("product stock")

    def __str__(self):
        return f"{self.product_id}: {self.on_hand}"


class MoveKind(models.TextChoices):
    OPENING = "opening", _("Opening stock")
    RECEIPT = "receipt", _("Purchase receipt")
    PURCHASE_RETURN = "purchase_return", _("Purchase return")
    SHIPMENT = "shipment", _("Shipment")
    SALES_RETURN = "sales_return", _("Sales return")
    ADJUSTMENT = "adjustment", _("Adjustment")
    STOCKTAKE = "stocktake", _("Stocktake")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    # Value only (quantity 0): the owner set the unit cost (成本调整).
    COST_ADJUSTMENT = "cost_adjustment", _("Cost correction")


class StockMove(AppendOnly):
    """One line of the stock ledger. Append-only: corrections are reversing moves."""

    # Indexed by inventory_move_pw_time and inventory_move_card (product first).
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="moves",
        verbose_name=_("product"),
        db_index=False,
    )
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="moves",
        verbose_name=_("warehouse"),
    )
    quantity = quantity_field(_("quantity"))
    unit_cost = cost_field(_("unit cost"))
    value = money_field(_("value"))
    kind = models.CharField(_("kind"), max_length=20, choices=MoveKind.choices)
    # Indexed by inventory_move_source (source type first).
    source_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("document type"),
        db_index=False,
    )
    source_id = models.PositiveBigIntegerField(_("document id"), null=True, blank=True)
    source_number = models.CharField(_("document number"), max_length=40, blank=True)
    source_line = models.PositiveBigIntegerField(
        _("document line"), null=True, blank=True
    )
    is_reversal = models.BooleanField(_("reversal"), default=False)
    occurred_at = models.DateTimeField(_("occurred at"))
    balance_after = quantity_field(_("balance after"))
    value_after = money_field(_("value after"))
    # The balance's unit cost before this move: cancelling it with nothing moved
    # since puts this cost back exactly (None on moves older than the field).
    unit_cost_before = cost_field(_("unit cost before"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    append_only_message = "Stock moves are append-only: post a reversing move instead."

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0) | Q(kind="cost_adjustment"),
                name="inventory_move_quantity_not_zero",
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0),
                name="inventory_move_balance_not_negative",
            ),
        ]
        indexes = [
            models.Index(
                fields=["product", "warehouse", "occurred_at"],
                name="inventory_move_pw_time",
            ),
            # The stock card: a product's moves in time order, summed for the
            # opening of any page from the index alone (index-only scan).
            models.Index(
                fields=["product", "occurred_at", "id"],
                name="inventory_move_card",
                include=["quantity", "value", "warehouse"],
            ),
            models.Index(fields=["occurred_at"], name="inventory_move_time"),
            # A product's last sale and "sold since" (slow movers, reorder).
            models.Index(
                fields=["product", "kind", "occurred_at"],
                name="inventory_move_pk_time",
            ),
            models.Index(
                fields=["source_type", "source_id"], name="inventory_move_source"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.product_id}@{self.warehouse_id} {self.quantity}"

    @property
    def source_url(self) -> str:
        """The page of the document that made this move ("" for none)."""
        return record_page(self.source_type, self.source_id)


# --- documents -------------------------------------------------------------------


class StockDocument(NumberedDocument, Cancellable):
    """What every inventory document carries: number, status, who posted it and
    who cancelled it."""

    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DocumentStatus.choices,
        default=DocumentStatus.POSTED,
    )
    posted_by = user_field(_("posted by"))
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class AdjustmentReason(models.TextChoices):
    DAMAGED = "damaged", _("Damaged")
    EXPIRED = "expired", _("Expired")
    LOST = "lost", _("Lost")
    FOUND = "found", _("Found")
    OTHER = "other", _("Other")


class Adjustment(StockDocument):
    """报损 / 报溢: stock written off or found, with a reason per line."""

    detail_url_name = "inventory:adjustment_detail"

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, verbose_name=_("warehouse")
    )

    class Meta(StockDocument.Meta):
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")


class AdjustmentLine(DocumentLine):
    adjustment = models.ForeignKey(
        Adjustment, on_delete=models.CASCADE, related_name="lines"
    )
    quantity = quantity_field(
        _("quantity"), help_text=_("Negative: written off; positive: found.")
    )
    reason = models.CharField(
        _("reason"), max_length=10, choices=AdjustmentReason.choices
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("adjustment line")
        verbose_name_plural = _("adjustment lines")
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0), name="inventory_adjline_not_zero"
            )
        ]

    def __str__(self):
        return f"{self.product} {self.quantity}"


class CostAdjustment(StockDocument):
    """成本调整: the owner sets the unit cost of a product in a warehouse.

    Posts one value-only move (quantity 0) worth new value − old value, so the
    ledger still sums to the balance.
    """

    detail_url_name = "inventory:costadjustment_detail"

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, verbose_name=_("warehouse")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    on_hand = quantity_field(_("on hand"), default=0)
    old_unit_cost = cost_field(_("old unit cost"), default=0)
    new_unit_cost = cost_field(_("new unit cost"))
    value_change = money_field(_("value change"), default=0)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta(StockDocument.Meta):
        verbose_name = _("cost correction")
        verbose_name_plural = _("cost corrections")
        constraints = [
            models.CheckConstraint(
                condition=Q(new_unit_cost__gte=0),
                name="inventory_costadjustment_cost_not_negative",
            )
        ]


class Transfer(StockDocument):
    """调拨: stock moved between two warehouses at its cost."""

    detail_url_name = "inventory:transfer_detail"

    from_warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from warehouse"),
    )
    to_warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to warehouse"),
    )

    class Meta(StockDocument.Meta):
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_warehouse=models.F("to_warehouse")),
                name="inventory_transfer_two_warehouses",
            )
        ]


class TransferLine(DocumentLine):
    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="lines"
    )

    class Meta:
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="inventory_transferline_positive"
            )
        ]

    def __str__(self):
        return f"{self.product} {self.quantity}"


class TransferRequestStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("transfer request", "Requested")
    APPROVED = "approved", pgettext_lazy("transfer request", "Approved")
    SHIPPED = "shipped", pgettext_lazy("transfer request", "Shipped")
    RECEIVED = "received", pgettext_lazy("transfer request", "Received")
    CANCELLED = "cancelled", _("Cancelled")


class TransferRequest(NumberedDocument, Cancellable):
    """调拨申请: a shop (``to_warehouse``'s) asks another (``from_warehouse``'s) for
    goods; approved by the owner or the supplying shop, shipped by it (the goods
    leave for the transit warehouse, 在途: a Transfer), received by the asking shop
    (a second Transfer, from transit). Stock moves only through those transfers."""

    detail_url_name = "inventory:transferrequest_detail"

    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TransferRequestStatus.choices,
        default=TransferRequestStatus.REQUESTED,
    )
    from_warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from warehouse"),
    )
    to_warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to warehouse"),
    )
    approved_by = user_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    shipment = models.ForeignKey(
        Transfer,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("shipped by transfer"),
    )
    receipt = models.ForeignKey(
        Transfer,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("received by transfer"),
    )

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_warehouse=models.F("to_warehouse")),
                name="inventory_transferrequest_two_warehouses",
            )
        ]


class TransferRequestLine(DocumentLine):
    request = models.ForeignKey(
        TransferRequest, on_delete=models.CASCADE, related_name="lines"
    )

    class Meta:
        verbose_name = _("transfer request line")
        verbose_name_plural = _("transfer request lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="inventory_transferrequestline_positive",
            )
        ]

    def __str__(self):
        return f"{self.product} {self.quantity}"


class OpeningStock(StockDocument):
    """期初库存: quantities and costs a shop starts with, usually imported."""

    detail_url_name = "inventory:openingstock_detail"

    class Meta(StockDocument.Meta):
        verbose_name = _("opening stock")
        verbose_name_plural = _("opening stock")


class OpeningStockLine(DocumentLine):
    opening = models.ForeignKey(
        OpeningStock, on_delete=models.CASCADE, related_name="lines"
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, verbose_name=_("warehouse")
    )
    unit_cost = cost_field(_("unit cost"))

    class Meta:
        verbose_name = _("opening stock line")
        verbose_name_plural = _("opening stock lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="inventory_openingline_positive"
            )
        ]

    def __str__(self):
        return f"{self.product} {self.quantity}"


class Stocktake(StockDocument):
    """盘点: a count of one warehouse against the system quantity at snapshot time."""

    detail_url_name = "inventory:stocktake_detail"

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, verbose_name=_("warehouse")
    )
    categories = models.ManyToManyField(
        "catalog.Category", blank=True, verbose_name=_("categories")
    )
    snapshot_at = models.DateTimeField(_("snapshot at"))
    # 盲盘: the entry screen and the printed sheet hide the system quantity.
    blind = models.BooleanField(_("blind count"), default=False)
    # The newest ledger move the snapshot holds: a move with a higher id was not
    # in it (read under the balances' locks, so none is in flight at that point).
    snapshot_move_id = models.PositiveBigIntegerField(
        null=True, blank=True, editable=False
    )
    version = models.PositiveIntegerField(default=0)

    class Meta(StockDocument.Meta):
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(
        Stocktake, on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, verbose_name=_("product")
    )
    system_quantity = quantity_field(_("system quantity"))
    counted_quantity = quantity_field(_("counted quantity"), null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # When the shelf was counted: the line's difference is measured against the
    # system quantity at this moment (snapshot + moves between the two).
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    # The system quantity at count time, fixed when the sheet is posted, so the
    # review of a posted sheet shows the difference that was posted.
    expected_quantity = quantity_field(_("expected at count"), null=True, blank=True)

    class Meta:
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        ordering = ["product__sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["stocktake", "product"], name="inventory_stocktakeline_unique"
            ),
            models.CheckConstraint(
                condition=Q(counted_quantity__gte=0),
                name="inventory_stocktakeline_counted_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.product} {self.counted_quantity}"

    @property
    def difference(self):
        """The posted difference: counted − the system quantity at count time."""
        if self.counted_quantity is None or self.expected_quantity is None:
            return None
        return self.counted_quantity - self.expected_quantity


# --- month close -----------------------------------------------------------------


class ClosedMonth(models.Model):
    """A month the owner closed: its stock is frozen in snapshots and nothing may be
    posted into it any more."""

    month = models.DateField(_("month"), unique=True)  # its first day
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    # Set by the close once the month's 进销存 summary is stored (MonthSummary);
    # months closed before the summary was stored are computed live instead.
    summary_stored = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("reports:month_close")


class MonthSnapshot(models.Model):
    """Closing quantity and value of one product in one warehouse at a month's end."""

    closed_month = models.ForeignKey(
        ClosedMonth, on_delete=models.CASCADE, related_name="snapshots"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field(_("quantity"))
    value = money_field(_("value"))

    class Meta:
        verbose_name = _("month snapshot")
        verbose_name_plural = _("month snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["closed_month", "product", "warehouse"],
                name="inventory_snapshot_unique",
            )
        ]

    def __str__(self):
        return f"{self.closed_month} {self.product_id}@{self.warehouse_id}"


class MonthSummary(models.Model):
    """One row of a closed month's 进销存 summary, stored by the close: a closed month
    cannot change, so its summary is read instead of computed. ``warehouse`` empty:
    the whole shop (transfers between warehouses cancel out); otherwise that
    warehouse alone (transfers are other in/out). Outs are positive numbers."""

    closed_month = models.ForeignKey(
        ClosedMonth, on_delete=models.CASCADE, related_name="summary_rows"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", null=True
    )
    opening_q = quantity_field()
    opening_v = money_field()
    receipt_q = quantity_field()
    receipt_v = money_field()
    sales_return_q = quantity_field()
    sales_return_v = money_field()
    other_in_q = quantity_field()
    other_in_v = money_field()
    shipment_q = quantity_field()
    shipment_v = money_field()
    purchase_return_q = quantity_field()
    purchase_return_v = money_field()
    other_out_q = quantity_field()
    other_out_v = money_field()
    closing_q = quantity_field()
    closing_v = money_field()

    class Meta:
        verbose_name = _("month summary row")
        verbose_name_plural = _("month summary rows")
        indexes = [
            models.Index(
                fields=["closed_month", "warehouse"], name="inventory_summary_month"
            )
        ]

    def __str__(self):
        return f"{self.closed_month} {self.product_id}@{self.warehouse_id or '*'}"

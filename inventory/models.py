from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, Warehouse
from jxc.decimals import COST_DIGITS, COST_PLACES, MONEY_DIGITS, QUANTITY_DIGITS
from jxc.models import AppendOnly

QTY = {"max_digits": QUANTITY_DIGITS, "decimal_places": 3}
COST = {"max_digits": COST_DIGITS, "decimal_places": COST_PLACES}
VALUE = {"max_digits": MONEY_DIGITS, "decimal_places": 2}


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
    on_hand = models.DecimalField(_("on hand"), default=0, **QTY)
    reserved = models.DecimalField(_("reserved"), default=0, **QTY)
    unit_cost = models.DecimalField(_("unit cost"), default=0, **COST)
    value = models.DecimalField(_("stock value"), default=0, **VALUE)
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
    on_hand = models.DecimalField(_("on hand"), default=0, **QTY)
    reserved = models.DecimalField(_("reserved"), default=0, **QTY)
    value = models.DecimalField(_("stock value"), default=0, **VALUE)

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
    quantity = models.DecimalField(_("quantity"), **QTY)
    unit_cost = models.DecimalField(_("unit cost"), **COST)
    value = models.DecimalField(_("value"), **VALUE)
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
    balance_after = models.DecimalField(_("balance after"), **QTY)
    value_after = models.DecimalField(_("value after"), **VALUE)
    # The balance's unit cost before this move: cancelling it with nothing moved
    # since puts this cost back exactly (None on moves older than the field).
    unit_cost_before = models.DecimalField(
        _("unit cost before"), null=True, blank=True, **COST
    )
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


# --- documents -------------------------------------------------------------------


class DocumentStatus(models.TextChoices):
    COUNTING = "counting", _("Counting")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


class StockDocument(models.Model):
    """What every inventory document carries: number, status, who and when."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    # The token of the form that created the document: a double click, a second
    # tab or a retry of the same form finds this document instead of a new one.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DocumentStatus.choices,
        default=DocumentStatus.POSTED,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("posted by"),
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.number


class AdjustmentReason(models.TextChoices):
    DAMAGED = "damaged", _("Damaged")
    EXPIRED = "expired", _("Expired")
    LOST = "lost", _("Lost")
    FOUND = "found", _("Found")
    OTHER = "other", _("Other")


class Adjustment(StockDocument):
    """报损 / 报溢: stock written off or found, with a reason per line."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, verbose_name=_("warehouse")
    )

    class Meta(StockDocument.Meta):
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")


class AdjustmentLine(models.Model):
    adjustment = models.ForeignKey(
        Adjustment, on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, verbose_name=_("product")
    )
    quantity = models.DecimalField(
        _("quantity"), help_text=_("Negative: written off; positive: found."), **QTY
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

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, verbose_name=_("warehouse")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    on_hand = models.DecimalField(_("on hand"), default=0, **QTY)
    old_unit_cost = models.DecimalField(_("old unit cost"), default=0, **COST)
    new_unit_cost = models.DecimalField(_("new unit cost"), **COST)
    value_change = models.DecimalField(_("value change"), default=0, **VALUE)
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


class TransferLine(models.Model):
    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, verbose_name=_("product")
    )
    quantity = models.DecimalField(_("quantity"), **QTY)

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


class OpeningStock(StockDocument):
    """期初库存: quantities and costs a shop starts with, usually imported."""

    class Meta(StockDocument.Meta):
        verbose_name = _("opening stock")
        verbose_name_plural = _("opening stock")


class OpeningStockLine(models.Model):
    opening = models.ForeignKey(
        OpeningStock, on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, verbose_name=_("product")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, verbose_name=_("warehouse")
    )
    quantity = models.DecimalField(_("quantity"), **QTY)
    unit_cost = models.DecimalField(_("unit cost"), **COST)

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
    system_quantity = models.DecimalField(_("system quantity"), **QTY)
    counted_quantity = models.DecimalField(
        _("counted quantity"), null=True, blank=True, **QTY
    )
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
    expected_quantity = models.DecimalField(
        _("expected at count"), null=True, blank=True, **QTY
    )

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


class MonthSnapshot(models.Model):
    """Closing quantity and value of one product in one warehouse at a month's end."""

    closed_month = models.ForeignKey(
        ClosedMonth, on_delete=models.CASCADE, related_name="snapshots"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QTY)
    value = models.DecimalField(_("value"), **VALUE)

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
    opening_q = models.DecimalField(**QTY)
    opening_v = models.DecimalField(**VALUE)
    receipt_q = models.DecimalField(**QTY)
    receipt_v = models.DecimalField(**VALUE)
    sales_return_q = models.DecimalField(**QTY)
    sales_return_v = models.DecimalField(**VALUE)
    other_in_q = models.DecimalField(**QTY)
    other_in_v = models.DecimalField(**VALUE)
    shipment_q = models.DecimalField(**QTY)
    shipment_v = models.DecimalField(**VALUE)
    purchase_return_q = models.DecimalField(**QTY)
    purchase_return_v = models.DecimalField(**VALUE)
    other_out_q = models.DecimalField(**QTY)
    other_out_v = models.DecimalField(**VALUE)
    closing_q = models.DecimalField(**QTY)
    closing_v = models.DecimalField(**VALUE)

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

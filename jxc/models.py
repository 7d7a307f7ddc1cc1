"""The shared kernel's models: the document counter, and the abstract bases every
app's documents and lines are built from (they import no app; related models are
named by string). Abstract bases keep every table and column as it was."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jxc.decimals import (
    COST_DIGITS,
    COST_PLACES,
    MONEY_DIGITS,
    PRICE_PLACES,
    QUANTITY_DIGITS,
    QUANTITY_PLACES,
)
from jxc.formatting import qty


class DocumentCounter(models.Model):
    """The last number handed out per document prefix and day (PO-20261126-003)."""

    prefix = models.CharField(_("prefix"), max_length=8)
    day = models.DateField(_("day"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="jxc_counter_unique")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.day:%Y%m%d}: {self.last}"


# --- field factories: one declaration per kind of number ------------------------
# Forms use the factories of the same names in jxc.fields (same digits and places).


def quantity_field(verbose_name=None, **kwargs) -> models.DecimalField:
    """A quantity column: 14 digits, 3 decimals (up to 99,999,999,999.999)."""
    return models.DecimalField(
        verbose_name,
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        **kwargs,
    )


def money_field(verbose_name=None, **kwargs) -> models.DecimalField:
    """A price, amount, total or value column: 14 digits, 2 decimals."""
    return models.DecimalField(
        verbose_name, max_digits=MONEY_DIGITS, decimal_places=PRICE_PLACES, **kwargs
    )


def cost_field(verbose_name=None, **kwargs) -> models.DecimalField:
    """A unit cost column: 16 digits, 4 decimals (moving averages keep more)."""
    return models.DecimalField(
        verbose_name, max_digits=COST_DIGITS, decimal_places=COST_PLACES, **kwargs
    )


def user_field(verbose_name):
    """Who did something to a document (optional: not everything happened yet)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=verbose_name,
    )


# --- documents ------------------------------------------------------------------


class DocumentStatus(models.TextChoices):
    """The status of every document that posts stock. Only a stocktake counts
    before it posts; the others are posted when they are saved."""

    COUNTING = "counting", _("Counting")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


# The statuses of a document that is posted as it is saved (receipts, shipments...).
POSTED_CHOICES = [
    (DocumentStatus.POSTED.value, DocumentStatus.POSTED.label),
    (DocumentStatus.CANCELLED.value, DocumentStatus.CANCELLED.label),
]


class NumberedDocument(models.Model):
    """What every document carries: its number, the form submission that made it
    (a double click, a second tab or a retry of the same form finds this document
    instead of a new one), a note, who made it and when.

    ``detail_url_name`` names the document's page (``get_absolute_url``).
    """

    detail_url_name = ""

    number = models.CharField(_("number"), max_length=40, unique=True)
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.number

    def get_absolute_url(self) -> str:
        return reverse(self.detail_url_name, args=[self.pk])


class Cancellable(models.Model):
    """A posted document that can be cancelled: who, when and why. The status
    field is the document's own (its choices and width differ)."""

    cancelled_by = user_field(_("cancelled by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)

    CANCEL_FIELDS = ["status", "cancelled_by", "cancelled_at", "cancel_reason"]

    class Meta:
        abstract = True

    @property
    def is_cancelled(self) -> bool:
        return self.status == DocumentStatus.CANCELLED

    def mark_cancelled(self, *, user, reason: str, at=None) -> list[str]:
        """Set the cancelled status, who, when and why (the reason stripped);
        returns the fields to save."""
        self.status = DocumentStatus.CANCELLED
        self.cancelled_by = user
        self.cancelled_at = at or timezone.now()
        self.cancel_reason = reason.strip()
        return list(self.CANCEL_FIELDS)


class PostedDocument(NumberedDocument, Cancellable):
    """What purchasing and sales documents that post stock share: a warehouse and a
    date, a status, a total. Each app adds its party (supplier or customer)."""

    warehouse = models.ForeignKey(
        "catalog.Warehouse",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    occurred_at = models.DateTimeField(_("date"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=POSTED_CHOICES,
        default=DocumentStatus.POSTED,
    )
    total = money_field(_("total"), default=0)

    class Meta:
        abstract = True
        ordering = ["-occurred_at", "-id"]


class OrderDocument(NumberedDocument):
    """A purchase or sales order: dated, for a warehouse, with a total; a draft
    until it is placed, then received or shipped against until it ends. Each app
    declares its party and its ``status`` (the choices differ) and its lifecycle
    (jxc.orders.OrderLifecycle)."""

    warehouse = models.ForeignKey(
        "catalog.Warehouse",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    order_date = models.DateField(_("order date"))
    total = money_field(_("total"), default=0)
    # Bumped by every change; a form opened on an older version is stale.
    version = models.PositiveIntegerField(default=0)
    closed_by = user_field(_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["-order_date", "-id"]


class DocumentLine(models.Model):
    """One line of a document: a product and a quantity in the product's base unit
    (the ledger's), and the unit it was entered in: a package unit (1 箱 = 24 瓶)
    with its factor when it was saved and the quantity as typed ("2 箱"); no unit:
    the base unit. A line's price (``unit_price`` / ``unit_cost``) is per the
    entered unit, so its amount is exact (2 箱 × ¥50.00 = ¥100.00)."""

    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product"),
    )
    quantity = quantity_field(_("quantity"))
    unit = models.ForeignKey(
        "catalog.PackageUnit",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("unit"),
    )
    unit_factor = quantity_field(_("base units per unit"), default=1)
    entered_quantity = quantity_field(_("quantity as entered"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.product} × {self.quantity}"

    @property
    def entered(self):
        """The quantity in the unit it was entered in."""
        if self.entered_quantity is None:
            return self.quantity
        return self.entered_quantity

    @property
    def unit_name(self) -> str:
        """The entered unit's name: the package's (箱), else the product's."""
        return self.unit.name if self.unit_id else self.product.unit

    @property
    def entered_text(self) -> str:
        """ "2 箱"; a base-unit line: "5 瓶"."""
        return f"{qty(self.entered)} {self.unit_name}".strip()

    @property
    def quantity_text(self) -> str:
        """ "2 箱 (48 瓶)" for a line in a package unit, else "5 瓶"."""
        if not self.unit_id:
            return self.entered_text
        return f"{self.entered_text} ({qty(self.quantity)} {self.product.unit})"

    @property
    def in_package(self) -> bool:
        return self.unit_id is not None


def record_page(content_type, object_id) -> str:
    """The page of the record ``object_id`` of ``content_type`` (a ContentType),
    from its model's ``get_absolute_url()`` without reading the record (every
    page is named by the id alone); "" for a kind without a page."""
    model = content_type.model_class() if content_type is not None else None
    if model is None or object_id is None:
        return ""
    record = model(pk=object_id)
    if not hasattr(record, "get_absolute_url"):
        return ""
    return record.get_absolute_url()


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(self.model.append_only_message)

    def delete(self):
        raise TypeError(self.model.append_only_message)


class AppendOnly(models.Model):
    """Rows of a ledger or a log: added, never changed or deleted, one by one or in
    bulk. ``append_only_message`` says what to do instead."""

    append_only_message = "These rows are append-only."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(self.append_only_message)

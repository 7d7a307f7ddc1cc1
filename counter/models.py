from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Customer, Warehouse
from finance.models import CashEntry
from jxc.models import money_field


class ScaleLayout(models.TextChoices):
    """What the digits after the prefix of a scale label carry (EAN-13): the PLU
    (6 digits after a 1-digit prefix, 5 after a 2-digit one), a 5-digit value
    and the check digit. counter/scale.py reads them."""

    WEIGHT = "weight", _("PLU + weight in grams (5 digits)")
    PRICE = "price", _("PLU + amount in fen (5 digits)")


class CounterSettings(models.Model):
    """The owner's counter rules; one row."""

    auto_print = models.BooleanField(
        _("print the slip after every sale"),
        default=True,
        help_text=_("Opens the 80 mm slip and the browser's print dialog at once."),
    )
    scale_prefix = models.CharField(
        _("scale label prefix"),
        max_length=2,
        default="2",
        help_text=_(
            "EAN-13 codes starting with these digits come from the label scale."
        ),
    )
    scale_layout = models.CharField(
        _("scale label layout"),
        max_length=10,
        choices=ScaleLayout.choices,
        default=ScaleLayout.WEIGHT,
    )
    opening_float = money_field(
        _("opening cash float"),
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("99999"))],
        help_text=_("The change the drawer starts each shift with."),
    )

    class Meta:
        verbose_name = _("counter settings")
        verbose_name_plural = _("counter settings")
        permissions = [
            ("use_counter", _("Can sell at the counter")),
            ("view_all_shifts", _("Can see every clerk's shift close")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    def get_absolute_url(self) -> str:
        return reverse("counter:settings")


class HeldSale(models.Model):
    """挂单: a sale parked while its customer fetches something.

    It reserves nothing; ``lines`` keep what was on the screen (product id,
    quantity, price, discount) and resuming reads today's availability again.
    A parked sale expires at the end of the day it was parked.
    """

    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("clerk"),
    )
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    lines = models.JSONField(_("lines"), default=list)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    total = money_field(_("total"), default=Decimal("0"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("parked at"), auto_now_add=True)
    # Local date the sale was parked on: it is gone after that day.
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("parked sale")
        verbose_name_plural = _("parked sales")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["day", "clerk"], name="counter_heldsale_day")]

    def __str__(self):
        return f"{self.created_at:%H:%M} ¥{self.total:,.2f}"


class Shift(models.Model):
    """交班 / 日结: one clerk's day at the counter, closed with the cash counted."""

    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("clerk"),
    )
    day = models.DateField(_("day"))
    opening_float = money_field(_("opening cash float"), default=Decimal("0"))
    paid_out = money_field(
        _("cash paid out"),
        default=Decimal("0"),
        help_text=_("Cash taken from the drawer for expenses during the shift."),
    )
    expected_cash = money_field(_("cash expected"), null=True, blank=True)
    counted_cash = money_field(_("cash counted"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # 长款 / 短款: the close's difference posted to the cash account (none when
    # the counted cash was what was expected).
    cash_entry = models.ForeignKey(
        CashEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("over / short entry"),
    )

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["-day", "clerk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clerk", "day"], name="counter_shift_clerk_day"
            ),
            models.CheckConstraint(
                condition=Q(opening_float__gte=0) & Q(paid_out__gte=0),
                name="counter_shift_amounts_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.clerk} {self.day}"

    def get_absolute_url(self) -> str:
        return reverse("counter:shift_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def difference(self):
        if self.counted_cash is None or self.expected_cash is None:
            return None
        return self.counted_cash - self.expected_cash


class Cart(models.Model):
    """The sale on a clerk's counter screen, kept on the server between scans.

    One row per clerk: a reload, a second tab or another device shows the same
    sale, and every change locks the row, so two quick scans never lose one.
    ``lines`` hold what ``HeldSale.lines`` hold (product id, quantity, price or
    None for the product's sale price, discount), as text. ``last_sale`` is the
    sale just finished, shown until the next scan.
    """

    clerk = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("clerk"),
    )
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    lines = models.JSONField(_("lines"), default=list)
    # The line the +, − and Delete keys change: the last one scanned or edited.
    current_product_id = models.PositiveIntegerField(null=True, blank=True)
    last_sale = models.ForeignKey(
        "sales.SalesOrder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last sale"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("counter sale in progress")
        verbose_name_plural = _("counter sales in progress")

    def __str__(self):
        return f"{self.clerk} ({len(self.lines)})"


class CashPaidOut(models.Model):
    """Cash taken out of the drawer during a shift (a delivery paid, change given to
    the bank): it lowers the cash the close expects. ``Shift.paid_out`` is their
    sum, kept by the service that writes them."""

    shift = models.ForeignKey(
        Shift,
        on_delete=models.PROTECT,
        related_name="paid_outs",
        verbose_name=_("shift"),
    )
    amount = money_field(_("amount"))
    note = models.CharField(_("what for"), max_length=100)
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # The expense it posted out of the cash account (日常收支, 现金支出).
    cash_entry = models.ForeignKey(
        CashEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("expense entry"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cash paid out")
        verbose_name_plural = _("cash paid out")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="counter_paid_out_positive"
            )
        ]

    def __str__(self):
        return f"¥{self.amount:,.2f} {self.note}"

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jxc.decimals import MONEY_DIGITS


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


class DocumentStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


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


class PostedDocument(models.Model):
    """What purchasing and sales documents that post stock share: a number, the
    form submission that made it, a warehouse and a date, a total, who made it and
    who cancelled it. Each app adds its party (supplier or customer)."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    warehouse = models.ForeignKey(
        "catalog.Warehouse",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    occurred_at = models.DateTimeField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DocumentStatus.choices,
        default=DocumentStatus.POSTED,
    )
    total = models.DecimalField(
        _("total"), default=0, max_digits=MONEY_DIGITS, decimal_places=2
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cancelled_by = user_field(_("cancelled by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return self.number


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

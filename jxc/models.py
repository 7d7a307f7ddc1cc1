from django.db import models
from django.utils.translation import gettext_lazy as _


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

"""API keys, the calls' idempotency and rate counters, and the webhook outbox."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    # What a key may do. Costs, stock values and the summary need FULL, the
    # owner's level; READ and ORDERS see what a clerk sees (sales prices, stock).
    READ = "read", _("Read only")
    ORDERS = "orders", _("Read and create sales orders")
    FULL = "full", _("Full (owner level: costs, products)")


class ApiKey(models.Model):
    """A key another system calls the API with. Only ``prefix`` (to find it) and
    the SHA-256 of its secret are stored: the key itself is shown once. Calls act
    as ``created_by`` (the owner who made it) within the key's scope."""

    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(
        _("scope"), max_length=16, choices=Scope.choices, default=Scope.READ
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # A key bound to one shop reads stock and documents of that shop's warehouses
    # only, and creates sales orders only in them (api.framework.key_shop_id).
    shop = models.ForeignKey(
        "catalog.Shop",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("shop"),
    )
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    # HMAC-SHA256 needs the secret itself, so it is stored as it is (it only
    # proves to the receiver that a delivery came from this shop).
    webhook_secret = models.CharField(max_length=64, blank=True, editable=False)
    # The creating form's token: a second submit finds this key (no second key).
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    def get_absolute_url(self) -> str:
        return reverse("api:key_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotentRequest(models.Model):
    """The first answer to a POST with an ``Idempotency-Key``: a retry gets it."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # method, path and body
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "idempotency_key"], name="api_idempotency_unique"
            )
        ]

    def __str__(self):
        return self.idempotency_key


class RateWindow(models.Model):
    """Calls of one key in one minute, counted in the database (one upsert per
    call) so every gunicorn worker and host sees the same count."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField()  # minutes since the epoch
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "minute"], name="api_rate_unique")
        ]

    def __str__(self):
        return f"{self.key_id}@{self.minute}: {self.calls}"


class EventKind(models.TextChoices):
    STOCK_CHANGED = "stock.changed", _("Stock level changed")
    DOCUMENT_POSTED = "document.posted", _("Document posted")
    DOCUMENT_CANCELLED = "document.cancelled", _("Document cancelled")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")


class WebhookEvent(models.Model):
    """One event for one key's webhook: the outbox. Written in the posting's own
    transaction (a rolled-back posting leaves none), sent by deliver_webhooks."""

    key = models.ForeignKey(
        ApiKey, on_delete=models.CASCADE, related_name="events", verbose_name=_("key")
    )
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="api_event_due"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class WebhookAttempt(models.Model):
    """One try to deliver an event: the delivery log."""

    event = models.ForeignKey(
        WebhookEvent, on_delete=models.CASCADE, related_name="tries"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    milliseconds = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.event_id} {self.at:%Y-%m-%d %H:%M:%S} {self.status_code}"

"""Reads of the api app's pages."""

from __future__ import annotations

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from api.models import ApiKey, DeliveryStatus, WebhookAttempt, WebhookEvent


def key_list() -> QuerySet:
    """Every key with its waiting and given-up webhook events counted: active
    keys first, newest first."""
    return (
        ApiKey.objects.select_related("created_by", "shop")
        .annotate(
            waiting=Count("events", filter=Q(events__status=DeliveryStatus.PENDING)),
            given_up=Count("events", filter=Q(events__status=DeliveryStatus.FAILED)),
        )
        .order_by("revoked_at", "-created_at", "-id")
    )


def delivery_log(*, key=None, status: str = "") -> QuerySet:
    """Webhook events, newest first, each with its last try."""
    events = WebhookEvent.objects.select_related("key").annotate(
        last_try=Max("tries__at")
    )
    if key is not None:
        events = events.filter(key=key)
    if status:
        events = events.filter(status=status)
    return events.prefetch_related(
        Prefetch("tries", queryset=WebhookAttempt.objects.order_by("-at", "-id"))
    ).order_by("-id")

"""Delivering the webhook outbox (manage.py deliver_webhooks).

At least once, in order per key, and each event carries its id
(``X-JXC-Event``) so a receiver that saw it already can ignore a repeat: an event
is claimed for a lease before it is sent (two deliverers never send the same
one at once), marked delivered on a 2xx answer, and otherwise tried again
after 1, 2, 4 … minutes. A key whose oldest waiting event is not due yet is
skipped as a whole, so a receiver never sees a later stock level before an
earlier one.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from api import services
from api.models import DeliveryStatus, WebhookEvent

LEASE = timedelta(minutes=5)
BATCH = 50


@dataclass
class PassResult:
    delivered: int = 0
    failed: int = 0


def _claim(key_id: int, now) -> list[WebhookEvent]:
    with transaction.atomic():
        events = list(
            WebhookEvent.objects.select_for_update(skip_locked=True)
            .filter(key_id=key_id, status=DeliveryStatus.PENDING)
            .select_related("key")
            .order_by("id")[:BATCH]
        )
        if not events or (events[0].next_attempt_at or now) > now:
            return []
        WebhookEvent.objects.filter(pk__in=[e.pk for e in events]).update(
            next_attempt_at=now + LEASE
        )
    return events


def _numbered(payload: dict) -> dict:
    """The payload with its document's number, taken when the posting committed
    (after the event was written: jxc.numbering)."""
    document = payload.get("document")
    if not isinstance(document, dict) or "app" not in document:
        return payload
    try:
        model = apps.get_model(document["app"], document["type"])
    except LookupError:
        return payload
    number = model.objects.filter(pk=document["id"]).values_list("number", flat=True)
    return {**payload, "document": {**document, "number": number.first() or ""}}


def body_of(event: WebhookEvent) -> bytes:
    return json.dumps(
        {
            "id": event.pk,
            "event": event.kind,
            "created_at": event.created_at,
            "data": _numbered(event.payload),
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    ).encode()


def send(event: WebhookEvent) -> tuple[int | None, str, int]:
    """POST one event to its key's URL: (HTTP status or None, error, ms)."""
    key = event.key
    if not key.webhook_url.lower().startswith(("http://", "https://")):
        return None, "only http:// and https:// URLs are called", 0
    body = body_of(event)
    stamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 (http/https only: URLField)
        key.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "JXC-webhooks/1",
            "X-JXC-Event": str(event.pk),
            "X-JXC-Event-Type": event.kind,
            "X-JXC-Timestamp": stamp,
            "X-JXC-Signature": services.signature(key.webhook_secret, stamp, body),
        },
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=services.webhook_timeout()
        ) as response:
            status, error = response.status, ""
    except urllib.error.HTTPError as failure:
        status, error = failure.code, str(failure.reason)
    except (OSError, ValueError) as failure:
        status, error = None, str(failure) or type(failure).__name__
    return status, error, int((time.monotonic() - started) * 1000)


def deliver_pass() -> PassResult:
    """One pass over every key's due events."""
    result = PassResult()
    now = timezone.now()
    key_ids = (
        WebhookEvent.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .values_list("key_id", flat=True)
        .distinct()
    )
    for key_id in list(key_ids):
        events = _claim(key_id, now)
        for index, event in enumerate(events):
            if event.key.revoked_at is not None or not event.key.webhook_url:
                status, error, ms = None, "key revoked or webhook removed", 0
            else:
                status, error, ms = send(event)
            with transaction.atomic():
                services.webhook_attempt_record(
                    event, status_code=status, error=error, milliseconds=ms
                )
            if status is not None and 200 <= status < 300:
                result.delivered += 1
                continue
            result.failed += 1
            # Keep the order: the rest waits behind this one.
            rest = [e.pk for e in events[index + 1 :]]
            WebhookEvent.objects.filter(pk__in=rest).update(next_attempt_at=now)
            break
    return result

"""Every write of the api app: keys, the idempotency of POSTs, the per-key rate
counter, the webhook outbox and its delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import (
    ApiKey,
    DeliveryStatus,
    IdempotentRequest,
    RateWindow,
    WebhookAttempt,
    WebhookEvent,
)
from audit.services import Action, audit_record
from jxc.documents import by_submission

KEY_START = "jxc"
# A delivery that keeps failing is retried after 1, 2, 4 … minutes (at most
# MAX_BACKOFF apart) and given up after MAX_ATTEMPTS tries (about two days).
MAX_ATTEMPTS = 16
MAX_BACKOFF = timedelta(hours=6)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    token: str  # shown once, never stored


@transaction.atomic
def api_key_create(
    *,
    name: str,
    scope: str,
    user,
    webhook_url: str = "",
    shop_id=None,
    submission=None,
) -> NewKey | None:
    """A new key; the token (prefix + secret) is returned once, only its hash kept.
    None: this form's submission made a key already (its token was shown then)."""
    if by_submission(ApiKey, submission) is not None:
        return None
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name,
        scope=scope,
        prefix=prefix,
        secret_hash=_hash(secret),
        created_by=user,
        shop_id=shop_id,
        webhook_url=webhook_url,
        webhook_secret=secrets.token_hex(32) if webhook_url else "",
        submission=submission,
    )
    audit_record(
        user=user,
        action=Action.CREATE,
        record=key,
        changes={
            "scope": [None, scope],
            "shop": [None, shop_id],
            "webhook_url": [None, webhook_url or None],
        },
    )
    return NewKey(key, f"{KEY_START}_{prefix}_{secret}")


@transaction.atomic
def api_key_revoke(*, key: ApiKey, user) -> ApiKey:
    """Revoke a key at once: every later call with it is refused. Revoking twice
    changes nothing."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(
        user=user,
        action=Action.CHANGE,
        record=key,
        summary=_("Revoked"),
        changes={"revoked_at": [None, key.revoked_at]},
    )
    return key


def api_key_find(token: str) -> ApiKey | None:
    """The active key a token names (its owner active too), else None. The
    secret is compared in constant time."""
    parts = (token or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_START or not parts[1] or not parts[2]:
        return None
    key = (
        ApiKey.objects.select_related("created_by")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if key is None or not key.created_by.is_active:
        return None
    if not hmac.compare_digest(key.secret_hash, _hash(parts[2])):
        return None
    return key


def api_call_record(*, key: ApiKey, method: str, path: str, status: int) -> None:
    """Put one call into the audit trail and mark the key used."""
    now = timezone.now()
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    audit_record(
        user=key.created_by,
        action=Action.API,
        record=key,
        summary=f"{method} {path} → {status}",
    )


def rate_count(*, key: ApiKey, now: float | None = None) -> int:
    """Count one call of ``key`` in the current minute and return the minute's
    count so far: one upsert statement, atomic on PostgreSQL and SQLite alike."""
    minute = int((now if now is not None else time.time()) // 60)
    table = RateWindow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key_id, minute, calls) VALUES (%s, %s, 1) "  # noqa: S608 (model's table name)
            "ON CONFLICT (key_id, minute) DO UPDATE "
            f"SET calls = {table}.calls + 1 RETURNING calls",
            [key.pk, minute],
        )
        calls = cursor.fetchone()[0]
    if calls == 1:
        # A new minute: forget the minutes before the last hour.
        RateWindow.objects.filter(key=key, minute__lt=minute - 60).delete()
    return calls


# --- idempotency -----------------------------------------------------------------


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(
        b"\n".join([method.encode(), path.encode(), body])
    ).hexdigest()


class IdempotencyConflict(Exception):
    """The same Idempotency-Key with another request."""


def idempotent_claim(*, key: ApiKey, idempotency_key: str, print_: str):
    """Inside the caller's transaction: claim the key for this request (None) or
    return the stored first answer. A second identical request running at the
    same time waits on the unique index until the first commits, then gets the
    first's answer; if the first rolled back, it runs itself."""
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                key=key, idempotency_key=idempotency_key, fingerprint=print_
            )
    except IntegrityError:
        first = IdempotentRequest.objects.get(key=key, idempotency_key=idempotency_key)
        if first.fingerprint != print_:
            raise IdempotencyConflict from None
        return first
    return record


def idempotent_store(record: IdempotentRequest, *, status: int, data) -> None:
    record.status_code = status
    # PostgreSQL's jsonb holds no NUL: an error echoing one keeps a stand-in.
    text = json.dumps(data, default=str).replace("\\u0000", "\\ufffd")
    record.response = json.loads(text)
    record.save(update_fields=["status_code", "response"])


# --- webhooks --------------------------------------------------------------------


class WebhookKeys(list):
    """The ids of the keys with a webhook, and ``shops``: {id: shop id} of those
    bound to one shop (their events are only their shop's)."""

    shops: dict[int, int]


def webhook_keys() -> list[int]:
    """The active keys with a webhook: one query per posting. Inside a posting
    (jxc.documents.posting) the answer is kept for the posting's other
    listeners — a shipment's stock.changed and its document.posted ask once —
    tied to that posting's own list of pending numbers, which a retry or the
    next posting replaces."""
    posting_ = getattr(connection, "jxc_numbers_pending", None)
    kept = getattr(connection, "api_webhook_keys", None)
    if posting_ is not None and kept is not None and kept[0] is posting_:
        return kept[1]
    rows = list(
        ApiKey.objects.filter(revoked_at__isnull=True)
        .exclude(webhook_url="")
        .values_list("pk", "shop_id")
    )
    keys = WebhookKeys(pk for pk, _shop in rows)
    keys.shops = {pk: shop for pk, shop in rows if shop is not None}
    if posting_ is not None:
        connection.api_webhook_keys = (posting_, keys)
    return keys


def webhook_events_add(keys: list[int], events: list[tuple[str, dict]]) -> None:
    """Write (kind, payload) events for every key of ``keys`` in one INSERT, in
    the caller's transaction (the posting's: its rollback takes them back)."""
    if not keys or not events:
        return
    now = timezone.now()
    bound = getattr(keys, "shops", {})
    shop_of = _warehouse_shops(events) if bound else {}

    def wanted(pk, payload) -> bool:
        # A key of one shop: events of its shop's warehouses, and those of no
        # warehouse (payments).
        if pk not in bound:
            return True
        warehouses = _warehouses_of(payload)
        return not warehouses or any(shop_of.get(w) == bound[pk] for w in warehouses)

    WebhookEvent.objects.bulk_create(
        WebhookEvent(key_id=pk, kind=kind, payload=payload, next_attempt_at=now)
        for pk in keys
        for kind, payload in events
        if wanted(pk, payload)
    )


def _warehouses_of(payload: dict) -> set[int]:
    found = {payload.get("warehouse_id")}
    found |= {line.get("warehouse_id") for line in payload.get("lines") or ()}
    return {pk for pk in found if pk is not None}


def _warehouse_shops(events) -> dict[int, int]:
    """{warehouse id: shop id} of the events' warehouses, in one query."""
    from catalog.models import Warehouse

    ids = set().union(*(_warehouses_of(payload) for _kind, payload in events))
    return dict(Warehouse.objects.filter(pk__in=ids).values_list("pk", "shop_id"))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-JXC-Signature of a delivery: HMAC-SHA256 of "timestamp.body"."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def webhook_attempt_record(
    event: WebhookEvent, *, status_code: int | None, error: str, milliseconds: int
) -> None:
    """Record one try; a 2xx answer delivers the event, anything else schedules
    the next try (or gives up after MAX_ATTEMPTS)."""
    now = timezone.now()
    WebhookAttempt.objects.create(
        event=event,
        status_code=status_code,
        error=error[:300],
        milliseconds=milliseconds,
    )
    event.attempts = F("attempts") + 1
    if status_code is not None and 200 <= status_code < 300:
        event.status = DeliveryStatus.DELIVERED
        event.delivered_at = now
        event.next_attempt_at = None
    else:
        tried = event.tries.count()
        if tried >= MAX_ATTEMPTS:
            event.status = DeliveryStatus.FAILED
            event.next_attempt_at = None
        else:
            event.next_attempt_at = now + backoff(tried)
    event.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])


def webhook_timeout() -> float:
    return float(getattr(settings, "JXC_WEBHOOK_TIMEOUT_SECONDS", 10))

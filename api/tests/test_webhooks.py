"""Webhooks: events written in the posting's transaction (none for a rolled-back
posting), delivered by deliver_webhooks to a real local HTTP server with an
HMAC-SHA256 signature, retried after an outage, and delivered exactly once."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from api.models import DeliveryStatus, EventKind, WebhookAttempt, WebhookEvent
from api.services import api_key_create
from catalog.tests.factories import ProductFactory
from inventory.services import InsufficientStock
from inventory.tests.factories import receive
from sales import services
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it is sent."""

    def __init__(self, port: int, answer: int = 200):
        self.received: list[dict] = []
        self.answer = answer
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.received.append({"headers": headers, "body": body})
                self.send_response(receiver.answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hooked(owner, product):
    """A key with a webhook, made after the product's opening stock."""
    port = free_port()
    key = api_key_create(
        name="网店",
        scope="read",
        user=owner,
        webhook_url=f"http://127.0.0.1:{port}/hook",
    ).key
    return key, port


@pytest.fixture
def product(owner):
    product = ProductFactory(sku="P1", sale_price=Decimal("5"))
    receive(product, "5", "2", user=owner)
    return product


def test_a_posted_shipment_writes_its_events(owner, hooked, product):
    key, _port = hooked
    ship(owner, confirmed(owner, [(product, "2")]))
    kinds = sorted(WebhookEvent.objects.values_list("kind", flat=True))
    assert kinds == [EventKind.DOCUMENT_POSTED, EventKind.STOCK_CHANGED]
    stock = WebhookEvent.objects.get(kind=EventKind.STOCK_CHANGED).payload
    assert (stock["sku"], stock["on_hand"], stock["available"]) == (
        "P1",
        "3.000",
        "3.000",
    )


def test_a_rolled_back_posting_writes_no_event(owner, hooked, product):
    order = confirmed(owner, [(product, "2")])  # 3 left free
    with pytest.raises(InsufficientStock):
        services.retail_sale_post(
            warehouse=order.warehouse,
            user=owner,
            lines=[services.SaleLineInput(product, Decimal("4"))],
            amount_received=Decimal("100"),
        )
    assert not WebhookEvent.objects.exists()


def test_no_key_with_a_webhook_no_event(owner, product):
    api_key_create(name="无", scope="read", user=owner)
    ship(owner, confirmed(owner, [(product, "1")]))
    assert not WebhookEvent.objects.exists()


def test_delivered_exactly_once_after_the_receiver_was_down(owner, hooked, product):
    key, port = hooked
    ship(owner, confirmed(owner, [(product, "2")]))
    events = set(WebhookEvent.objects.values_list("pk", flat=True))
    assert len(events) == 2

    # The receiver is down: nothing is delivered, nothing lost.
    call_command("deliver_webhooks")
    first = WebhookEvent.objects.order_by("pk").first()
    assert first.status == DeliveryStatus.PENDING
    assert first.tries.get().status_code is None
    # The second waits behind the first (order per key), untried.
    assert WebhookAttempt.objects.count() == 1

    receiver = Receiver(port)
    try:
        # Not yet due: the retry waits its backoff.
        call_command("deliver_webhooks")
        assert receiver.received == []
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            call_command("deliver_webhooks")
            call_command("deliver_webhooks")  # a second pass sends nothing more
        with time_machine.travel(timezone.now() + timedelta(hours=1)):
            call_command("deliver_webhooks")
    finally:
        receiver.stop()
    ids = [int(r["headers"]["x-jxc-event"]) for r in receiver.received]
    assert sorted(ids) == sorted(events)  # each exactly once
    assert ids == sorted(ids)  # in order
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {
        DeliveryStatus.DELIVERED
    }
    delivery = receiver.received[0]
    stamp = delivery["headers"]["x-jxc-timestamp"]
    expected = hmac.new(
        key.webhook_secret.encode(), stamp.encode() + b"." + delivery["body"],
        hashlib.sha256,
    ).hexdigest()  # fmt: skip
    assert delivery["headers"]["x-jxc-signature"] == f"sha256={expected}"
    bodies = [json.loads(r["body"]) for r in receiver.received]
    # The stock ledger's event first (it posts before the document's listeners).
    assert [b["event"] for b in bodies] == ["stock.changed", "document.posted"]
    assert bodies[1]["data"]["document"]["type"] == "shipment"
    assert bodies[1]["data"]["document"]["number"].startswith("SH-")
    assert bodies[0]["data"]["document"] == bodies[1]["data"]["document"]


def test_an_error_answer_is_retried_with_growing_backoff(owner, hooked, product):
    _key, port = hooked
    ship(owner, confirmed(owner, [(product, "1")]))
    receiver = Receiver(port, answer=500)
    try:
        call_command("deliver_webhooks")
        event = WebhookEvent.objects.order_by("pk").first()
        first_wait = event.next_attempt_at - timezone.now()
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            call_command("deliver_webhooks")
        event.refresh_from_db()
    finally:
        receiver.stop()
    assert event.status == DeliveryStatus.PENDING
    assert event.attempts == 2
    assert [t.status_code for t in event.tries.all()] == [500, 500]
    assert event.next_attempt_at - timezone.now() > first_wait

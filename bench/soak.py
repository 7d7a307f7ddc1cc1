"""`make soak`: 20 clerks and 2 owners on a hot set of products, then an audit.

    python -m bench.soak                 # 10 minutes (docs/reliability.md)
    python -m bench.soak --quick         # 40 seconds of load; CI runs it
    python -m bench.soak --minutes 3     # any length

Loopback only, stops by itself. A fresh PostgreSQL database (``SOAK_DATABASE_URL``,
default ``jxc_soak`` or ``jxc_soak_quick`` on 127.0.0.1, dropped and created),
migrated, with the benchmark shop at QUICK scale (bench.dataset). Ten products of
the default warehouse are the hot set: an adjustment leaves each with a few units,
so that clerks really compete for the last ones. gunicorn serves the production
settings (debug off, the web's lock and statement timeouts) with 2 × cores + 1
workers.

Twenty clerks (staff role) and two owners sign in through the login form and
work like a browser (bench.load.Client): GET a form, take its fields, fill the
lines, POST, follow the redirect. Clerks sell at the counter (scan each piece,
pay in cash, clear the screen after a refusal), create, confirm
and ship sales orders (a shortage panel is answered with "reduce" or
"backorder"), receive goods without an order, take customer returns, and now and
then submit the same form twice at once (a double click on two connections).
Owners read the dashboard, the monthly summary and the stock overview, download
exports, and cancel a shipment or end an order now and then. A refusal (not
enough stock, a form someone else changed, nothing left to return) must be a
page with a message, never a 5xx.

Afterwards the database is audited; any failure exits non-zero:

- no 5xx, no dropped connection, no unexpected status, nothing alarming in
  gunicorn's log, every refusal showed a message;
- no oversell: nothing negative, reserved within on hand, and per hot product
  on hand = opening + received + returned − shipped (the posted documents) =
  opening + the ledger's moves;
- ``check_money`` clean (money balances = Σ entries, each document's open
  amount = its amount − allocations), and every customer payment a clerk was
  told about exists, nothing else;
- ``check_stock`` clean: balances = ledger, closed months' snapshots = ledger,
  no running balance below zero in time order (inventory.selectors, .checks);
- every document a clerk was told about exists, and nothing else was created;
  each has exactly one move per line (a cancelled one also exactly one reversal
  per line), no move points to a missing document, no refused submission left a
  document; order and shipment counters agree with the documents; reservations
  agree with the open orders; no document number twice; a double submit made one
  document.

Writes ``bench/results/soak-<date>[-quick].json`` and prints a summary.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

from django.db.models import Count, Q, Sum

from bench.load import Client, Recorder, run_clients
from bench.run import ROOT, database_reset, machine, production_environment

CLERKS = 20
OWNERS = 2
HOT = 10
START_STOCK = Decimal(8)  # per hot product when the soak begins
QUICK_MINUTES = 0.67
SECOND_OWNER = "bench-owner2"

CLERK_ACTIONS = {
    "retail sale": 34,
    "sales order": 20,
    "ship order": 14,
    "receipt": 12,
    "sales return": 9,
    "stock lookup": 11,
    "customer payment": 6,
}
OWNER_ACTIONS = {
    "dashboard": 20,
    "summary": 16,
    "stock overview": 16,
    "summary export": 10,
    "stock export": 10,
    "product export": 10,
    "cancel shipment": 9,
    "end order": 9,
}
DOUBLE_SUBMIT = 0.08  # share of postings sent twice at once

ALERT = re.compile(
    r'<div class="alert alert-(danger|success|warning|info)\b[^>]*>'
    r"(.*?)(?:<button|</div>)",
    re.S,
)
FIELD_ERROR = re.compile(
    r'class="(?:invalid-feedback|text-danger small)[^"]*"[^>]*>(.*?)</(?:div|p|span)>',
    re.S,
)
TAG = re.compile(r"<[^>]+>")
SHIP_ROW = re.compile(
    r'<td class="num">([\d,.]+) [^<]*</td>.*?name="(ship_\d+)"(?: value="([^"]*)")?',
    re.S,
)
ORDER_LINK = re.compile(r'href="/sales/orders/(\d+)/"')
LAST_SLIP = re.compile(r'href="/counter/slip/(\d+)/"[^>]*id="last-slip"')
SHIPMENT_LINK = re.compile(r'href="/sales/shipments/(\d+)/"')
DOCUMENT = re.compile(r"/\d+/$")


class Broken(Exception):
    """A request failed (5xx, dropped connection, unexpected status): recorded."""


def _text(fragment: str) -> str:
    return " ".join(TAG.sub(" ", fragment).split())


def page_messages(html: bytes) -> tuple[list[str], list[str]]:
    """(errors, successes) shown on a page: alerts and field errors."""
    text = html.decode("utf-8", "replace")
    errors, successes = [], []
    for level, body in ALERT.findall(text):
        (errors if level in ("danger", "warning") else successes).append(_text(body))
    errors += [_text(body) for body in FIELD_ERROR.findall(text)]
    if 'id="shortage-panel"' in text:
        errors.append("shortage panel")
    return [e for e in errors if e], [s for s in successes if s]


def reason_key(message: str) -> str:
    """A refusal message with names, numbers and document numbers blanked."""
    message = re.sub(r"“[^”]*”", "“…”", message)
    message = re.sub(r"[A-Z]{2,3}-\d{8}-\d+", "№", message)
    # Numbers, and words holding one (the hot products are named 橙子000008).
    message = re.sub(r"¥?\w*\d[\w,.]*", "#", message)
    return message[:140]


class Shop:
    """What the client threads share: the hot set, pools of documents to work on,
    what each clerk was told, and the tallies."""

    def __init__(self, *, base, warehouse_id, hot_skus, customers, suppliers, seed):
        self.base = base
        self.warehouse_id = warehouse_id
        self.hot_skus = hot_skus
        self.customers = customers
        self.suppliers = suppliers
        self.seed = seed
        self.lock = threading.Lock()
        self.requests = Recorder()
        self.actions = Recorder()
        self.sign_ins = Recorder()  # before the clock starts: not in "requests"
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.outcomes: dict[str, Counter] = defaultdict(Counter)
        self.reasons: dict[str, Counter] = defaultdict(Counter)
        self.failures: dict[str, list[str]] = defaultdict(list)
        self.open_orders: list[int] = []
        self.shipments: list[int] = []
        # kind → {document id: submission} for every document a user was told
        # was saved; refused submissions per kind.
        self.accepted: dict[str, dict[int, str]] = defaultdict(dict)
        self.refused: dict[str, set[str]] = defaultdict(set)
        self.cancelled_shipments: set[int] = set()
        self.ended_orders: set[int] = set()
        self.doubles = Counter()

    def fail(self, kind: str, detail: str) -> None:
        with self.lock:
            self.failures[kind].append(detail[:300])

    def outcome(self, action: str, result: str, reason: str | None = None) -> None:
        with self.lock:
            self.outcomes[action][result] += 1
            if reason:
                self.reasons[action][reason_key(reason)] += 1

    def pool_add(self, pool: list[int], item: int, limit: int = 400) -> None:
        with self.lock:
            if item not in pool:
                pool.append(item)
                del pool[:-limit]

    def pool_take(self, pool: list[int], rng, keep: bool = False) -> int | None:
        with self.lock:
            if not pool:
                return None
            index = rng.randrange(len(pool))
            return pool[index] if keep else pool.pop(index)

    def pool_drop(self, pool: list[int], item: int) -> None:
        with self.lock:
            if item in pool:
                pool.remove(item)


class Person:
    """One signed-in user in one thread: a browser's worth of requests."""

    def __init__(self, shop: Shop, username: str, password: str, index: int):
        self.shop = shop
        self.username = username
        self.client = Client(shop.base)
        self.rng = random.Random(shop.seed * 100 + index)
        self.last = ""
        began = time.perf_counter()
        self.client.login(username, password)
        shop.sign_ins.add("sign-in", time.perf_counter() - began)

    # --- requests ---------------------------------------------------------------------

    def call(self, name, method, path, data=None, client=None):
        client = client or self.client
        began = time.perf_counter()
        try:
            status, location, content = client.request(method, path, data)
        except Exception as error:  # a dropped connection: recorded, action ends
            self.shop.requests.add(name, time.perf_counter() - began, repr(error))
            self.shop.statuses[name]["dropped"] += 1
            self.shop.fail("dropped connection", f"{name} {method} {path}: {error!r}")
            raise Broken from error
        seconds = time.perf_counter() - began
        self.last = f"{method} {path} → {status}"
        with self.shop.lock:
            self.shop.statuses[name][status] += 1
        if status >= 500:
            self.shop.requests.add(name, seconds, f"{status} {path}")
            self.shop.fail("5xx", f"{name} {method} {path}: {status}")
            raise Broken
        if status not in (200, 302):
            self.shop.requests.add(name, seconds, f"{status} {path}")
            self.shop.fail("unexpected status", f"{name} {method} {path}: {status}")
            raise Broken
        self.shop.requests.add(name, seconds)
        return status, location, content

    def follow(self, location: str, client=None) -> bytes:
        """GET ``location`` and every further redirect, as a browser does (a stale
        shipment form sends back to the form, which sends an order shipped
        meanwhile on to the order)."""
        for _hop in range(5):
            status, location, content = self.call(
                "follow redirect", "GET", location, client=client
            )
            if status != 302:
                return content
        raise RuntimeError(f"more than 5 redirects, at {location}")

    def get(self, name, path):
        status, location, content = self.call(name, "GET", path)
        if status == 302:
            return location, self.follow(location)
        return None, content

    def post(self, name, path, fields, *, double=False):
        """POST a form like a browser (following the redirect); with ``double`` the
        same fields go at the same moment on a second connection too (a double
        click). Returns (location, page) of the first; for a double submit also
        checks that both landed on the same document."""
        data = list(fields.items())
        if not double:
            status, location, content = self.call(name, "POST", path, data)
            if status == 302:
                return location, self.follow(location)
            return None, content
        twin = Client(self.shop.base)
        twin.cookies = dict(self.client.cookies)
        answers: list = [None, None]

        def send(slot, client):
            with contextlib.suppress(Broken):
                answers[slot] = self.call(name, "POST", path, data, client=client)

        thread = threading.Thread(target=send, args=(1, twin))
        thread.start()
        send(0, self.client)
        thread.join(120)
        try:
            if None in answers:
                raise Broken
            pages = [
                self.follow(location, client) if status == 302 else content
                for (status, location, content), client in zip(
                    answers, (self.client, twin), strict=True
                )
            ]
        finally:
            twin.connection.close()
        # The user is left with a document page if either click posted one; two
        # different documents would be a double posting.
        documents = {
            location
            for status, location, _content in answers
            if status == 302 and DOCUMENT.search(location or "")
        }
        with self.shop.lock:
            self.shop.doubles["sent"] += 1
            if len(documents) > 1:
                self.shop.doubles["two documents"] += 1
            if answers[0][0] != answers[1][0]:
                self.shop.doubles["one refused, one posted"] += 1
        if len(documents) > 1:
            self.shop.fail("double submit", f"{path}: {sorted(documents)}")
        for (status, location, _content), page in zip(answers, pages, strict=True):
            if status == 302 and DOCUMENT.search(location or ""):
                return location, page
        status, location, _content = answers[0]
        return (location if status == 302 else None), pages[0]

    def refused(self, action: str, page: bytes, kind: str, submission: str | None):
        errors, _successes = page_messages(page)
        if not errors:
            self.shop.fail(
                "refusal without a message",
                f"{action} by {self.username}; last request {self.last}",
            )
            self.shop.outcome(action, "refused")
        else:
            self.shop.outcome(action, "refused", errors[0])
        if submission:
            with self.shop.lock:
                self.shop.refused[kind].add(submission)

    def accepted(self, action: str, kind: str, pk: int, submission: str | None):
        self.shop.outcome(action, "accepted")
        with self.shop.lock:
            self.shop.accepted[kind][pk] = submission or ""

    def lines(self, fields: dict, count: int, quantity, extra=None) -> list[str]:
        """Fill ``count`` lines of a "lines" formset with distinct hot products, as
        the page's "add line" button would (TOTAL_FORMS grows when needed)."""
        skus = self.rng.sample(self.shop.hot_skus, count)
        total = int(fields.get("lines-TOTAL_FORMS") or 0)
        fields["lines-TOTAL_FORMS"] = str(max(total, count))
        for i, sku in enumerate(skus):
            fields[f"lines-{i}-product"] = sku
            fields[f"lines-{i}-quantity"] = str(quantity())
            if extra:
                extra(fields, i)
        return skus

    def think(self, low: float, high: float, deadline: float) -> None:
        time.sleep(
            max(0.0, min(self.rng.uniform(low, high), deadline - time.perf_counter()))
        )

    # --- clerks -----------------------------------------------------------------------

    def retail_sale(self):
        """A sale at the counter as a clerk makes it: scan each product (once per
        piece), then pay in cash (sometimes with a double click on 收款); a refused
        sale is cleared from the screen. The sale's shipment is read from the
        sale's page, as a clerk opening it would."""
        _loc, html = self.get("counter: page", "/counter/")
        token = dict(self.client.form_fields(html)).get("csrfmiddlewaretoken", "")
        for sku in self.rng.sample(self.shop.hot_skus, self.rng.choice((1, 1, 2))):
            for _piece in range(self.rng.randint(1, 3)):
                self.post(
                    "counter: scan",
                    "/counter/scan/",
                    {"csrfmiddlewaretoken": token, "code": sku},
                )
        fields = {
            "csrfmiddlewaretoken": token,
            "submission": str(uuid.uuid4()),
            "cash": "5000",
        }
        double = self.rng.random() < DOUBLE_SUBMIT
        _location, page = self.post(
            "counter: pay", "/counter/pay/", fields, double=double
        )
        errors, successes = page_messages(page)
        slip = LAST_SLIP.search(page.decode("utf-8", "replace"))
        if successes and not errors and slip:
            order = int(slip[1])
            self.accepted("retail sale", "retail", order, fields["submission"])
            _loc, sale = self.get("counter: sale page", f"/sales/orders/{order}/")
            for shipment in SHIPMENT_LINK.findall(sale.decode("utf-8", "replace")):
                self.shop.pool_add(self.shop.shipments, int(shipment))
        else:
            self.refused("retail sale", page, "retail", fields["submission"])
            self.post(
                "counter: clear", "/counter/clear/", {"csrfmiddlewaretoken": token}
            )

    def customer_payment(self):
        """收款: a customer pays part of what they owe (or in advance), from the
        customer's money page, oldest documents first."""
        if not self.shop.customers:
            return
        customer = self.rng.choice(self.shop.customers)
        _loc, page = self.get("payment: customer", f"/finance/customers/{customer}/")
        link = re.search(rb'id="record-payment" href="([^"]+)"', page)
        if not link:
            self.shop.fail("soak script error", f"no payment link for {customer}")
            return
        path = link[1].decode().replace("&amp;", "&")
        _loc, html = self.get("payment: form", path)
        fields = dict(self.client.form_fields(html))
        accounts = re.findall(rb'<option value="(\d+)"', html)
        fields.update(
            account=self.rng.choice(accounts).decode() if accounts else "",
            amount=str(self.rng.randint(1, 200)),
            note="soak",
        )
        double = self.rng.random() < DOUBLE_SUBMIT
        location, page = self.post(
            "payment: post", "/finance/collections/new/", fields, double=double
        )
        match = re.fullmatch(r"/finance/payments/(\d+)/", location or "")
        if match:
            self.accepted(
                "customer payment", "payment", int(match[1]), fields["submission"]
            )
        else:
            self.refused("customer payment", page, "payment", fields["submission"])

    def sales_order(self):
        if len(self.shop.open_orders) > 40:  # clear the backlog first
            return self.ship_order()
        _loc, html = self.get("order: form", "/sales/orders/new/")
        fields = dict(self.client.form_fields(html))
        self.lines(fields, self.rng.randint(1, 3), lambda: self.rng.randint(1, 4))
        fields.update(
            customer=str(self.rng.choice(self.shop.customers)),
            warehouse=str(self.shop.warehouse_id),
        )
        location, page = self.post("order: save draft", "/sales/orders/new/", fields)
        match = re.fullmatch(r"/sales/orders/(\d+)/", location or "")
        if not match:
            return self.refused("sales order", page, "order", fields["submission"])
        pk = int(match[1])
        self.accepted("sales order", "order", pk, fields["submission"])
        confirm = f"/sales/orders/{pk}/confirm/"
        fields = dict(self.client.form_fields(page, action=confirm))
        status, location, content = self.call(
            "order: confirm", "POST", confirm, list(fields.items())
        )
        if status == 200:  # the shortage panel: reduce or backorder
            errors, _ = page_messages(content)
            self.shop.outcome("confirm", "shortage panel")
            if not errors:
                self.shop.fail("refusal without a message", f"confirm {pk}")
            fields = dict(self.client.form_fields(content, action=confirm))
            choice = "backorder" if self.rng.random() < 0.4 else "reduce"
            fields["on_shortage"] = choice
            status, location, content = self.call(
                f"order: confirm ({choice})", "POST", confirm, list(fields.items())
            )
        if status != 302:
            self.shop.fail("unexpected status", f"confirm {pk}: {status} twice")
            return None
        page = self.follow(location)
        errors, successes = page_messages(page)
        if errors or not successes:
            return self.refused("confirm", page, "confirm", None)
        self.shop.outcome("confirm", "accepted")
        if self.rng.random() < 0.5:
            return self.ship_order(pk)
        self.shop.pool_add(self.shop.open_orders, pk)
        return None

    def ship_order(self, pk: int | None = None):
        pool = self.shop.open_orders
        if pk is None:
            # Mostly take an order off the pool; sometimes leave it there, so two
            # clerks may ship the same order at once.
            pk = self.shop.pool_take(pool, self.rng, keep=self.rng.random() < 0.15)
            if pk is None:
                return self.shop.outcome("ship order", "nothing to do")
        path = f"/sales/shipments/new/?order={pk}"
        location, page = self.get("ship: form", path)
        if location:  # the order is no longer open
            self.shop.pool_drop(pool, pk)
            return self.refused("ship order", page, "shipment", None)
        fields = dict(self.client.form_fields(page))
        rows = SHIP_ROW.findall(page.decode("utf-8", "replace"))
        if len(rows) != sum(1 for name in fields if name.startswith("ship_")):
            raise RuntimeError("the shipment form's table is not as expected")
        wanted = {name: Decimal(value or 0) for _rest, name, value in rows}
        remaining = {name: Decimal(rest.replace(",", "")) for rest, name, _v in rows}
        if not any(wanted.values()) and self.rng.random() < 0.85:
            # Nothing available for this order yet (a backorder): later.
            self.shop.pool_add(pool, pk)
            return self.shop.outcome("ship order", "nothing available yet")
        double = self.rng.random() < DOUBLE_SUBMIT
        location, page = self.post("ship: post", path, fields, double=double)
        match = re.fullmatch(r"/sales/shipments/(\d+)/", location or "")
        if match:
            shipment = int(match[1])
            self.accepted("ship order", "shipment", shipment, fields["submission"])
            self.shop.pool_add(self.shop.shipments, shipment)
            if any(wanted[name] < remaining[name] for name in wanted):
                self.shop.pool_add(pool, pk)  # more to ship later
        else:
            self.shop.pool_add(pool, pk)
            self.refused("ship order", page, "shipment", fields["submission"])
        return None

    def receipt(self):
        path = "/purchasing/receipts/new/"
        _loc, html = self.get("receipt: form", path)
        fields = dict(self.client.form_fields(html))

        def rejected(fields, i):
            if self.rng.random() < 0.1:
                fields[f"lines-{i}-rejected_quantity"] = "1"
                fields[f"lines-{i}-reject_reason"] = "包装破损"
                if self.rng.random() < 0.3:  # all of this line rejected: no move
                    fields[f"lines-{i}-quantity"] = ""

        self.lines(
            fields, self.rng.randint(1, 2), lambda: self.rng.randint(2, 8), rejected
        )
        fields.update(
            supplier=str(self.rng.choice(self.shop.suppliers)),
            warehouse=str(self.shop.warehouse_id),
        )
        double = self.rng.random() < DOUBLE_SUBMIT
        location, page = self.post("receipt: post", path, fields, double=double)
        match = re.fullmatch(r"/purchasing/receipts/(\d+)/", location or "")
        if match:
            self.accepted("receipt", "receipt", int(match[1]), fields["submission"])
        else:
            self.refused("receipt", page, "receipt", fields["submission"])

    def sales_return(self):
        shipment = self.shop.pool_take(self.shop.shipments, self.rng, keep=True)
        if shipment is None:
            return self.shop.outcome("sales return", "nothing to do")
        path = f"/sales/returns/new/?shipment={shipment}"
        location, page = self.get("return: form", path)
        if location:  # cancelled meanwhile
            self.shop.pool_drop(self.shop.shipments, shipment)
            return self.refused("sales return", page, "return", None)
        fields = dict(self.client.form_fields(page))
        names = [name for name in fields if name.startswith("return_")]
        if not names:
            self.shop.pool_drop(self.shop.shipments, shipment)
            return self.shop.outcome("sales return", "nothing left to return")
        fields[self.rng.choice(names)] = "2" if self.rng.random() < 0.1 else "1"
        fields["reason"] = "客户退货"
        double = self.rng.random() < DOUBLE_SUBMIT
        location, page = self.post("return: post", path, fields, double=double)
        match = re.fullmatch(r"/sales/returns/(\d+)/", location or "")
        if match:
            self.accepted("sales return", "return", int(match[1]), fields["submission"])
        else:
            self.refused("sales return", page, "return", fields["submission"])
        return None

    def stock_lookup(self):
        path = self.rng.choice(
            [
                "/inventory/",
                f"/catalog/products/?q={self.rng.choice(self.shop.hot_skus)}",
                "/sales/shipments/",
            ]
        )
        self.get("clerk: lookup", path)
        self.shop.outcome("stock lookup", "read")

    # --- owners -----------------------------------------------------------------------

    def read(self, action, path, export=False):
        _loc, content = self.get(f"owner: {action}", path)
        if export and not content.startswith(b"PK"):
            self.shop.fail("export is not a workbook", f"{path}: {content[:80]!r}")
        self.shop.outcome(action, "read")

    def cancel_shipment(self):
        pk = self.shop.pool_take(self.shop.shipments, self.rng)
        if pk is None:
            return self.shop.outcome("cancel shipment", "nothing to do")
        _loc, page = self.get("owner: shipment page", f"/sales/shipments/{pk}/")
        cancel = f"/sales/shipments/{pk}/cancel/"
        if cancel.encode() not in page:
            return self.shop.outcome("cancel shipment", "already cancelled")
        order = ORDER_LINK.search(page.decode("utf-8", "replace"))
        fields = dict(self.client.form_fields(page, action=cancel))
        fields["reason"] = "客户取消"
        status, location, _content = self.call(
            "owner: cancel shipment", "POST", cancel, list(fields.items())
        )
        page = self.follow(location)
        errors, successes = page_messages(page)
        if successes and not errors:
            self.shop.outcome("cancel shipment", "accepted")
            with self.shop.lock:
                self.shop.cancelled_shipments.add(pk)
            if order:  # an order waits for those goods again
                self.shop.pool_add(self.shop.open_orders, int(order[1]))
        else:
            self.shop.pool_add(self.shop.shipments, pk)
            self.refused("cancel shipment", page, "cancel", None)
        return None

    def end_order(self):
        pk = self.shop.pool_take(self.shop.open_orders, self.rng)
        if pk is None:
            return self.shop.outcome("end order", "nothing to do")
        _loc, page = self.get("owner: order page", f"/sales/orders/{pk}/")
        end = f"/sales/orders/{pk}/end/"
        if end.encode() not in page:
            return self.shop.outcome("end order", "already ended or shipped")
        fields = dict(self.client.form_fields(page, action=end))
        fields["reason"] = "客户不要了"
        _status, location, _content = self.call(
            "owner: end order", "POST", end, list(fields.items())
        )
        page = self.follow(location)
        errors, successes = page_messages(page)
        if successes and not errors:
            self.shop.outcome("end order", "accepted")
            with self.shop.lock:
                self.shop.ended_orders.add(pk)
        else:
            self.shop.pool_add(self.shop.open_orders, pk)
            self.refused("end order", page, "end", None)
        return None

    # --- the loop ---------------------------------------------------------------------

    def work(self, deadline: float, owner: bool) -> None:
        table = OWNER_ACTIONS if owner else CLERK_ACTIONS
        names, weights = list(table), list(table.values())
        handlers = {
            "retail sale": self.retail_sale,
            "sales order": self.sales_order,
            "ship order": self.ship_order,
            "receipt": self.receipt,
            "sales return": self.sales_return,
            "stock lookup": self.stock_lookup,
            "customer payment": self.customer_payment,
            "dashboard": lambda: self.read("dashboard", "/"),
            "summary": lambda: self.read("summary", "/reports/summary/"),
            "stock overview": lambda: self.read("stock overview", "/inventory/"),
            "summary export": lambda: self.read(
                "summary export", "/reports/summary/export/", export=True
            ),
            "stock export": lambda: self.read(
                "stock export", "/inventory/export/", export=True
            ),
            "product export": lambda: self.read(
                "product export", "/catalog/products/export/", export=True
            ),
            "cancel shipment": self.cancel_shipment,
            "end order": self.end_order,
        }
        while time.perf_counter() < deadline:
            action = self.rng.choices(names, weights)[0]
            began = time.perf_counter()
            try:
                handlers[action]()
            except Broken:
                self.shop.outcome(action, "failed request")
            except Exception as error:  # a defect of this script: say so, go on
                self.shop.fail("soak script error", f"{action}: {error!r}")
                self.shop.outcome(action, "script error")
            else:
                self.shop.actions.add(action, time.perf_counter() - began)
            if owner:
                self.think(0.5, 2.0, deadline)
            else:
                self.think(0.05, 0.5, deadline)


# --- setup and audit (in this process, through the ORM) -----------------------------


def setup(owner, *, start_stock: Decimal) -> dict:
    """A second owner, the hot set brought down to ``start_stock`` each by an
    adjustment, and what the clients pick from."""
    from accounts import services as account_services
    from accounts.roles import OWNER
    from bench.dataset import PASSWORD
    from catalog.models import Customer, Product, Supplier, Warehouse
    from inventory.documents import AdjustmentInput, adjustment_post
    from inventory.models import AdjustmentReason, StockLevel

    account_services.user_create(username=SECOND_OWNER, password=PASSWORD, role=OWNER)
    warehouse = Warehouse.objects.get(is_default=True)
    hot = list(Product.objects.order_by("pk")[1 : HOT + 1])  # not the 100k-move card
    levels = {
        level.product_id: level.on_hand
        for level in StockLevel.objects.filter(warehouse=warehouse, product__in=hot)
    }
    lines = []
    for product in hot:
        change = start_stock - levels.get(product.pk, Decimal(0))
        if change:
            reason = AdjustmentReason.LOST if change < 0 else AdjustmentReason.FOUND
            lines.append(AdjustmentInput(product, change, reason, "soak"))
    if lines:
        adjustment_post(
            warehouse=warehouse, lines=lines, note="soak: hot set", user=owner
        )
    return {
        "warehouse_id": warehouse.pk,
        "hot": {product.sku: product.pk for product in hot},
        "customers": list(
            Customer.objects.filter(is_active=True)
            .exclude(code="RETAIL")
            .order_by("pk")
            .values_list("pk", flat=True)[:50]
        ),
        "suppliers": list(
            Supplier.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:20]
        ),
    }


def high_water() -> dict:
    """The last id of every table the soak writes, before it starts."""
    from django.db.models import Max

    from inventory.models import StockMove
    from purchasing.models import GoodsReceipt
    from sales.models import SalesOrder, SalesReturn, Shipment

    return {
        model.__name__: model.objects.aggregate(m=Max("pk"))["m"] or 0
        for model in (StockMove, GoodsReceipt, SalesOrder, SalesReturn, Shipment)
    }


class Sampler(threading.Thread):
    """Every few seconds: on hand and reserved of the hot set (how close to empty)."""

    def __init__(self, product_ids, warehouse_id, every: float):
        super().__init__(daemon=True)
        self.product_ids = product_ids
        self.warehouse_id = warehouse_id
        self.every = every
        self.stop = threading.Event()
        self.samples: list[tuple[float, int, int]] = []  # (on hand, free, at zero)

    def run(self):
        from django.db import connection

        from inventory.models import StockLevel

        try:
            while not self.stop.wait(self.every):
                levels = list(
                    StockLevel.objects.filter(
                        warehouse_id=self.warehouse_id, product_id__in=self.product_ids
                    ).values_list("on_hand", "reserved")
                )
                on_hand = sum(level[0] for level in levels)
                free = sum(max(level[0] - level[1], 0) for level in levels)
                empty = sum(1 for level in levels if level[0] - level[1] <= 0)
                self.samples.append((float(on_hand), float(free), empty))
        finally:
            connection.close()

    def summary(self) -> dict:
        if not self.samples:
            return {}
        free = [s[1] for s in self.samples]
        return {
            "samples": len(self.samples),
            "on_hand_mean": round(sum(s[0] for s in self.samples) / len(free), 1),
            "free_min": min(free),
            "free_mean": round(sum(free) / len(free), 1),
            "free_max": max(free),
            "share_of_samples_with_a_sold_out_product": round(
                sum(1 for s in self.samples if s[2]) / len(free), 2
            ),
            "mean_sold_out_products": round(
                sum(s[2] for s in self.samples) / len(free), 1
            ),
        }


ZERO = Decimal(0)


def _by_product(queryset, field="quantity") -> dict:
    return dict(
        queryset.values("product_id")
        .annotate(q=Sum(field))
        .values_list("product_id", "q")
        .order_by()
    )


def audit_balances(before, opening, hot, warehouse_id) -> tuple[list, dict]:
    """No oversell: per hot product on hand = opening + received + returned −
    shipped (posted documents) = opening + the ledger's moves; nothing negative,
    reserved within on hand, no move outside the hot set."""
    from inventory.models import StockLevel, StockMove
    from purchasing.models import GoodsReceiptLine
    from sales.models import SalesReturnLine, ShipmentLine

    posted = "posted"
    shipped = _by_product(
        ShipmentLine.objects.filter(
            shipment__pk__gt=before["Shipment"], shipment__status=posted
        )
    )
    received = _by_product(
        GoodsReceiptLine.objects.filter(
            receipt__pk__gt=before["GoodsReceipt"], receipt__status=posted
        )
    )
    returned = _by_product(
        SalesReturnLine.objects.filter(
            sales_return__pk__gt=before["SalesReturn"], sales_return__status=posted
        )
    )
    moved = _by_product(
        StockMove.objects.filter(pk__gt=before["StockMove"], warehouse_id=warehouse_id)
    )
    levels = {
        level.product_id: level
        for level in StockLevel.objects.filter(
            warehouse_id=warehouse_id, product_id__in=hot.values()
        )
    }
    per_product, problems = {}, []
    for sku, pk in hot.items():
        level = levels[pk]
        flows = {
            "opening": opening[pk],
            "received": received.get(pk, ZERO),
            "returned": returned.get(pk, ZERO),
            "shipped": shipped.get(pk, ZERO),
        }
        per_product[sku] = {
            **flows,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
        }
        expected = (
            flows["opening"] + flows["received"] + flows["returned"] - flows["shipped"]
        )
        if level.on_hand != expected:
            problems.append(f"{sku}: on hand {level.on_hand}, documents say {expected}")
        if level.on_hand != opening[pk] + moved.get(pk, ZERO):
            problems.append(
                f"{sku}: on hand {level.on_hand}, opening {opening[pk]} + moves "
                f"{moved.get(pk, ZERO)}"
            )
        if level.reserved > level.on_hand:
            problems.append(
                f"{sku}: reserved {level.reserved} > on hand {level.on_hand}"
            )
    problems += [
        f"negative balance {level}"
        for level in StockLevel.objects.filter(Q(on_hand__lt=0) | Q(reserved__lt=0))
    ]
    problems += [
        f"move {pk} leaves a negative balance"
        for pk in StockMove.objects.filter(balance_after__lt=0).values_list(
            "pk", flat=True
        )
    ]
    problems += [
        f"move {pk} outside the hot set"
        for pk in StockMove.objects.filter(pk__gt=before["StockMove"])
        .exclude(warehouse_id=warehouse_id, product_id__in=hot.values())
        .values_list("pk", flat=True)
    ]
    return problems, per_product


def audit_told(shop: Shop, before) -> tuple[list, dict]:
    """Every document a user was told about exists, and nothing else was made; a
    refused submission left nothing; cancellations and ended orders as told."""
    from sales.models import OrderStatus, SalesOrder, Shipment

    problems = []
    counter_shipments = set(
        Shipment.objects.filter(order_id__in=list(shop.accepted["retail"])).values_list(
            "pk", flat=True
        )
    )
    told = {
        "Shipment": counter_shipments | set(shop.accepted["shipment"]),
        "GoodsReceipt": set(shop.accepted["receipt"]),
        "SalesReturn": set(shop.accepted["return"]),
        "SalesOrder": set(shop.accepted["order"]),
    }
    for name, model in documents().items():
        made = model.objects.filter(pk__gt=before[name])
        if model is SalesOrder:  # counter sales are counted with their shipment
            made = made.filter(is_retail=False)
        made = set(made.values_list("pk", flat=True))
        problems += [f"{name} {pk}: told saved, missing" for pk in told[name] - made]
        problems += [f"{name} {pk}: saved, nobody told" for pk in made - told[name]]
    retail = set(
        SalesOrder.objects.filter(
            pk__gt=before["SalesOrder"], is_retail=True
        ).values_list("pk", flat=True)
    )
    problems += [
        f"counter sale {pk}: told sold, missing"
        for pk in set(shop.accepted["retail"]) - retail
    ]
    problems += [
        f"counter sale {pk}: saved, nobody told"
        for pk in retail - set(shop.accepted["retail"])
    ]
    if len(counter_shipments) != len(shop.accepted["retail"]):
        problems.append(
            f"{len(counter_shipments)} counter shipments for "
            f"{len(shop.accepted['retail'])} counter sales"
        )
    for kind, model in (
        ("retail", SalesOrder),
        ("order", SalesOrder),
        ("shipment", Shipment),
        ("receipt", documents()["GoodsReceipt"]),
        ("return", documents()["SalesReturn"]),
    ):
        refused = shop.refused[kind] - set(shop.accepted[kind].values())
        problems += [
            f"refused {kind} submission left {number}"
            for number in model.objects.filter(submission__in=refused).values_list(
                "number", flat=True
            )
        ]
    cancelled = set(
        Shipment.objects.filter(
            pk__gt=before["Shipment"], status="cancelled"
        ).values_list("pk", flat=True)
    )
    if cancelled != shop.cancelled_shipments:
        problems.append(
            f"cancelled shipments {sorted(cancelled ^ shop.cancelled_shipments)[:10]} "
            "are not the ones the owners cancelled"
        )
    problems += [
        f"order {pk} ended, but {status}"
        for pk, status in SalesOrder.objects.filter(pk__in=shop.ended_orders)
        .exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.CLOSED])
        .values_list("pk", "status")
    ]
    figures = {name: len(ids) for name, ids in told.items()}
    figures["counter sales"] = len(shop.accepted["retail"])
    figures["shipments cancelled"] = len(shop.cancelled_shipments)
    figures["orders ended"] = len(shop.ended_orders)
    return problems, figures


def documents() -> dict:
    from purchasing.models import GoodsReceipt
    from sales.models import SalesOrder, SalesReturn, Shipment

    return {
        "Shipment": Shipment,
        "GoodsReceipt": GoodsReceipt,
        "SalesReturn": SalesReturn,
        "SalesOrder": SalesOrder,
    }


def audit_moves(before) -> tuple[list, int]:
    """Each posted shipment, receipt and return has exactly one move per line (of
    its quantity, signed); a cancelled one also exactly one reversal per line; no
    move names a document that does not exist."""
    from django.contrib.contenttypes.models import ContentType

    from inventory.models import StockMove
    from purchasing.models import GoodsReceipt, GoodsReceiptLine
    from sales.models import SalesReturn, SalesReturnLine, Shipment, ShipmentLine

    problems, counted = [], 0
    for name, model, line_model, parent, sign in (
        ("Shipment", Shipment, ShipmentLine, "shipment", -1),
        ("GoodsReceipt", GoodsReceipt, GoodsReceiptLine, "receipt", 1),
        ("SalesReturn", SalesReturn, SalesReturnLine, "sales_return", 1),
    ):
        statuses = dict(
            model.objects.filter(pk__gt=before[name]).values_list("pk", "status")
        )
        lines = defaultdict(dict)
        for pk, document, quantity in line_model.objects.filter(
            **{f"{parent}__pk__gt": before[name]}
        ).values_list("pk", f"{parent}_id", "quantity"):
            lines[document][pk] = quantity
        moves = defaultdict(list)
        for document, line, quantity, reversal in StockMove.objects.filter(
            source_type=ContentType.objects.get_for_model(model),
            source_id__gt=before[name],
        ).values_list("source_id", "source_line", "quantity", "is_reversal"):
            moves[document].append((line, quantity, reversal))
        problems += [
            f"{name} {pk}: moves without a document"
            for pk in set(moves) - set(statuses)
        ]
        for pk, status in statuses.items():
            counted += 1
            expect = [
                (line, sign * quantity, False)
                for line, quantity in lines[pk].items()
                if quantity > 0  # a receipt line rejected whole moves nothing
            ]
            if status == "cancelled":
                expect += [(line, -quantity, True) for line, quantity, _r in expect]
            if sorted(moves.get(pk, [])) != sorted(expect):
                problems.append(
                    f"{name} {pk} ({status}): moves {sorted(moves.get(pk, []))}, "
                    f"expected {sorted(expect)}"
                )
    return problems, counted


def audit_counters(shop: Shop, before, hot, warehouse_id) -> list:
    """Order lines' shipped and reserved, shipment lines' returned agree with the
    documents; the balances' reserved with the open orders; numbers unique."""
    from inventory.models import StockLevel
    from sales.models import (
        OPEN_STATUSES,
        SalesOrderLine,
        SalesReturnLine,
        ShipmentLine,
    )

    problems = []
    shipped = dict(
        ShipmentLine.objects.filter(shipment__status="posted")
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
        .values_list("order_line_id", "q")
    )
    for line in SalesOrderLine.objects.filter(
        order__pk__gt=before["SalesOrder"]
    ).select_related("order"):
        if line.shipped_quantity != shipped.get(line.pk, ZERO):
            problems.append(f"order line {line.pk}: shipped {line.shipped_quantity}")
        if line.shipped_quantity > line.quantity:
            problems.append(f"order line {line.pk}: shipped more than ordered")
        if line.order.status not in OPEN_STATUSES and line.reserved_quantity:
            problems.append(f"order line {line.pk}: {line.order.status}, reserved")
        if line.reserved_quantity > line.quantity - line.shipped_quantity:
            problems.append(f"order line {line.pk}: reserved more than is left")
    returned = dict(
        SalesReturnLine.objects.filter(sales_return__status="posted")
        .values("shipment_line_id")
        .annotate(q=Sum("quantity"))
        .values_list("shipment_line_id", "q")
    )
    for line in ShipmentLine.objects.filter(shipment__pk__gt=before["Shipment"]):
        if line.returned_quantity != returned.get(line.pk, ZERO):
            problems.append(
                f"shipment line {line.pk}: returned {line.returned_quantity}"
            )
        if line.returned_quantity > line.quantity:
            problems.append(f"shipment line {line.pk}: returned more than shipped")
    reserved = _by_product(
        SalesOrderLine.objects.filter(
            order__status__in=OPEN_STATUSES, order__warehouse_id=warehouse_id
        ),
        "reserved_quantity",
    )
    for product_id, level_reserved in StockLevel.objects.filter(
        warehouse_id=warehouse_id, product_id__in=hot.values()
    ).values_list("product_id", "reserved"):
        if level_reserved != reserved.get(product_id, ZERO):
            problems.append(
                f"product {product_id}: reserved {level_reserved}, open orders "
                f"{reserved.get(product_id, ZERO)}"
            )
    for model in documents().values():
        problems += [
            f"{model.__name__} number {row['number']} × {row['n']}"
            for row in model.objects.values("number")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        ]
    if shop.doubles["two documents"]:
        problems.append(f"{shop.doubles['two documents']} double submits posted twice")
    return problems


def audit(shop: Shop, before: dict, opening: dict, hot: dict, warehouse_id) -> dict:
    """Check the database against what the clients were told:
    {check: {"ok": bool, "problems": [...] when not, figures}}."""
    from inventory.checks import (
        negative_running_balances,
        product_stock_drift,
        snapshot_drift,
    )
    from inventory.selectors import stock_drift

    checks: dict = {}

    def check(name, problems, **figures):
        checks[name] = {"ok": not problems, **figures}
        if problems:
            checks[name]["problems"] = [str(p) for p in problems[:10]]
            checks[name]["problem_count"] = len(problems)

    for name, kind in (
        ("no 5xx", "5xx"),
        ("no dropped connection", "dropped connection"),
        ("no unexpected status", "unexpected status"),
        ("every refusal showed a message", "refusal without a message"),
        ("exports are workbooks", "export is not a workbook"),
        ("soak script ran cleanly", "soak script error"),
    ):
        check(name, shop.failures.get(kind, []))
    problems, per_product = audit_balances(before, opening, hot, warehouse_id)
    check("no oversell (documents = ledger = balances)", problems, hot_set=per_product)
    check(
        "check_stock clean",
        [str(drift) for drift in stock_drift()]
        + [str(drift) for drift in snapshot_drift()]
        + [str(run) for run in negative_running_balances()]
        + [str(drift) for drift in product_stock_drift()],
    )
    problems, told = audit_told(shop, before)
    check("every accepted document exists, nothing else", problems, told=told)
    problems, counted = audit_moves(before)
    check("every document's moves exactly once", problems, documents=counted)
    check(
        "counters, reservations and numbers agree",
        audit_counters(shop, before, hot, warehouse_id),
        double_submits=dict(shop.doubles),
    )
    from finance.checks import money_problems
    from finance.models import Payment

    check("check_money clean", money_problems())
    told = set(shop.accepted["payment"])
    made = set(Payment.objects.filter(note="soak").values_list("pk", flat=True))
    check(
        "every customer payment told exists, nothing else",
        [f"payment {pk}: told saved, missing" for pk in told - made]
        + [f"payment {pk}: saved, nobody told" for pk in made - told],
        payments=len(told),
    )
    return checks


def gunicorn_log(path: Path) -> dict:
    text = path.read_text(errors="replace") if path.exists() else ""
    lines = text.splitlines()
    bad = [
        line
        for line in lines
        if re.search(
            r"Traceback|\[ERROR\]|\[CRITICAL\]|WORKER TIMEOUT|Internal Server Error",
            line,
        )
    ]
    not_saved = [line for line in lines if "not saved" in line]
    return {
        "lines": len(lines),
        "alarming": len(bad),
        "not_saved_warnings": len(not_saved),
        "not_saved": not_saved[:10],  # postings that gave up: which error
        "first_alarming": bad[:10],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_MINUTES} minutes")
    parser.add_argument("--minutes", type=float, default=None, help="default 10")
    parser.add_argument("--seed", type=int, default=20261126)
    options = parser.parse_args()
    quick = options.quick
    minutes = options.minutes or (QUICK_MINUTES if quick else 10.0)
    default_db = "jxc_soak_quick" if quick else "jxc_soak"
    url = os.environ.get(
        "SOAK_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_db}"
    )
    production_environment(url)
    started = time.perf_counter()
    started_at = time.strftime("%Y-%m-%d %H:%M:%S %z")
    load_before = os.getloadavg()
    database_reset(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone, translation

    from bench import dataset, pages
    from bench.dataset import PASSWORD
    from inventory.models import StockLevel
    from inventory.selectors import stock_drift

    translation.activate("zh-hans")
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    shop_data = dataset.shop_create(dataset.QUICK, today=today)
    owner, _clerks = shop_data.pop("owner"), shop_data.pop("clerks")
    assert not stock_drift(), "check_stock after loading the shop"
    picked = setup(owner, start_stock=START_STOCK)
    hot = picked["hot"]
    warehouse_id = picked["warehouse_id"]
    opening = {
        level.product_id: level.on_hand
        for level in StockLevel.objects.filter(
            warehouse_id=warehouse_id, product_id__in=hot.values()
        )
    }
    before = high_water()
    prepared_s = time.perf_counter() - started
    print(
        f"shop {shop_data['products']} products, {shop_data['moves']} moves; "
        f"hot set {', '.join(hot)} at {START_STOCK} each; ready in {prepared_s:.0f} s",
        flush=True,
    )

    workers = 2 * (os.cpu_count() or 1) + 1
    log = Path(tempfile.mkdtemp(prefix="jxc-soak-")) / "gunicorn.log"
    os.environ["GUNICORN_CMD_ARGS"] = f"--error-logfile {log} --capture-output"
    connections.close_all()
    server, base = pages.gunicorn_start(url, workers)
    del os.environ["GUNICORN_CMD_ARGS"]
    shop = Shop(
        base=base,
        warehouse_id=warehouse_id,
        hot_skus=list(hot),
        customers=picked["customers"],
        suppliers=picked["suppliers"],
        seed=options.seed,
    )
    sampler = Sampler(list(hot.values()), warehouse_id, every=2.0 if quick else 5.0)
    seconds = minutes * 60

    people: list = [None] * (CLERKS + OWNERS)

    def sign_in(index, _deadline):
        if index >= CLERKS:
            username = "bench-owner" if index == CLERKS else SECOND_OWNER
        else:
            username = f"bench-clerk{index + 1:02d}"
        try:
            people[index] = Person(shop, username, PASSWORD, index)
        except Exception as error:
            shop.fail("soak script error", f"sign-in of {username}: {error!r}")

    def body(index, deadline):
        if people[index] is not None:
            people[index].work(deadline, index >= CLERKS)

    try:
        # Everybody signs in first (password hashing is slow on purpose); the
        # clock starts when the shop opens.
        signed_in_s = run_clients(CLERKS + OWNERS, 0, sign_in)
        print(
            f"{CLERKS} clerks and {OWNERS} owners signed in ({signed_in_s:.0f} s); "
            f"working for {minutes:g} min on {base} ({workers} workers)",
            flush=True,
        )
        sampler.start()
        wall = run_clients(CLERKS + OWNERS, seconds, body)
    finally:
        sampler.stop.set()
        if sampler.is_alive():
            sampler.join(30)
        server.terminate()
        server.wait(60)
    gunicorn = gunicorn_log(log)
    if gunicorn["alarming"]:
        gunicorn["path"] = str(log)  # kept for reading
    else:
        shutil.rmtree(log.parent, ignore_errors=True)

    checks = audit(shop, before, opening, hot, warehouse_id)
    checks["gunicorn log clean"] = {
        "ok": not gunicorn["alarming"],
        **({"problems": gunicorn["first_alarming"]} if gunicorn["alarming"] else {}),
    }
    requests = shop.requests.summary(seconds)
    actions = shop.actions.summary(seconds)
    results = {
        "date": today.isoformat(),
        "started_at": started_at,
        "quick": quick,
        "minutes": minutes,
        "wall_s": round(wall, 1),
        "sign_in_s": round(signed_in_s, 1),
        "database": f"PostgreSQL {connection.pg_version // 10000}",
        "machine": machine(),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout.strip(),
        "users": {"clerks": CLERKS, "owners": OWNERS, "gunicorn_workers": workers},
        "data": {**shop_data, "hot_set": list(hot), "start_stock": START_STOCK},
        "outcomes": {
            name: dict(counts) for name, counts in sorted(shop.outcomes.items())
        },
        "refusal_reasons": {
            name: dict(counts.most_common(8))
            for name, counts in sorted(shop.reasons.items())
        },
        "actions": actions,
        "requests": requests,
        "sign_ins": shop.sign_ins.summary(signed_in_s).get("sign-in", {}),
        "statuses": {
            name: {str(k): v for k, v in sorted(counts.items(), key=str)}
            for name, counts in sorted(shop.statuses.items())
        },
        "hot_stock": sampler.summary(),
        "double_submits": dict(shop.doubles),
        "gunicorn_log": gunicorn,
        "checks": checks,
        "failures": {k: v[:10] for k, v in shop.failures.items()},
    }
    results["total_s"] = round(time.perf_counter() - started, 1)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    name = f"soak-{today.isoformat()}{'-quick' if quick else ''}.json"
    (out / name).write_text(
        json.dumps(results, indent=2, ensure_ascii=False, default=str)
    )
    report(results)
    print(f"wrote bench/results/{name} in {results['total_s']} s")
    failed = [check for check, value in checks.items() if not value["ok"]]
    if failed:
        sys.exit(f"soak failed: {', '.join(failed)}")


def report(results: dict) -> None:
    """The summary on the terminal: actions (timed whole, from the first GET to
    the page after the redirect), what each step came to, requests, checks."""
    print(f"\n{'action':<17}{'done':>6}{'p50 ms':>9}{'p95 ms':>9}   outcomes per step")
    actions, outcomes = results["actions"], results["outcomes"]
    for name in sorted(set(actions) - {"all"} | set(outcomes)):
        figures = actions.get(name, {"requests": "", "p50_ms": "", "p95_ms": ""})
        told = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.get(name, {}).items()))
        print(
            f"{name:<17}{figures['requests']:>6}{figures['p50_ms']:>9}"
            f"{figures['p95_ms']:>9}   {told}"
        )
    every = results["requests"]["all"]
    statuses = sum((Counter(v) for v in results["statuses"].values()), Counter())
    print(
        f"\n{every['requests']} requests, {every['rps']}/s, p50 {every['p50_ms']} ms, "
        f"p95 {every['p95_ms']} ms; statuses {dict(sorted(statuses.items()))}; "
        f"double submits {results['double_submits']}"
    )
    if results["hot_stock"]:
        print(f"hot set: {results['hot_stock']}")
    for name, reasons in results["refusal_reasons"].items():
        for reason, count in list(reasons.items())[:3]:
            print(f"  {name} refused × {count}: {reason}")
    print()
    for check, value in results["checks"].items():
        print(f"{'PASS' if value['ok'] else 'FAIL'}  {check}")
        for problem in value.get("problems", [])[:5]:
            print(f"      {problem}")


if __name__ == "__main__":
    main()

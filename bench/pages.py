"""Pages under gunicorn: 20 signed-in clients on loopback for a fixed time.

gunicorn runs the production settings (debug off) with 2 × cores + 1 workers on
the benchmark database. Clerks browse the product list and the stock overview,
open every page of the per-page benchmark a clerk may (lists, stock card, order
forms, reorder suggestions) and ship confirmed orders (GET the shipment form,
POST it back as rendered); owners open every page, reports included. Target:
the mix's p95 at most 3× the floor's. The baseline is the same
server answering a static-sized plain page that touches no database (the login
page), so the ratio shows what our pages cost over the framework's floor.
"""

from __future__ import annotations

import os
import random
import secrets
import socket
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from queue import Empty, SimpleQueue

from django.db import connections, transaction
from django.utils import timezone

from bench.dataset import PASSWORD
from bench.load import Client, Recorder, run_clients, timed
from bench.page_times import page_set
from catalog.models import Customer, Product, Warehouse
from inventory.models import StockLevel

# Pages of page_set() only the owner may open (jxc/tests/permission_table.py).
OWNER_ONLY = {
    "adjustment list",
    "monthly summary",
    "turnover",
    "sales analysis",
    "slow movers",
    "price volatility",
    "audit log",
}
# The target: under load, the mix's p95 at most this many times the floor's.
FLOOR_RATIO_TARGET = 3


def orders_prepare(*, count: int, owner) -> list[int]:
    """Confirmed two-line orders through the sales services, ready to ship."""
    from sales.services import SaleLineInput, sales_order_confirm, sales_order_save

    warehouse = Warehouse.objects.get(is_default=True)
    customers = list(Customer.objects.exclude(code="RETAIL").order_by("pk")[:200])
    levels = list(
        StockLevel.objects.filter(warehouse=warehouse, on_hand__gt=40)
        .select_related("product")
        .order_by("product_id")[:2000]
    )
    rng = random.Random(7)
    ids = []
    for i in range(count):
        with transaction.atomic():
            chosen = rng.sample(levels, 2)
            order = sales_order_save(
                customer=customers[i % len(customers)],
                warehouse=warehouse,
                order_date=timezone.localdate(),
                note="",
                lines=[
                    SaleLineInput(product=level.product, quantity=Decimal(1))
                    for level in chosen
                ],
                user=owner,
            )
            sales_order_confirm(order=order, user=owner, on_shortage="reduce")
        ids.append(order.pk)
    return ids


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(database_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "JXC_STATIC_MANIFEST": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    # The web server keeps the web's database time limits (the batch process
    # that starts it runs without them).
    for name in ("JXC_DB_LOCK_TIMEOUT_MS", "JXC_DB_STATEMENT_TIMEOUT_MS"):
        env.pop(name, None)
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "jxc.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def run(
    *, database_url: str, seconds: float, clients: int, orders: list[int], month: date
) -> dict:
    workers = 2 * (os.cpu_count() or 1) + 1
    connections.close_all()
    server, base = gunicorn_start(database_url, workers)
    queue: SimpleQueue = SimpleQueue()
    for order_id in orders:
        queue.put(order_id)
    # The mix: every page of the per-page benchmark (lists, forms, reports);
    # clerks open those a clerk may, owners all of them, and clerks also ship.
    card_product = Product.objects.order_by("pk").first()
    owner_pages = [
        (name, path)
        for name, path, _report in page_set(
            month=month, card_product_id=card_product.pk
        )
    ]
    clerk_pages = [(n, p) for n, p in owner_pages if n not in OWNER_ONLY]
    try:
        # Floor: the same server, a page that needs no database.
        floor = Recorder()

        def floor_body(index, deadline):
            client = Client(base)
            while time.perf_counter() < deadline:
                timed(floor, "login page (floor)", client, "GET", "/login/")

        floor_seconds = run_clients(clients, max(seconds / 4, 3), floor_body)

        recorder = Recorder()

        def body(index, deadline):
            owner = index % 4 == 0
            client = Client(base)
            client.login(
                "bench-owner" if owner else f"bench-clerk{index:02d}", PASSWORD
            )
            rng = random.Random(index)
            pages = owner_pages if owner else clerk_pages
            while time.perf_counter() < deadline:
                if not owner and rng.random() < 0.3:
                    try:
                        order_id = queue.get_nowait()
                    except Empty:
                        continue
                    path = f"/sales/shipments/new/?order={order_id}"
                    _s, _l, html = timed(recorder, "shipment form", client, "GET", path)
                    fields = client.form_fields(html)
                    timed(
                        recorder,
                        "ship (POST)",
                        client,
                        "POST",
                        path,
                        fields,
                        expect=(302,),
                    )
                    continue
                name, path = rng.choice(pages)
                timed(recorder, name, client, "GET", path)

        wall = run_clients(clients, seconds, body)
        result = recorder.summary(seconds)
        result["login page (floor)"] = floor.summary(floor_seconds)[
            "login page (floor)"
        ]
        floor_p95 = result["login page (floor)"]["p95_ms"]
        result["_mix"] = {
            "rps": result["all"]["rps"],
            "p95_ms": result["all"]["p95_ms"],
            "floor_p95_ms": floor_p95,
            "ratio": round(result["all"]["p95_ms"] / max(floor_p95, 0.1), 1),
            "target_ratio": FLOOR_RATIO_TARGET,
        }
        result["_workers"] = workers
        result["_clients"] = clients
        result["_wall_s"] = round(wall, 1)
        errors = {**floor.errors, **recorder.errors}
        result["_first_errors"] = {k: v[:3] for k, v in errors.items()}
        return result
    finally:
        server.terminate()
        server.wait(30)

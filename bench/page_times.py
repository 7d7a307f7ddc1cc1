"""Server time per page, one request at a time: app CPU + database time.

Every page of the page set is requested in this process through Django's test
client (production settings, debug off), signed in as the owner, after one warm-up
request: wall time, the time spent inside database calls (``execute_wrapper``)
and the number of queries, median of ``repeat`` requests. App ms = wall − database.

The baseline for each page is its own SQL run raw: the statements the page sent,
replayed through the same connection's cursor with no Django around them (the
database floor of that page). A report's target is a ratio to that floor; every
page's target is an absolute 50 ms of server time.
"""

from __future__ import annotations

import statistics
import time
from datetime import date

from django.db import connection
from django.test import Client
from django.urls import reverse

TARGET_MS = 50.0
REPORT_RATIO = 1.5


class Recorder:
    """Times every statement a request runs, keeping them for the raw replay."""

    def __init__(self):
        self.seconds = 0.0
        self.statements: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            if not many:
                self.statements.append((sql, params))


def page_set(
    *, month: date, card_product_id: int, closed_month: date | None = None
) -> list[tuple[str, str, bool]]:
    """(name, path, is a report) for every page the issue names, and every list."""
    last_page = "?page=999999"  # paginate() serves the last page for a high number
    month_q = f"?month={month:%Y-%m}"
    pages = [
        ("dashboard", reverse("home"), False),
        ("product list", reverse("catalog:product_list"), False),
        ("supplier list", reverse("catalog:supplier_list"), False),
        ("customer list", reverse("catalog:customer_list"), False),
        ("stock overview", reverse("inventory:stock_overview"), False),
        (
            "stock card, last page",
            reverse("inventory:stock_card", args=[card_product_id]) + last_page,
            False,
        ),
        ("adjustment list", reverse("inventory:adjustment_list"), False),
        ("transfer list", reverse("inventory:transfer_list"), False),
        ("stocktake list", reverse("inventory:stocktake_list"), False),
        ("purchase order list", reverse("purchasing:order_list"), False),
        ("receipt list", reverse("purchasing:receipt_list"), False),
        ("purchase return list", reverse("purchasing:return_list"), False),
        ("purchase order form", reverse("purchasing:order_create"), False),
        ("sales order list", reverse("sales:order_list"), False),
        ("shipment list", reverse("sales:shipment_list"), False),
        ("sales return list", reverse("sales:return_list"), False),
        ("sales order form", reverse("sales:order_create"), False),
        ("counter (收银台)", reverse("counter:index"), False),
        ("monthly summary", reverse("reports:summary") + month_q, True),
        *(
            [
                (
                    "monthly summary, closed month",
                    reverse("reports:summary") + f"?month={closed_month:%Y-%m}",
                    False,
                )
            ]
            if closed_month
            else []
        ),
        ("reorder suggestions", reverse("reports:reorder"), True),
        ("turnover", reverse("reports:turnover"), True),
        ("sales analysis", reverse("reports:sales"), True),
        ("slow movers", reverse("reports:slow"), True),
        ("price volatility", reverse("reports:prices"), True),
        ("audit log", reverse("audit:log"), False),
    ]
    return pages


def _replay(statements) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the driver's own cursor: no Django wrapping
        for sql, params in statements:
            raw.execute(sql, params)
            if raw.description is not None:
                raw.fetchall()
    return time.perf_counter() - started


def measure(client: Client, path: str, repeat: int) -> dict:
    walls, dbs, replays, queries, sizes = [], [], [], [], []
    statuses = set()
    for attempt in range(repeat + 1):
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            started = time.perf_counter()
            response = client.get(path)
            wall = time.perf_counter() - started
        statuses.add(response.status_code)
        if attempt == 0:
            continue  # warm-up: caches, prepared plans, imports
        walls.append(wall)
        dbs.append(recorder.seconds)
        queries.append(len(recorder.statements))
        sizes.append(len(response.content))
        replays.append(_replay(recorder.statements))
    wall_ms = statistics.median(walls) * 1000
    db_ms = statistics.median(dbs) * 1000
    raw_ms = statistics.median(replays) * 1000
    return {
        "server_ms": round(wall_ms, 1),
        "app_ms": round(wall_ms - db_ms, 1),
        "db_ms": round(db_ms, 1),
        "queries": max(queries),
        "raw_sql_ms": round(raw_ms, 1),
        "ratio_to_raw_sql": round(wall_ms / max(raw_ms, 0.05), 2),
        "kb": round(statistics.median(sizes) / 1024, 1),
        "status": sorted(statuses),
    }


def _scan_codes(count: int = 5) -> list[str]:
    """Barcodes of products in stock in the default warehouse, for the scans."""
    from inventory.models import StockLevel

    return list(
        StockLevel.objects.filter(
            warehouse__is_default=True, on_hand__gt=10, product__is_active=True
        )
        .exclude(product__barcode="")
        .order_by("product_id")
        .values_list("product__barcode", flat=True)[:count]
    )


def measure_scan(client: Client, owner, repeat: int) -> dict | None:
    """A scan adds a line (issue 17): the server time of the scan request that puts
    a fifth product on a sale of four, as the counter sends it (htmx), measured
    like a page (median, its own SQL replayed raw as the baseline)."""
    from counter import services

    codes = _scan_codes()
    if len(codes) < 5:
        return None
    walls, dbs, replays, queries, sizes = [], [], [], [], []
    for attempt in range(repeat + 1):
        services.cart_clear(user=owner)
        for code in codes[:4]:
            services.cart_scan(user=owner, code=code)
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            started = time.perf_counter()
            response = client.post(
                reverse("counter:scan"), {"code": codes[4]}, HTTP_HX_REQUEST="true"
            )
            wall = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        if attempt == 0:
            continue
        walls.append(wall)
        dbs.append(recorder.seconds)
        queries.append(len(recorder.statements))
        replays.append(_replay(recorder.statements))
        sizes.append(len(response.content))
    services.cart_clear(user=owner)
    wall_ms = statistics.median(walls) * 1000
    db_ms = statistics.median(dbs) * 1000
    raw_ms = statistics.median(replays) * 1000
    return {
        "server_ms": round(wall_ms, 1),
        "app_ms": round(wall_ms - db_ms, 1),
        "db_ms": round(db_ms, 1),
        "queries": max(queries),
        "raw_sql_ms": round(raw_ms, 1),
        "ratio_to_raw_sql": round(wall_ms / max(raw_ms, 0.05), 2),
        # The htmx fragment the scan answers (make bench's table has a size column).
        "kb": round(statistics.median(sizes) / 1024, 1),
        "report": False,
        "meets_target": wall_ms <= TARGET_MS,
    }


def run(
    *,
    owner,
    month: date,
    card_product_id: int,
    repeat: int = 5,
    closed_month: date | None = None,
) -> dict:
    """Measure every page; {page: figures}, plus how many meet their target."""
    client = Client()
    client.force_login(owner)
    results: dict = {}
    for name, path, report in page_set(
        month=month, card_product_id=card_product_id, closed_month=closed_month
    ):
        figures = measure(client, path, repeat)
        figures["report"] = report
        figures["meets_target"] = figures["server_ms"] <= TARGET_MS or (
            report and figures["ratio_to_raw_sql"] <= REPORT_RATIO
        )
        results[name] = figures
        print(
            f"  {name:28} {figures['server_ms']:8.1f} ms (app {figures['app_ms']:.1f}"
            f" + db {figures['db_ms']:.1f}), {figures['queries']} queries, raw SQL "
            f"{figures['raw_sql_ms']:.1f} ms, {figures['kb']} KB",
            flush=True,
        )
    scan = measure_scan(client, owner, repeat)
    if scan is not None:
        results["counter: a scan adds a line"] = scan
        print(
            f"  {'counter: a scan adds a line':28} {scan['server_ms']:8.1f} ms (app "
            f"{scan['app_ms']:.1f} + db {scan['db_ms']:.1f}), {scan['queries']} "
            f"queries, raw SQL {scan['raw_sql_ms']:.1f} ms",
            flush=True,
        )
    return results

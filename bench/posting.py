"""Posting: 5-line counter sales by N concurrent processes, app vs hand-written SQL.

The app side calls ``sales.services.retail_sale_post``, the service the counter
screen's view calls: a confirmed order, its lines, a shipment and its lines, the
``shipment_posted`` signal, the ledger moves and the balances, numbered. The
baseline makes the same row changes as one hand-written SQL transaction per
document (ordered FOR UPDATE, multi-row INSERTs, one UPDATE ... FROM (VALUES ...)),
the way a pgbench script would. Half the documents take their five lines from the
10 hot products, the rest from the whole catalogue.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from decimal import Decimal

from django.db import connection, connections
from django.utils import timezone

from catalog.models import Customer, Product, Warehouse
from inventory.models import StockLevel

LINES = 5
HOT = 10


def _documents(rng: random.Random, hot: list, cold: list):
    while True:
        pool = hot if rng.random() < 0.5 else cold
        yield [(p, Decimal(rng.randint(1, 3))) for p in rng.sample(pool, LINES)]


def _app_post(user, warehouse, lines):
    from sales.services import SaleLineInput, retail_sale_post

    retail_sale_post(
        warehouse=warehouse,
        lines=[SaleLineInput(product=p, quantity=q) for p, q in lines],
        amount_received=Decimal("10000000"),
        user=user,
    )


class Shortage(Exception):
    pass


def _baseline_post(user, warehouse, lines, customer_id, counter):
    """The same rows as a counter sale, written by hand in one transaction."""
    now = timezone.now()
    day = timezone.localtime(now).date()
    lines = sorted(lines, key=lambda line: line[0].pk)
    ids = [p.pk for p, _q in lines]
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            cursor.execute(
                "SELECT product_id, on_hand, reserved, unit_cost, value "
                "FROM inventory_stocklevel WHERE warehouse_id = %s "
                "AND product_id = ANY(%s) ORDER BY product_id FOR UPDATE",
                [warehouse.pk, ids],
            )
            levels = {row[0]: list(row[1:]) for row in cursor.fetchall()}
            for product, quantity in lines:
                on_hand, reserved = levels[product.pk][0], levels[product.pk][1]
                if on_hand - reserved < quantity:
                    raise Shortage
            amounts = [(q * p.sale_price).quantize(Decimal("0.01")) for p, q in lines]
            total = sum(amounts)
            numbers = []
            for prefix in ("SO", "SH"):
                cursor.execute(
                    "INSERT INTO jxc_documentcounter (prefix, day, last) "
                    "VALUES (%s, %s, 1) ON CONFLICT (prefix, day) "
                    "DO UPDATE SET last = jxc_documentcounter.last + 1 RETURNING last",
                    [prefix + counter, day],
                )
                numbers.append(
                    f"{prefix}{counter}-{day:%Y%m%d}-{cursor.fetchone()[0]:03d}"
                )
            cursor.execute(
                "INSERT INTO sales_salesorder (number, order_date, note, status, "
                "is_retail, total, amount_received, version, created_at, "
                "confirmed_at, close_reason, confirmed_by_id, created_by_id, "
                "customer_id, warehouse_id) VALUES (%s, %s, '', 'shipped', true, "
                "%s, %s, 1, %s, %s, '', %s, %s, %s, %s) RETURNING id",
                [
                    numbers[0],
                    day,
                    total,
                    total,
                    now,
                    now,
                    user.pk,
                    user.pk,
                    customer_id,
                    warehouse.pk,
                ],
            )
            order_id = cursor.fetchone()[0]
            values = ", ".join(["(%s, %s, 0, %s, 0, %s, %s, 0, %s, %s)"] * len(lines))
            params = []
            for (product, quantity), amount in zip(lines, amounts, strict=True):
                params += [
                    quantity,
                    product.sale_price,
                    amount,
                    quantity,
                    amount,
                    order_id,
                    product.pk,
                ]
            cursor.execute(
                "INSERT INTO sales_salesorderline (quantity, unit_price, discount, "
                "amount, reserved_quantity, shipped_quantity, shipped_amount, "
                "returned_quantity, order_id, product_id) VALUES "
                f"{values} RETURNING id",
                params,
            )
            order_lines = [row[0] for row in cursor.fetchall()]
            moves, updates, shipment_lines, cost_total = [], [], [], Decimal(0)
            for (product, quantity), amount in zip(lines, amounts, strict=True):
                on_hand, _reserved, cost, value = levels[product.pk]
                left = on_hand - quantity
                delta = (
                    -value
                    if left == 0
                    else -(quantity * cost).quantize(Decimal("0.01"))
                )
                moves.append((product.pk, -quantity, cost, delta, left, value + delta))
                updates.append((product.pk, left, value + delta))
                shipment_lines.append((quantity, amount, cost, -delta))
                cost_total -= delta
            cursor.execute(
                "INSERT INTO sales_shipment (number, occurred_at, note, status, "
                "total, cost_total, created_at, cancel_reason, created_by_id, "
                "customer_id, order_id, warehouse_id) VALUES (%s, %s, '', "
                "'posted', %s, %s, %s, '', %s, %s, %s, %s) RETURNING id",
                [
                    numbers[1],
                    now,
                    total,
                    cost_total,
                    now,
                    user.pk,
                    customer_id,
                    order_id,
                    warehouse.pk,
                ],
            )
            shipment_id = cursor.fetchone()[0]
            values = ", ".join(["(%s, %s, %s, %s, 0, %s, %s, %s)"] * len(lines))
            params = []
            for (product, _q), line_id, row in zip(
                lines, order_lines, shipment_lines, strict=True
            ):
                params += [*row, line_id, product.pk, shipment_id]
            cursor.execute(
                "INSERT INTO sales_shipmentline (quantity, amount, unit_cost, "
                "cost_amount, returned_quantity, order_line_id, product_id, "
                f"shipment_id) VALUES {values} RETURNING id",
                params,
            )
            shipment_line_ids = [row[0] for row in cursor.fetchall()]
            values = ", ".join(
                [
                    "(%s, %s, %s, %s, %s, 'shipment', %s, %s, %s, false, %s, %s, %s, "
                    "%s, %s, %s)"
                ]
                * len(lines)
            )
            params = []
            for move, line_id in zip(moves, shipment_line_ids, strict=True):
                product_id, quantity, cost, delta, left, value_after = move
                params += [
                    product_id,
                    warehouse.pk,
                    quantity,
                    cost,
                    delta,
                    None,
                    shipment_id,
                    numbers[1],
                    line_id,
                    now,
                    left,
                    value_after,
                    user.pk,
                    now,
                ]
            cursor.execute(
                "INSERT INTO inventory_stockmove (product_id, warehouse_id, "
                "quantity, unit_cost, value, kind, source_type_id, source_id, "
                "source_number, is_reversal, source_line, occurred_at, "
                "balance_after, value_after, created_by_id, created_at) "
                f"VALUES {values}",
                params,
            )
            values = ", ".join(["(%s::bigint, %s::numeric, %s::numeric)"] * len(lines))
            cursor.execute(
                "UPDATE inventory_stocklevel AS l SET on_hand = v.on_hand, "
                "value = v.value, updated_at = now() FROM (VALUES "
                f"{values}) AS v (product_id, on_hand, value) "
                "WHERE l.product_id = v.product_id AND l.warehouse_id = %s",
                [x for row in updates for x in row] + [warehouse.pk],
            )
            # The product's totals, as the posting service keeps them.
            totals: dict[int, list] = {}
            for product_id, quantity, _cost, delta, _left, _after in moves:
                total_row = totals.setdefault(product_id, [Decimal(0), Decimal(0)])
                total_row[0] += quantity
                total_row[1] += delta
            values = ", ".join(
                ["(%s::bigint, %s::numeric, 0, %s::numeric)"] * len(totals)
            )
            cursor.execute(
                "INSERT INTO inventory_productstock AS t (product_id, on_hand, "
                f"reserved, value) VALUES {values} ON CONFLICT (product_id) DO "
                "UPDATE SET on_hand = t.on_hand + EXCLUDED.on_hand, "
                "value = t.value + EXCLUDED.value",
                [x for p in sorted(totals) for x in (p, *totals[p])],
            )
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise


def _worker(args):
    mode, index, seconds, hot_ids, cold_ids, user_id, warehouse_id = args
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    user = get_user_model().objects.get(pk=user_id)
    warehouse = Warehouse.objects.get(pk=warehouse_id)
    customer_id = Customer.objects.get(code="RETAIL").pk
    products = Product.objects.in_bulk(hot_ids + cold_ids)
    rng = random.Random(index)
    documents = _documents(
        rng, [products[i] for i in hot_ids], [products[i] for i in cold_ids]
    )
    latencies, refused, shipped = [], 0, {}
    # Both sides number with their own counters, so neither waits on the other's.
    counter = "B" if mode == "baseline" else ""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        lines = next(documents)
        began = time.perf_counter()
        try:
            if mode == "app":
                _app_post(user, warehouse, lines)
            else:
                _baseline_post(user, warehouse, lines, customer_id, counter)
        except (ValidationError, Shortage):
            refused += 1
            continue
        latencies.append(time.perf_counter() - began)
        for product, quantity in lines:
            shipped[product.pk] = shipped.get(product.pk, 0) + quantity
    connection.close()
    return latencies, refused, shipped


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _top_up(product_ids: list[int], warehouse, user) -> None:
    """Bring the hot products to 100,000 units (a receipt through the posting
    service), so both sides spend the phase posting, not refusing."""
    from inventory.services import MoveLine, stock_moves_post

    levels = StockLevel.objects.filter(warehouse=warehouse, product_id__in=product_ids)
    lines = [
        MoveLine(level.product_id, warehouse.pk, 100_000 - level.on_hand,
                 unit_cost=level.unit_cost)
        for level in levels
        if level.on_hand < 100_000
    ]  # fmt: skip
    if lines:
        stock_moves_post(
            lines=lines, kind="receipt", source=None, occurred_at=timezone.now(),
            user=user,
        )  # fmt: skip


def run(*, mode: str, processes: int, seconds: float, user, warehouse) -> dict:
    """Post for ``seconds`` with ``processes`` workers; check nothing was oversold."""
    products = list(
        StockLevel.objects.filter(warehouse=warehouse, on_hand__gt=50)
        .order_by("product_id")
        .values_list("product_id", flat=True)
    )
    hot, cold = products[:HOT], products[HOT:]
    _top_up(hot, warehouse, user)
    before = dict(
        StockLevel.objects.filter(warehouse=warehouse).values_list(
            "product_id", "on_hand"
        )
    )
    connections.close_all()
    context = multiprocessing.get_context("fork")
    began = time.perf_counter()
    with context.Pool(processes) as pool:
        results = pool.map(
            _worker,
            [
                (mode, i, seconds, hot, cold, user.pk, warehouse.pk)
                for i in range(processes)
            ],
        )
    wall = time.perf_counter() - began
    latencies = [value for result in results for value in result[0]]
    refused = sum(result[1] for result in results)
    shipped: dict[int, Decimal] = {}
    for result in results:
        for product_id, quantity in result[2].items():
            shipped[product_id] = shipped.get(product_id, 0) + quantity
    after = dict(
        StockLevel.objects.filter(warehouse=warehouse).values_list(
            "product_id", "on_hand"
        )
    )
    # Zero oversell: every accepted document's quantity left stock exactly once,
    # and no balance went below zero.
    mismatched = [
        pk for pk in shipped if before[pk] - shipped[pk] != after[pk] or after[pk] < 0
    ]
    return {
        "documents": len(latencies),
        "refused": refused,
        "seconds": round(wall, 2),
        "docs_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "oversold_or_mismatched": len(mismatched),
    }

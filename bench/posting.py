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

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from catalog.models import Customer, Product, Warehouse
from inventory.models import ProductStock, StockLevel, StockMove
from jxc.models import DocumentCounter

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


def _required(model) -> set[str]:
    """The model's columns an INSERT must give (not null, no database default)."""
    return {
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.null and field.db_default is NOT_PROVIDED
    }


def _insert(cursor, model, rows: list[dict], *, returning: bool = True) -> list[int]:
    """INSERT ``rows`` ({field name: value}) into ``model``'s table, with the table
    and column names taken from the model. A field the model requires and the
    baseline does not write stops the benchmark with its name: a schema change
    cannot silently leave the baseline writing less than the app."""
    names = list(rows[0])
    missing = _required(model) - set(names)
    if missing:
        raise RuntimeError(
            f"bench/posting.py's baseline does not write {model.__name__}."
            f"{', '.join(sorted(missing))}: add it to the baseline."
        )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
        + ", ".join([one] * len(rows))
        + (f" RETURNING {quote(model._meta.pk.column)}" if returning else "")
    )
    cursor.execute(sql, [row[name] for row in rows for name in names])
    return [row[0] for row in cursor.fetchall()] if returning else []


def _baseline_post(user, warehouse, lines, customer_id, counter):
    """The same rows as a counter sale, written by hand in one transaction."""
    from sales.models import SalesOrder, SalesOrderLine, Shipment, ShipmentLine

    now = timezone.now()
    day = timezone.localtime(now).date()
    lines = sorted(lines, key=lambda line: line[0].pk)
    ids = [p.pk for p, _q in lines]
    quote = connection.ops.quote_name
    level_table = quote(StockLevel._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            cursor.execute(
                "SELECT product_id, on_hand, reserved, unit_cost, value "
                f"FROM {level_table} WHERE warehouse_id = %s "
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
            counter_table = quote(DocumentCounter._meta.db_table)
            for prefix in ("SO", "SH"):
                cursor.execute(
                    f"INSERT INTO {counter_table} AS c (prefix, day, last) "
                    "VALUES (%s, %s, 1) ON CONFLICT (prefix, day) "
                    "DO UPDATE SET last = c.last + 1 RETURNING last",
                    [prefix + counter, day],
                )
                numbers.append(
                    f"{prefix}{counter}-{day:%Y%m%d}-{cursor.fetchone()[0]:03d}"
                )
            people = {"created_by": user.pk, "customer": customer_id}
            (order_id,) = _insert(
                cursor,
                SalesOrder,
                [
                    {
                        "number": numbers[0],
                        "order_date": day,
                        "note": "",
                        "status": "shipped",
                        "is_retail": True,
                        "total": total,
                        "amount_received": total,
                        "version": 1,
                        "created_at": now,
                        "confirmed_at": now,
                        "close_reason": "",
                        "confirmed_by": user.pk,
                        "warehouse": warehouse.pk,
                        **people,
                    }
                ],
            )
            order_lines = _insert(
                cursor,
                SalesOrderLine,
                [
                    {
                        "order": order_id,
                        "product": product.pk,
                        "quantity": quantity,
                        "unit_factor": 1,  # sold in the base unit
                        "unit_price": product.sale_price,
                        "discount": 0,
                        "amount": amount,
                        "reserved_quantity": 0,
                        "shipped_quantity": quantity,
                        "shipped_amount": amount,
                        "returned_quantity": 0,
                    }
                    for (product, quantity), amount in zip(lines, amounts, strict=True)
                ],
            )
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
            (shipment_id,) = _insert(
                cursor,
                Shipment,
                [
                    {
                        "number": numbers[1],
                        "occurred_at": now,
                        "note": "",
                        "status": "posted",
                        "total": total,
                        "cost_total": cost_total,
                        "created_at": now,
                        "cancel_reason": "",
                        "order": order_id,
                        "warehouse": warehouse.pk,
                        **people,
                    }
                ],
            )
            shipment_line_ids = _insert(
                cursor,
                ShipmentLine,
                [
                    {
                        "shipment": shipment_id,
                        "order_line": line_id,
                        "product": product.pk,
                        "quantity": quantity,
                        "unit_factor": 1,
                        "amount": amount,
                        "unit_cost": cost,
                        "cost_amount": cost_amount,
                        "returned_quantity": 0,
                    }
                    for (product, _q), line_id, (
                        quantity,
                        amount,
                        cost,
                        cost_amount,
                    ) in zip(
                        lines, order_lines, shipment_lines, strict=True
                    )  # fmt: skip
                ],
            )
            _insert(
                cursor,
                StockMove,
                [
                    {
                        "product": product_id,
                        "warehouse": warehouse.pk,
                        "quantity": quantity,
                        "unit_cost": cost,
                        "value": delta,
                        "kind": "shipment",
                        "source_type": ContentType.objects.get_for_model(Shipment).pk,
                        "source_id": shipment_id,
                        "source_number": numbers[1],
                        "source_line": line_id,
                        "is_reversal": False,
                        "occurred_at": now,
                        "balance_after": left,
                        "value_after": value_after,
                        "unit_cost_before": cost,
                        "created_by": user.pk,
                        "created_at": now,
                    }
                    for (
                        product_id,
                        quantity,
                        cost,
                        delta,
                        left,
                        value_after,
                    ), line_id in zip(
                        moves, shipment_line_ids, strict=True
                    )  # fmt: skip
                ],
                returning=False,
            )
            values = ", ".join(["(%s::bigint, %s::numeric, %s::numeric)"] * len(lines))
            cursor.execute(
                f"UPDATE {level_table} AS l SET on_hand = v.on_hand, "
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
                f"INSERT INTO {quote(ProductStock._meta.db_table)} AS t (product_id, "
                f"on_hand, reserved, value) VALUES {values} ON CONFLICT (product_id) "
                "DO UPDATE SET on_hand = t.on_hand + EXCLUDED.on_hand, "
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

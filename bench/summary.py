"""Monthly 进销存 summary: the report's selector vs one hand-written SQL aggregate."""

from __future__ import annotations

import statistics
import time
from datetime import date

from django.db import connection, transaction

from inventory.months import moment
from inventory.selectors import SUMMARY_COLUMNS
from reports import selectors

FLOWS = """
  SUM(quantity) FILTER (WHERE {inside} AND kind = 'receipt'),
  SUM(value) FILTER (WHERE {inside} AND kind = 'receipt'),
  SUM(quantity) FILTER (WHERE {inside} AND kind = 'sales_return'),
  SUM(value) FILTER (WHERE {inside} AND kind = 'sales_return'),
  SUM(quantity) FILTER (WHERE {inside} AND kind IN ('opening', 'adjustment',
    'stocktake') AND quantity > 0),
  SUM(value) FILTER (WHERE {inside} AND kind IN ('opening', 'adjustment',
    'stocktake') AND quantity > 0),
  -SUM(quantity) FILTER (WHERE {inside} AND kind = 'shipment'),
  -SUM(value) FILTER (WHERE {inside} AND kind = 'shipment'),
  -SUM(quantity) FILTER (WHERE {inside} AND kind = 'purchase_return'),
  -SUM(value) FILTER (WHERE {inside} AND kind = 'purchase_return'),
  -SUM(quantity) FILTER (WHERE {inside} AND kind IN ('opening', 'adjustment',
    'stocktake') AND quantity < 0),
  -SUM(value) FILTER (WHERE {inside} AND kind IN ('opening', 'adjustment',
    'stocktake') AND quantity < 0)
"""
FROM_LEDGER = f"""
SELECT product_id,
  SUM(quantity) FILTER (WHERE occurred_at < %(start)s),
  SUM(value) FILTER (WHERE occurred_at < %(start)s),
  {FLOWS.format(inside="occurred_at >= %(start)s")}
FROM inventory_stockmove WHERE occurred_at < %(end)s GROUP BY product_id
"""
FROM_SNAPSHOT = f"""
WITH opening AS (
  SELECT s.product_id, SUM(s.quantity) AS q, SUM(s.value) AS v
  FROM inventory_monthsnapshot s
  JOIN inventory_closedmonth c ON c.id = s.closed_month_id
  WHERE c.month = %(snapshot)s GROUP BY s.product_id
), flows AS (
  SELECT product_id, {FLOWS.format(inside="TRUE")}
  FROM inventory_stockmove
  WHERE occurred_at >= %(start)s AND occurred_at < %(end)s GROUP BY product_id
)
SELECT COALESCE(o.product_id, f.product_id), o.q, o.v, f.*
FROM opening o FULL JOIN flows f ON f.product_id = o.product_id
"""


def baseline(start: date, end: date, snapshot: date | None) -> dict[int, tuple]:
    """Per product: opening, the six flows (q, v) and closing, as the report has."""
    sql = FROM_SNAPSHOT if snapshot else FROM_LEDGER
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {"start": moment(start), "end": moment(end), "snapshot": snapshot}
        )
        rows = cursor.fetchall()
    result = {}
    for row in rows:
        values = [v or 0 for v in (row[1:3] + row[-12:])]
        ins_q = values[0] + values[2] + values[4] + values[6]
        outs_q = values[8] + values[10] + values[12]
        ins_v = values[1] + values[3] + values[5] + values[7]
        outs_v = values[9] + values[11] + values[13]
        closing = (ins_q - outs_q, ins_v - outs_v)
        if any(values) or any(closing):
            result[row[0]] = (*values, *closing)
    return result


def app(start: date, end: date) -> dict[int, tuple]:
    rows, _totals = selectors.summary(start=start, end=end)
    return {row["product_id"]: tuple(row[c] for c in SUMMARY_COLUMNS) for row in rows}


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def run(*, start: date, end: date, snapshot: date | None, repeat: int) -> dict:
    app_s, app_rows = timed(lambda: app(start, end), repeat)
    base_s, base_rows = timed(lambda: baseline(start, end, snapshot), repeat)
    differ = [pk for pk in base_rows.keys() | app_rows.keys()
              if base_rows.get(pk) != app_rows.get(pk)]  # fmt: skip
    if differ:
        pk = differ[0]
        raise AssertionError(
            f"summary differs from the SQL baseline for {len(differ)} products, "
            f"e.g. {pk}: app {app_rows.get(pk)} vs SQL {base_rows.get(pk)}"
        )
    return {
        "products": len(app_rows),
        "app_ms": round(app_s * 1000, 1),
        "baseline_ms": round(base_s * 1000, 1),
        "ratio": round(app_s / base_s, 2),
        "agree": True,
    }


def run_closed(*, month: date, repeat: int) -> dict:
    """A closed month's summary: the report (read as the close stored it) against
    the raw SQL computing it from the previous month's snapshot. A month closed
    before summaries were stored gets its summary stored first (as a close does)."""
    from inventory.models import ClosedMonth
    from inventory.months import next_month, summary_store

    closed = ClosedMonth.objects.get(month=month)
    previous = (
        ClosedMonth.objects.filter(month__lt=month)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if not closed.summary_stored:
        with transaction.atomic():
            summary_store(closed, previous=previous)
        with connection.cursor() as cursor:  # as the loader does after bulk loads
            cursor.execute("ANALYZE inventory_monthsummary")
    end = next_month(month)
    result = run(start=month, end=end, snapshot=previous, repeat=repeat)
    return {**result, "stored": True}

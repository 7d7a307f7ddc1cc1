"""Excel exports: our writer (jxc.excel) vs plain openpyxl write-only.

Each export runs in a fresh child process, so its peak RSS is its own. Both
writers are fed the same rows from the same selector, as the export views do
(rows stream from the database); only the writer differs. The baseline is
openpyxl itself in write-only mode appending bare values: the shop's chosen
library at its plainest, so the ratio shows what our formats, widths and
formula-safe text cost on top of it.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path


def openpyxl_bytes(sheet) -> bytes:
    """The same rows written by plain openpyxl write-only: the baseline.

    Values are appended as they come (no styles, no formula guard, no widths);
    the only conversion is the one openpyxl cannot do without: an aware time
    becomes the shop's local wall-clock time (openpyxl refuses time zones).
    """
    from django.utils import timezone
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    page = book.create_sheet(str(sheet.title)[:31])
    page.append([str(column.header) for column in sheet.columns])
    local = timezone.get_current_timezone()
    for row in sheet.rows:
        page.append(
            [
                value.astimezone(local).replace(tzinfo=None)
                if isinstance(value, datetime) and value.tzinfo is not None
                else value
                for value in row
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(which: str, month: str):
    from catalog.models import Product
    from inventory import exports as inventory_exports
    from inventory import selectors as inventory_selectors
    from reports import exports as report_exports
    from reports import selectors as report_selectors

    if which == "summary":
        start = date.fromisoformat(month)
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        rows, totals = report_selectors.summary(start=start, end=end)
        return report_exports.summary_sheet(rows, totals), len(rows)
    product = Product.objects.order_by("pk").first()
    card = inventory_selectors.stock_card(product_id=product.pk)
    return inventory_exports.stock_card_sheet(product, card, with_cost=True), None


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss survives exec on
    Linux and would report the parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def child(which: str, writer: str, month: str) -> dict:
    """Run in the child: build the sheet's rows and write them with ``writer``."""
    import django

    django.setup()
    from django.utils import translation

    from jxc.excel import workbook_bytes

    translation.activate("zh-hans")
    rss_before = peak_rss_mb()
    began = time.perf_counter()
    sheet, rows = _sheet(which, month)
    if rows is None:
        counted = []

        def counting(source):
            for row in source:
                counted.append(1)
                yield row

        sheet.rows = counting(sheet.rows)
    data = workbook_bytes([sheet]) if writer == "app" else openpyxl_bytes(sheet)
    seconds = time.perf_counter() - began
    rows = rows if rows is not None else len(counted)
    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": rss_before,
        "bytes": len(data),
    }


ROUNDS = 3


def run(*, which: str, month: str, rounds: int = ROUNDS) -> dict:
    """Each writer ``rounds`` times, alternating (app, openpyxl, app, ...) so
    both meet the same machine load; the median run of each is compared."""
    runs = {"app": [], "openpyxl": []}
    for _round in range(rounds):
        for writer in runs:
            output = subprocess.run(
                [sys.executable, "-m", "bench.excel", which, writer, month],
                check=True,
                capture_output=True,
                text=True,
                env=os.environ,
            )
            runs[writer].append(json.loads(output.stdout.strip().splitlines()[-1]))
    app, base = (
        sorted(runs[writer], key=lambda r: r["rows_per_s"])[rounds // 2]
        for writer in ("app", "openpyxl")
    )
    return {
        "rows": app["rows"],
        "rounds": rounds,
        "app_rows_per_s": app["rows_per_s"],
        "baseline_rows_per_s": base["rows_per_s"],
        "share_of_baseline": round(app["rows_per_s"] / base["rows_per_s"], 2),
        "app_peak_rss_mb": max(r["peak_rss_mb"] for r in runs["app"]),
        "baseline_peak_rss_mb": max(r["peak_rss_mb"] for r in runs["openpyxl"]),
        "rss_at_start_mb": app["rss_before_mb"],
        "app_seconds": app["seconds"],
        "baseline_seconds": base["seconds"],
    }


if __name__ == "__main__":
    print(json.dumps(child(*sys.argv[1:4])))

"""Excel exports: our writer (jxc.excel, openpyxl write-only) vs XlsxWriter.

Each export runs in a fresh child process, so its peak RSS is its own. Both
writers are fed the same rows from the same selector, as the export views do
(rows stream from the database); only the writer differs. XlsxWriter runs in
constant-memory mode with one format object per column kind.
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
from decimal import Decimal
from pathlib import Path


def xlsxwriter_bytes(sheet) -> bytes:
    """The same sheet written by XlsxWriter (constant memory): the baseline."""
    import xlsxwriter

    from jxc.excel import NUMBER_FORMATS, TEXT

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "remove_timezone": True}
    )
    styles = {
        kind: None if kind == TEXT else book.add_format({"num_format": number_format})
        for kind, number_format in NUMBER_FORMATS.items()
    }
    page = book.add_worksheet(str(sheet.title)[:31])
    kinds = [column.kind for column in sheet.columns]
    page.write_row(0, 0, [str(column.header) for column in sheet.columns])
    row_number = 0
    for row_number, row in enumerate(sheet.rows, start=1):
        for col, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            if value is None:
                continue
            if isinstance(value, datetime):
                page.write_datetime(row_number, col, value, styles[kind])
            elif isinstance(value, (int, float, Decimal)):
                page.write_number(row_number, col, value, styles[kind])
            else:
                page.write_string(row_number, col, str(value), styles[kind])
    page.freeze_panes(1, 0)
    page.autofilter(0, 0, row_number, len(kinds) - 1)
    book.close()
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
        return report_exports.summary_sheet(rows, totals, start=start, end=end), len(
            rows
        )
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
    data = workbook_bytes([sheet]) if writer == "app" else xlsxwriter_bytes(sheet)
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


def run(*, which: str, month: str) -> dict:
    results = {}
    for writer in ("app", "xlsxwriter"):
        output = subprocess.run(
            [sys.executable, "-m", "bench.excel", which, writer, month],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ,
        )
        results[writer] = json.loads(output.stdout.strip().splitlines()[-1])
    app, base = results["app"], results["xlsxwriter"]
    return {
        "rows": app["rows"],
        "app_rows_per_s": app["rows_per_s"],
        "baseline_rows_per_s": base["rows_per_s"],
        "share_of_baseline": round(app["rows_per_s"] / base["rows_per_s"], 2),
        "app_peak_rss_mb": app["peak_rss_mb"],
        "baseline_peak_rss_mb": base["peak_rss_mb"],
        "rss_at_start_mb": app["rss_before_mb"],
        "app_seconds": app["seconds"],
        "baseline_seconds": base["seconds"],
    }


if __name__ == "__main__":
    print(json.dumps(child(*sys.argv[1:4])))

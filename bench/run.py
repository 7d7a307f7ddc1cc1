"""`make bench` / `make bench-quick`: generate the benchmark shop, measure, report.

    python -m bench.run            # chain-store scale, about 7 minutes
    python -m bench.run --quick    # the same code on small data, about a minute

Runs on PostgreSQL (``BENCH_DATABASE_URL``, default a database ``jxc_bench`` or
``jxc_bench_quick`` on 127.0.0.1 that it drops and creates). Writes
``bench/results/<date>[-quick].json`` and appends a Markdown table to
``docs/benchmarks.md`` (full runs only, unless ``--docs``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_reset(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def production_environment(url: str) -> None:
    """Settings for a benchmark or soak process: the production settings (debug
    off) on ``url``. The process itself is a batch job, like a manage.py command:
    generating a chain store's data may take minutes, so it runs without the web's
    database time limits (README); the gunicorn it starts sets its own."""
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="jxc.settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        # The per-page timings request pages through Django's test client.
        DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY")
        or secrets.token_urlsafe(40),
        JXC_STATIC_MANIFEST="0",
        JXC_DB_LOCK_TIMEOUT_MS="0",
        JXC_DB_STATEMENT_TIMEOUT_MS="0",
    )


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, ~1 minute")
    parser.add_argument(
        "--docs", action="store_true", help="append to docs even if quick"
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="measure the shop already in the database (made by an earlier run, "
        "e.g. a copy: createdb -T jxc_bench mine) instead of generating one",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma list: summary,page_times,excel,posting,pages",
    )
    options = parser.parse_args()
    quick = options.quick
    default_db = "jxc_bench_quick" if quick else "jxc_bench"
    url = os.environ.get(
        "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_db}"
    )
    production_environment(url)
    only = {name for name in options.only.split(",") if name}
    wanted = lambda name: not only or name in only  # noqa: E731

    started = time.perf_counter()
    if not options.existing:
        database_reset(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone, translation

    from bench import dataset, excel, pages, posting, summary
    from inventory.checks import product_stock_drift
    from inventory.selectors import stock_drift

    translation.activate("zh-hans")
    call_command("migrate", verbosity=0)
    scale = dataset.QUICK if quick else dataset.FULL
    today = timezone.localdate()
    step = time.perf_counter()
    if options.existing:
        shop = dataset.shop_found()
    else:
        shop = dataset.shop_create(scale, today=today)
    generated_s = time.perf_counter() - step
    if connection.vendor == "postgresql":
        # The shop as autovacuum keeps it in production: bulk-loaded rows marked
        # all-visible, so index-only scans (the stock card's) read no heap. The
        # benchmark server runs with autovacuum off; a copy never vacuumed would
        # measure every index-only scan as a heap scan.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) inventory_stockmove")
    drift = stock_drift()
    assert not drift, f"check_stock after loading: {len(drift)} balances drift"
    totals = product_stock_drift()
    assert not totals, f"check_stock after loading: {len(totals)} product totals drift"
    owner, clerks = shop.pop("owner"), shop.pop("clerks")
    print(f"generated {shop} in {generated_s:.0f} s; check_stock clean", flush=True)

    # The last complete month, with and without the close of the month before.
    report_month = dataset.first_month(today, 1)
    snapshot_month = dataset.first_month(today, 2)
    following = dataset.first_month(today, 0)
    results: dict = {
        "date": today.isoformat(),
        "quick": quick,
        "database": f"PostgreSQL {connection.pg_version // 10000}",
        "machine": machine(),
        "data": {**shop, "generate_s": round(generated_s, 1), "check_stock": "clean"},
    }
    repeat = 3 if quick else 5
    if wanted("summary"):
        results["summary_no_snapshots"] = summary.run(
            start=report_month, end=following, snapshot=None, repeat=repeat
        )
        print("summary without snapshots", results["summary_no_snapshots"], flush=True)
        step = time.perf_counter()
        closed = dataset.months_close(
            owner,
            dataset.first_month(today, scale.months),
            snapshot_month,
            skip_closed=options.existing,
        )
        results["data"]["months_closed"] = closed
        results["data"]["close_s"] = round(time.perf_counter() - step, 1)
        results["summary_with_snapshots"] = summary.run(
            start=report_month, end=following, snapshot=snapshot_month, repeat=repeat
        )
        print("summary with snapshots", results["summary_with_snapshots"], flush=True)
        results["summary_closed_month"] = summary.run_closed(
            month=snapshot_month, repeat=repeat
        )
        print("summary of a closed month", results["summary_closed_month"], flush=True)
    if wanted("page_times"):
        from bench import page_times
        from catalog.models import Product

        print("server time per page, one request at a time:", flush=True)
        results["page_times"] = page_times.run(
            owner=owner,
            month=report_month,
            card_product_id=Product.objects.order_by("pk").first().pk,
            repeat=3 if quick else 5,
            closed_month=snapshot_month,
        )
    if wanted("excel"):
        for which in ("summary", "stock_card"):
            results[f"excel_{which}"] = excel.run(
                which=which, month=report_month.isoformat()
            )
            print(f"excel {which}", results[f"excel_{which}"], flush=True)
    if wanted("posting"):
        from catalog.models import Warehouse

        warehouse = Warehouse.objects.get(is_default=True)
        seconds = 4 if quick else 20
        for processes in (8, 20):
            for mode in ("baseline", "app"):
                key = f"posting_{mode}_{processes}"
                results[key] = posting.run(
                    mode=mode,
                    processes=processes,
                    seconds=seconds,
                    user=clerks[0],
                    warehouse=warehouse,
                )
                print(key, results[key], flush=True)
            app, base = (
                results[f"posting_{m}_{processes}"] for m in ("app", "baseline")
            )
            results[f"posting_ratio_{processes}"] = round(
                base["docs_per_s"] / max(app["docs_per_s"], 0.1), 2
            )
        drift = stock_drift()
        assert not drift, f"check_stock after posting: {len(drift)} balances drift"
        assert not product_stock_drift(), "check_stock after posting: totals drift"
        results["posting_check_stock"] = "clean"
    if wanted("pages"):
        orders = pages.orders_prepare(count=150 if quick else 1500, owner=owner)
        results["pages"] = pages.run(
            database_url=url,
            seconds=8 if quick else 60,
            clients=20,
            orders=orders,
            month=report_month,
        )
        print("pages", json.dumps(results["pages"], ensure_ascii=False), flush=True)
        drift = stock_drift()
        assert not drift, f"check_stock after pages: {len(drift)} balances drift"
    results["total_s"] = round(time.perf_counter() - started, 1)
    results["commit"] = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    name = f"{today.isoformat()}{'-quick' if quick else ''}.json"
    (out / name).write_text(
        json.dumps(results, indent=2, ensure_ascii=False, default=str)
    )
    print(f"wrote bench/results/{name} in {results['total_s']} s")
    if not quick or options.docs:
        from bench.report import markdown

        with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as docs:
            docs.write(markdown(results))
        print("appended the table to docs/benchmarks.md")
    failures = [
        key
        for key, value in results.items()
        if isinstance(value, dict) and value.get("oversold_or_mismatched")
    ]
    if results.get("pages", {}).get("all", {}).get("errors"):
        failures.append("pages: errors")
    if failures:
        sys.exit(f"benchmark found errors: {failures}")


if __name__ == "__main__":
    main()

"""The Markdown table `make bench` appends to docs/benchmarks.md."""

from __future__ import annotations


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |\n"


def _percentiles(figures: dict) -> str:
    return " / ".join(str(figures.get(k)) for k in ("p50_ms", "p95_ms", "p99_ms"))


def markdown(r: dict) -> str:
    m, d = r["machine"], r["data"]
    out = [
        f"\n## {r['date']} — {r['database']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB, Python {m['python']} "
        f"(commit {r.get('commit', '?')})\n\n",
        f"{m['cpu']}. Data: {d['products']:,} products, {d['moves']:,} moves, "
        f"{d['levels']:,} balances, generated in {d['generate_s']} s; "
        f"check_stock {d['check_stock']}.\n\n",
        _row(["figure", "app", "baseline", "ratio", "target"]),
        _row(["---"] * 5),
    ]
    if "summary_no_snapshots" in r:
        for key, label, target in (
            ("summary_no_snapshots", "summary, no snapshots (ms)", "< 1500 ms"),
            (
                "summary_with_snapshots",
                "summary, with snapshots (ms)",
                "≤ 1.5×",
            ),
            (
                "summary_closed_month",
                "summary, closed month, stored (ms)",
                "< 50 ms",
            ),
        ):
            if key not in r:
                continue
            s = r[key]
            out.append(_row([label, s["app_ms"], s["baseline_ms"], s["ratio"], target]))
    for key, label in (
        ("excel_summary", "Excel summary"),
        ("excel_stock_card", "Excel stock card"),
    ):
        if key in r:
            e = r[key]
            out.append(
                _row(
                    [
                        f"{label}, {e['rows']:,} rows (rows/s)",
                        f"{e['app_rows_per_s']:,}",
                        f"{e['baseline_rows_per_s']:,}",
                        e["share_of_baseline"],
                        "≥ 0.90 of plain openpyxl",
                    ]
                )
            )
            out.append(
                _row(
                    [
                        f"{label}, peak RSS (MB)",
                        e["app_peak_rss_mb"],
                        e["baseline_peak_rss_mb"],
                        "",
                        "< 150 MB",
                    ]
                )
            )
    for processes in (8, 20):
        key = f"posting_app_{processes}"
        if key in r:
            a, b = r[key], r[f"posting_baseline_{processes}"]
            out.append(
                _row(
                    [
                        f"posting, {processes} processes (docs/s)",
                        a["docs_per_s"],
                        b["docs_per_s"],
                        r[f"posting_ratio_{processes}"],
                        "ratio ≤ 4",
                    ]
                )
            )
            out.append(
                _row(
                    [
                        f"posting, {processes} processes p50 / p95 (ms)",
                        f"{a['p50_ms']} / {a['p95_ms']}",
                        f"{b['p50_ms']} / {b['p95_ms']}",
                        "",
                        "p95 < 100 ms" if processes == 20 else "",
                    ]
                )
            )
            out.append(
                _row(
                    [
                        f"posting, {processes} processes oversold",
                        a["oversold_or_mismatched"],
                        b["oversold_or_mismatched"],
                        "",
                        "0",
                    ]
                )
            )
    if "page_times" in r:
        out.append(page_times_table(r["page_times"]))
    if "pages" in r:
        p = r["pages"]
        floor = p.get("login page (floor)", {})
        mix_target = p.get("_mix", {}).get("target_ratio", 3)
        for name, figures in p.items():
            if name.startswith("_") or name in ("login page (floor)", "all"):
                continue
            out.append(
                _row(
                    [
                        f"page {name}: p50 / p95 / p99 (ms), req/s, errors",
                        f"{_percentiles(figures)}, {figures['rps']}, "
                        f"{figures['errors']}",
                        _percentiles(floor),
                        round(figures["p95_ms"] / floor["p95_ms"], 1)
                        if floor.get("p95_ms")
                        else "",
                        f"p95 ≤ {mix_target}× floor, 0 errors",
                    ]
                )
            )
        mix = p.get("_mix")
        if mix:
            out.append(
                _row(
                    [
                        "page mix: throughput (req/s), p95 (ms)",
                        f"{mix['rps']} req/s, p95 {mix['p95_ms']}",
                        f"p95 {mix['floor_p95_ms']} (login floor)",
                        mix["ratio"],
                        f"p95 ≤ {mix['target_ratio']}× the floor",
                    ]
                )
            )
        out.append(
            f"\nPages: {p['_clients']} clients, gunicorn {p['_workers']} workers; "
            "baseline = the login page on the same server (no database), measured "
            "in the same run just before the mix.\n"
        )
    out.append(f"\nWhole run: {r['total_s']} s.\n")
    return "".join(out)


def page_times_table(times: dict) -> str:
    """Server time per page, one request at a time (bench/page_times.py)."""
    out = [
        "\nServer time per page, one request at a time (median of the runs after "
        "a warm-up; app = wall − database; raw SQL = the page's own statements "
        "replayed without Django). Target: ≤ 50 ms, or for a report ≤ 1.5× its "
        "raw SQL.\n\n",
        _row(
            [
                "page",
                "server ms",
                "app ms",
                "database ms",
                "queries",
                "raw SQL ms",
                "× raw SQL",
                "KB",
                "target met",
            ]
        ),
        _row(["---"] * 9),
    ]
    for name, f in times.items():
        out.append(
            _row(
                [
                    name,
                    f["server_ms"],
                    f["app_ms"],
                    f["db_ms"],
                    f["queries"],
                    f["raw_sql_ms"],
                    f["ratio_to_raw_sql"],
                    f["kb"],
                    "yes" if f["meets_target"] else "**no**",
                ]
            )
        )
    return "".join(out)

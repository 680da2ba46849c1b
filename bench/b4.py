"""B4 extras (decision 0046): what share of a progress report is the distinct-donor count, and
how the report's latency grows with the data.

``distinct_share`` builds the report in this process (no HTTP) and times every query it
sends; the distinct-donor queries are the ones that count distinct donors — the only figures
progress still reads from donations rather than from the day summaries (decision 0039).
``growth`` turns two warm p95 figures, at two data sizes, into "×N data → ×M latency".
"""

from __future__ import annotations

import statistics
import time
from typing import Any

# The distinct-donor counts of reports.progress (the deferral figures count presentations).
DISTINCT_DONORS = 'COUNT(DISTINCT "collection_donation"."donor_id")'


class _Timer:
    """A database execute wrapper that adds up the time of each query by kind."""

    def __init__(self) -> None:
        self.distinct = 0.0
        self.other = 0.0
        self.queries = 0
        self.distinct_sql: list[tuple[str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.queries += 1
            if DISTINCT_DONORS in sql:
                self.distinct += spent
                self.distinct_sql.append((sql, params))
            else:
                self.other += spent


def distinct_share(plan_uuid: str, node_uuid: str, repeats: int = 5) -> dict[str, Any]:
    """Median time of one progress report for ``node_uuid``, the part of it spent in the
    distinct-donor queries, and that share (after one warming run)."""
    from django.db import connection

    from bloodline.organisations.models import Organisation
    from bloodline.programmes.models import Plan
    from bloodline.reports.progress import report

    plan = Plan.objects.get(uuid=plan_uuid)
    node = Organisation.objects.get(uuid=node_uuid)
    totals, distincts, queries = [], [], 0
    timer = _Timer()
    for i in range(repeats + 1):
        timer = _Timer()
        start = time.perf_counter()
        with connection.execute_wrapper(timer):
            report(plan, node)
        total = time.perf_counter() - start
        if i:  # the first run only warms the caches
            totals.append(total * 1000)
            distincts.append(timer.distinct * 1000)
            queries = timer.queries
    total_ms, distinct_ms = statistics.median(totals), statistics.median(distincts)
    # Which index the planner reads each distinct-donor query with, at this size.
    plans = []
    with connection.cursor() as cursor:
        for sql, params in timer.distinct_sql:
            cursor.execute("EXPLAIN " + sql, params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return {
        "distinct_queries_on_covering_index": sum("donation_credit_donor_idx" in p for p in plans),
        "distinct_queries": len(plans),
        "report_ms": round(total_ms, 2),
        "distinct_donors_ms": round(distinct_ms, 2),
        "distinct_share": round(distinct_ms / total_ms, 3) if total_ms else None,
        "queries": queries,
    }


def growth(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    """Data growth and latency growth between two B4 runs (each: donations, p95_ms)."""

    def ratio(a: float, b: float) -> float | None:
        return round(b / a, 2) if a else None

    return {
        "small": small,
        "large": large,
        "data_growth": ratio(small["donations"], large["donations"]),
        "latency_growth": ratio(small["p95_ms"], large["p95_ms"]),
        "distinct_growth": ratio(small["distinct_donors_ms"], large["distinct_donors_ms"]),
    }


def growth_row(g: dict[str, Any], goal: str) -> str:
    """The markdown row: growth ×N data → ×M latency."""
    s, lg = g["small"], g["large"]
    return (
        f"| B4 | growth, district warm p95: ×{g['data_growth']} data → ×{g['latency_growth']} "
        f"latency | {s['p95_ms']} ms at {s['donations']:,} → {lg['p95_ms']} ms at "
        f"{lg['donations']:,} donations (distinct donors {s['distinct_donors_ms']} → "
        f"{lg['distinct_donors_ms']} ms, share {s['distinct_share']} → {lg['distinct_share']}; "
        f"on the covering index: {lg['distinct_queries_on_covering_index']} of "
        f"{lg['distinct_queries']} queries) "
        f"| — | ×{g['latency_growth']} | {goal} |"
    )


def small_run(args: Any, env: dict[str, str]) -> dict[str, Any]:
    """B4 on a data set ``args.growth`` times the size of the main one, loaded first (its own
    tree, plan and facility numbers) and measured before the main one exists: the district's
    warm p95 through the server, and the distinct-donor share in this process."""
    import tempfile
    from pathlib import Path

    from django.db import connection

    from bench.client import load, request
    from bench.generate import generate
    from bench.run import Server, _say, _session_cookie

    probe = generate(args.tier, args.scale * args.growth, args.seed + 1, fin="VG")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    _say(f"B4 growth: small data set loaded ({probe.counts['donations']} donations)")
    cookie = _session_cookie(probe.user_id)
    path = f"/api/v1/plans/{probe.plan_uuid}/progress?node={probe.district_uuid}"
    ask = [request("GET", path, cookie)]
    with tempfile.TemporaryDirectory(prefix="bloodline-bench-") as tmp:
        server = Server(env, args.workers, Path(tmp))
        server.cookie = cookie
        try:
            server.start()
            load(server.port, ask * (2 * args.workers), args.workers)  # every worker warm
            warm = load(server.port, ask * args.b4_requests, 1).summary()
        finally:
            server.stop()
    return {
        "donations": probe.counts["donations"],
        "p95_ms": warm["p95_ms"],
        **distinct_share(probe.plan_uuid, probe.district_uuid),
    }


def large_run(probe: Any, district_warm_p95_ms: float) -> dict[str, Any]:
    """The same figures for the main data set (its warm p95 is measured by the harness)."""
    return {
        "donations": probe.counts["donations"],
        "p95_ms": district_warm_p95_ms,
        **distinct_share(probe.plan_uuid, probe.district_uuid),
    }

"""`make bench` works: every benchmark runs once on tiny data and the results file carries
every field (not timed: the figures of a tiny run on a shared machine mean nothing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = urllib.parse.quote(db["PASSWORD"] or "")
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres_only
def test_each_benchmark_runs_once_and_writes_every_field(flushable_audit, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmarks load with PostgreSQL COPY")
    env = {**os.environ, "DATABASE_URL": _database_url()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "bench.run", "--skip-migrate", "--scale", "0.001"),
            *("--requests", "6", "--b4-requests", "2", "--cold-samples", "1", "--no-cold-restart"),
            *("--workers", "2", "--concurrency", "2", "--out", str(tmp_path)),
            *("--b1-stations", "2", "--b1-drives", "1", "--b1-donors", "6"),
            *("--b3-donors", "300", "--outbox-messages", "50", "--eligible-donors", "40"),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,  # two data sets (B4 growth), B1 on two databases, B3
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (found,) = tmp_path.glob("*.json")
    assert found.with_suffix(".md").exists()
    result = json.loads(found.read_text())

    assert {"host", "cpu", "cores", "memory_gib", "postgresql", "gunicorn_workers"} <= set(
        result["machine"]
    )
    rows = result["rows"]
    for table in ("organisations", "donors", "identity_documents", "donations", "deferrals"):
        assert rows[table] > 0
    assert rows["presentations"] == rows["donations"] + rows["deferrals"]
    # Progress reads day summaries (decision 0039): the loaded donations are summarised.
    assert rows["daily_credits"] > 0
    # ... and added up at every level of the tree (decision 0049), as tally.expected says.
    assert rows["tally_rows"] > 0
    limits = result["limits"]
    assert limits["full_scan_ms"] > 0 and limits["copy_rows_per_s"] > 0
    runs = {**result["runs"], "bare_post": limits["bare_post"], "get_by_pk": limits["get_by_pk"]}
    lookups = {f"B2_{key}" for key in ("number", "phone", "din")}
    expected_runs = {"bare_post", "get_by_pk"} | lookups | {f"{k}_paced" for k in lookups}
    expected_runs |= {
        f"B4_{node}_{cache}" for node in ("district", "province") for cache in ("warm", "cold")
    }
    expected_runs |= {"me_home", "me_api"}  # the donor's own record (issue 13)
    assert set(runs) == expected_runs
    for name, run in runs.items():
        # Every request answered 200: a refused or failed request is never a figure.
        assert run["errors"] == 0 and run["ok"] == run["requests"] > 0, name
        assert {"rps", "p50_ms", "p95_ms", "p99_ms", "max_ms"} <= set(run), name
    figures = result["figures"]
    b4 = {"district_warm", "district_cold", "province_warm", "province_cold"}
    assert set(figures["B4"]) == b4
    assert all(f["ratio_to_full_scan"] > 0 for f in figures["B4"].values())
    # B2 through the lookup (decision 0041): by identity number, phone and DIN.
    assert set(figures["B2"]) == {"number", "phone", "din"}
    assert all(f["ratio_to_get_by_pk"] > 0 for f in figures["B2"].values())
    # ... and their latency at half the rate answered, open loop (decision 0050).
    for key in ("number", "phone", "din"):
        paced = result["runs"][f"B2_{key}_paced"]
        assert paced["offered_rps"] == round(0.5 * result["runs"][f"B2_{key}"]["rps"], 1)
        assert figures["B2"][key]["paced_p95_ms"] == paced["p95_ms"] > 0
    # B1 (decision 0042): the flow ran on PostgreSQL and on the SQLite copy, every step
    # answered as expected, and a missed goal comes with the profile of one worker.
    b1 = figures["B1"]
    for database in ("postgresql", "sqlite"):
        flow = b1[database]
        assert flow["failed"] == {} and flow["donations"] > 0, (database, flow["failed"])
        assert flow["donations"] + flow["deferred"] == 6, database
        assert set(flow["p95_ms"]) == {
            "check_in",
            "answers",
            "vitals",
            "decision",
            "collection",
            "label",
        }
    assert b1["postgresql"]["ratio_to_bare_post"] > 0 and b1["sqlite_to_postgresql"] > 0
    # Donors also arrived on a schedule at half the rate managed (decision 0050).
    paced = b1["postgresql"]["paced"]
    assert paced["failed"] == {} and paced["donors_per_s"] > 0
    assert paced["donations"] + paced["deferred"] == 3  # half of the 6 donors
    assert "half load, open loop" in found.with_suffix(".md").read_text()
    assert len(b1["goals_met"]) == 4
    if not all(b1["goals_met"].values()):
        assert b1["profile"]["top"]["ours_cumulative"], "a missed goal is reported with its profile"
    # B3: the generated legacy file went through the registry import; its bad rows and
    # duplicates were refused (and reported), the rest taken, all rolled back afterwards.
    b3 = figures["B3"]
    assert b3["rows"] > 300 and b3["rows_per_s"] > 0 and b3["ratio_to_copy"] > 0
    assert b3["t1_estimate_minutes"] > 0
    assert b3["counts"]["donors_added"] > 0 and b3["counts"]["donations_added"] > 0
    assert b3["counts"]["rows"] == b3["rows"]
    assert "registry import" in found.with_suffix(".md").read_text()
    # B4 growth (decision 0046): a second, smaller data set measured the same way.
    growth = figures["B4_growth"]
    assert growth["small"]["donations"] < growth["large"]["donations"]
    for size in ("small", "large"):
        assert growth[size]["p95_ms"] > 0 and growth[size]["report_ms"] > 0
        assert 0 <= growth[size]["distinct_share"] <= 1
    assert growth["data_growth"] > 1 and growth["latency_growth"] > 0
    assert "growth, district warm p95" in found.with_suffix(".md").read_text()
    assert result["peak_rss_mib_per_worker"]["max"] > 0
    assert set(result["goals"]) == {"B1", "B2", "B3", "B4", "outbox", "eligible", "me"}
    # The outbox (decision 0053): every message delivered once, retries included.
    assert figures["outbox"]["delivered_once"] is True
    # Reminders (decision 0059): one per donor with a date ahead, none twice.
    assert figures["eligible"]["queued_once"] is True and figures["eligible"]["donors"] == 40
    # The donor's own record (issue 13), for the donor with the longest history.
    assert figures["me"]["donations"] >= 1
    assert "messages sent/s" in found.with_suffix(".md").read_text()
    # No generated personal value reaches the progress output.
    assert "+849" not in done.stderr

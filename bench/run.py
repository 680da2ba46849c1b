"""`make bench`: generate a tier, serve the app under gunicorn, measure, write the results.

    python -m bench.run [--tier T0|T1] [--scale 1.0] [--seed 1] [--growth 0.1] [--out bench/results]

Needs ``DATABASE_URL`` naming an empty (or migrated) PostgreSQL database; `make bench` runs it
inside ``scripts/with-postgres.sh``, which starts a throwaway cluster. Every figure sits beside
a limit measured in the same run on the same server and database (QUALITY.md, decision 0040):

- bare POST: the bench-only ``POST /bench/probe`` (one row, one transaction);
- bare GET: the bench-only ``GET /bench/donors/{pk}`` (one donor row by primary key);
- full scan: ``SELECT sum(volume_ml) FROM collection_donation`` timed in the database;
- COPY: rows/s COPYed into ``collection_donation`` with all its indexes (rolled back).

Benchmarks measured: B4 (plan progress for a district and a province node, warm p95 at one
request at a time, cold = the first request after restarting PostgreSQL and gunicorn) and B2
(the donor card by identity number, phone and DIN through ``GET /api/v1/donors/lookup``), B1
(the drive-day flow through ``/api/v1/stations``, bench/b1.py) and B3 (a generated legacy
registry file through the registry import, ``bench/b3.py``). With ``--growth F`` (default 0.1)
B4 also runs first on a data set F times the size, for the growth figure and the
distinct-donor share (``bench/b4.py``, decision 0046).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOALS = {
    "B4": "warm p95 < 300 ms, cold < 2 s on T1; ≤ 0.1× a same-run full scan of donations",
    "B2": "≥ 0.5× same-run GET-by-PK rps; p95 < 50 ms (on T1)",
    "B1": "≥ 40 donations/s, ≥ 0.2× bare POST, p95 < 150 ms per step",
    "B3": "≥ 0.25× same-run COPY into the same indexed table; T1 migration < 30 min",
    "outbox": "≥ 500 messages/s to the fake gateway, retries on (issue 13)",
    "eligible": "2 M donors judged and reminded in < 5 min (issue 13)",
    "me": "warm p95 < 200 ms on T1, whatever the history (issue 13)",
}


def _environment(args: argparse.Namespace) -> dict[str, str]:
    """The settings the runner and the server share (keys generated for this run)."""
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    env["DEBUG"] = "0"
    env.setdefault("FIELD_ENCRYPTION_KEYS", base64.urlsafe_b64encode(os.urandom(32)).decode())
    env.setdefault("BLIND_INDEX_KEY", secrets.token_urlsafe(32))
    env["SECURE_COOKIES"] = "0"
    env["SECURE_SSL_REDIRECT"] = "0"
    env["MFA_REQUIRED"] = "0"
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["PYTHONPATH"] = str(ROOT)
    return env


def _say(what: str) -> None:
    """Progress on stderr: steps and counts only, never a generated value."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn serving ``bench.wsgi`` on 127.0.0.1; tracks its workers' peak RSS."""

    def __init__(self, env: dict[str, str], workers: int, log_dir: Path) -> None:
        self.env, self.workers, self.log = env, workers, log_dir / "gunicorn.log"
        self.port = 0
        self.cookie = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.peak_rss_kib: list[int] = []

    def start(self) -> None:
        self.port = _free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--timeout",
            "600",
            "--error-logfile",
            str(self.log),
            "--log-level",
            "warning",
            "--preload",
        ]
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT)
        from bench.client import load, request

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start; see {self.log}")
            if (
                load(self.port, [request("GET", "/bench/donors/0", self.cookie)], 1).statuses.get(0)
                is None
            ):
                return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 120 s")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def read_rss(self) -> None:
        """Record each worker's peak resident set (VmHWM) so far."""
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_rss_kib.append(int(line.split()[1]))
            except OSError:
                continue

    def stop(self) -> None:
        if self.process is None:
            return
        self.read_rss()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def _pg_restart() -> bool:
    """Restart the local PostgreSQL cluster the database runs on (empty shared buffers; the
    operating system's page cache is not dropped). False when it cannot be done from here."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        (data,) = cursor.fetchone()
    connection.close()
    bindir = subprocess.run(
        ["pg_config", "--bindir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not bindir or not Path(bindir, "pg_ctl").exists():
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        bindir = str(found[-1].parent) if found else ""
    if not bindir or not Path(data).exists():
        return False
    owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    # The new server's output goes to a log beside the data directory (as scripts/
    # with-postgres.sh starts it), never to a pipe this process would wait on.
    log = Path(data).parent / "restart.log"
    done = subprocess.run(
        [*owner, f"{bindir}/pg_ctl", "-D", data, "-l", str(log), "-m", "fast", "-w", "restart"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return done.returncode == 0


def _session_cookie(user_id: int) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bloodline.accounts.models import User

    user = User.objects.get(pk=user_id)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _full_scan_ms(repeats: int = 5) -> float:
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for i in range(repeats + 1):
            start = time.perf_counter()
            cursor.execute("SELECT sum(volume_ml) FROM collection_donation")
            cursor.fetchone()
            if i:  # the first run only warms the cache
                times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _copy_rows_per_s(rows: int) -> float:
    """COPY ``rows`` donations (copies of generated ones, new ids and DINs) into the indexed
    donation table, inside a transaction that is rolled back."""
    from django.db import connection, transaction

    from bloodline.collection.models import Donation

    columns = []
    for f in Donation._meta.concrete_fields:
        name = connection.ops.quote_name(f.column)
        columns.append(
            {
                "id": f"{name} + 1000000000",
                "uuid": "gen_random_uuid()",
                "din": f"'Z' || substr({name}, 2)",
                "started_at": "NULL",
                "ended_at": "NULL",
            }.get(f.column, name)
        )
    names = ", ".join(connection.ops.quote_name(f.column) for f in Donation._meta.concrete_fields)
    source = (
        f"COPY (SELECT {', '.join(columns)} FROM collection_donation "  # noqa: S608
        f"ORDER BY id LIMIT {int(rows)}) TO STDOUT"
    )
    data = bytearray()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(source) as copy:
            for chunk in copy:
                data += chunk
        n = data.count(b"\n")
        with transaction.atomic():
            start = time.perf_counter()
            with cursor.cursor.copy(f"COPY collection_donation ({names}) FROM STDIN") as copy:
                for i in range(0, len(data), 1 << 20):
                    copy.write(bytes(data[i : i + (1 << 20)]))
            elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
    return n / elapsed if elapsed else 0.0


def _b2_keys(probe: Any) -> list[tuple[str, str, list[str]]]:
    """B2 through ``GET /api/v1/donors/lookup`` (decision 0041): figure, parameter, values."""
    return [
        ("number", "identity_number", probe.numbers),
        ("phone", "phone", probe.phones),
        ("din", "din", probe.dins),
    ]


B2_LABELS = {"number": "identity number", "phone": "phone", "din": "DIN"}


def _require_found(port: int, raw: bytes) -> None:
    """A lookup that finds nobody would measure the wrong thing: stop instead."""
    from bench.client import fetch

    status, body = fetch(port, raw)
    if status != 200 or not json.loads(body):
        raise RuntimeError(f"a donor lookup found nobody (HTTP {status}); nothing measured")


def _machine(workers: int) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg,) = cursor.fetchone()
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kib = 0
    return {
        "host": socket.gethostname(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg,
        "gunicorn_workers": workers,
    }


def _ratio(value: float, limit: float) -> float | None:
    return round(value / limit, 4) if limit else None


def measure(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    import django

    os.environ.update(env)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import b4
    from bench.client import LATENCY_LOAD, load, paced, request
    from bench.generate import generate
    from bench.urls import PROBE_TABLE

    if connection.vendor != "postgresql":
        raise SystemExit("make bench needs PostgreSQL: set DATABASE_URL (see the Makefile).")
    if not args.skip_migrate:
        call_command("migrate", verbosity=0)
    small = b4.small_run(args, env) if args.growth else None  # B4 growth: before the main set
    started = time.perf_counter()
    probe = generate(args.tier, args.scale, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {PROBE_TABLE} (id bigserial PRIMARY KEY, note text)"
        )
    load_seconds = time.perf_counter() - started
    _say(f"generated and loaded in {load_seconds:.0f} s: {probe.counts}")
    cookie = _session_cookie(probe.user_id)
    from bench import b_me

    me_user, me_donations = b_me.donor_account()
    me_cookie = _session_cookie(me_user)
    machine = _machine(args.workers)
    n = args.requests
    rng = random.Random(args.seed)
    limits: dict[str, Any] = {
        "full_scan_ms": round(_full_scan_ms(), 2),
        "copy_rows_per_s": round(
            _copy_rows_per_s(max(100, min(100_000, probe.counts["donations"] // 3)))
        ),
    }
    from bench import b3

    b3_figures = b3.measure(probe, args.b3_donors, args.seed, limits["copy_rows_per_s"])
    _say("B3 import done")
    from bench import b_outbox

    outbox_figures = b_outbox.measure(args.outbox_messages, seed=args.seed)
    from bench import b_eligible

    eligible_figures = b_eligible.measure(args.eligible_donors)
    progress = f"/api/v1/plans/{probe.plan_uuid}/progress?node="
    nodes = {"district": probe.district_uuid, "province": probe.province_uuid}

    def lookups(key: str, values: list[str]) -> list[bytes]:
        path = f"/api/v1/donors/lookup?{key}="
        return [
            request("GET", path + urllib.parse.quote(rng.choice(values)), cookie) for _ in range(n)
        ]

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bloodline-bench-") as tmp:
        server = Server(env, args.workers, Path(tmp))
        server.cookie = cookie
        try:
            server.start()
            _say("server up")
            warm = [request("GET", f"/bench/donors/{pk}", cookie) for pk in probe.donor_pks]
            load(server.port, warm[: 4 * args.workers], args.workers)
            posts = [request("POST", "/bench/probe", cookie, b"{}") for _ in range(n)]
            limits["bare_post"] = load(server.port, posts, args.concurrency).summary()
            _say("bare POST done")
            gets = [
                request("GET", f"/bench/donors/{rng.choice(probe.donor_pks)}", cookie)
                for _ in range(n)
            ]
            limits["get_by_pk"] = load(server.port, gets, args.concurrency).summary()
            _say("GET by PK done")
            for kind, key, values in _b2_keys(probe):
                _require_found(server.port, lookups(key, values)[0])
                load(server.port, lookups(key, values)[: 2 * args.workers], args.workers)
                results[f"B2_{kind}"] = load(
                    server.port, lookups(key, values), args.concurrency
                ).summary()
                # Latency at a load the server carries: half the rate it just managed.
                rate = LATENCY_LOAD * float(results[f"B2_{kind}"]["rps"])
                results[f"B2_{kind}_paced"] = {
                    **paced(server.port, lookups(key, values), rate).summary(),
                    "offered_rps": round(rate, 1),
                }
                _say(f"B2 {kind} done")
            for name, path in b_me.PATHS.items():
                ask = [request("GET", path, me_cookie)]
                load(server.port, ask * (2 * args.workers), args.workers)  # every worker warm
                results[f"me_{name}"] = load(server.port, ask * args.b4_requests, 1).summary()
                _say(f"me {name} done")
            for name, node in nodes.items():
                ask = [request("GET", progress + node, cookie)]
                load(server.port, ask * (2 * args.workers), args.workers)  # every worker warm
                results[f"B4_{name}_warm"] = load(server.port, ask * args.b4_requests, 1).summary()
                _say(f"B4 {name} warm done")
            for name, node in nodes.items():
                cold, restarted = [], False
                for _ in range(args.cold_samples):
                    restarted = args.cold_restart and _pg_restart()
                    cold.append(load(server.port, [request("GET", progress + node, cookie)], 1))
                merged = cold[0]
                for other in cold[1:]:
                    merged.requests += other.requests
                    merged.ok += other.ok
                    merged.seconds += other.seconds
                    merged.latencies_ms += other.latencies_ms
                    merged.statuses.update(other.statuses)
                results[f"B4_{name}_cold"] = {
                    **merged.summary(),
                    "postgres_restarted": bool(restarted),
                }
                _say(f"B4 {name} cold done")
            from bench import b1

            b1_result = b1.measure(env, args, server.port, limits["bare_post"]["rps"], Path(tmp))
            _say("B1 done")
        finally:
            server.stop()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PROBE_TABLE}")
    rss = server.peak_rss_kib
    scan = limits["full_scan_ms"]
    pk_rps = limits["get_by_pk"]["rps"]
    figures = {
        "B4": {
            key: {
                "p95_ms": results[f"B4_{key}"]["p95_ms"],
                "ratio_to_full_scan": _ratio(results[f"B4_{key}"]["p95_ms"], scan),
            }
            for key in ("district_warm", "district_cold", "province_warm", "province_cold")
        },
        "B2": {
            key: {
                "rps": results[f"B2_{key}"]["rps"],
                "p95_ms": results[f"B2_{key}"]["p95_ms"],
                "ratio_to_get_by_pk": _ratio(results[f"B2_{key}"]["rps"], pk_rps),
                "paced_rps": results[f"B2_{key}_paced"]["offered_rps"],
                "paced_p95_ms": results[f"B2_{key}_paced"]["p95_ms"],
            }
            for key in B2_LABELS
        },
        "B4_growth": (
            b4.growth(small, b4.large_run(probe, results["B4_district_warm"]["p95_ms"]))
            if small
            else None
        ),
        "B1": b1_result,
        "B3": b3_figures,
        "outbox": outbox_figures,
        "eligible": eligible_figures,
        "me": {
            "donations": me_donations,
            **{
                name: {
                    "p95_ms": results[f"me_{name}"]["p95_ms"],
                    "ok": results[f"me_{name}"]["ok"],
                    "requests": results[f"me_{name}"]["requests"],
                }
                for name in b_me.PATHS
            },
        },
    }
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "tier": args.tier,
        "scale": args.scale,
        "seed": args.seed,
        "rows": probe.counts,
        "load_seconds": round(load_seconds, 1),
        "requests_per_run": n,
        "concurrency": args.concurrency,
        "limits": limits,
        "runs": results,
        "figures": figures,
        "goals": GOALS,
        "peak_rss_mib_per_worker": {
            "max": round(max(rss, default=0) / 1024, 1),
            "median": round(statistics.median(rss) / 1024, 1) if rss else 0.0,
            "workers_seen": len(rss),
        },
    }


def markdown(r: dict[str, Any]) -> str:
    m, lim, fig = r["machine"], r["limits"], r["figures"]
    rows = r["rows"]
    lines = [
        f"**Machine:** {m['host']}, {m['cpu'] or 'CPU'} × {m['cores']}, {m['memory_gib']} GiB, "
        f"load {m['load_average']}, PostgreSQL {m['postgresql']}, Python {m['python']}, "
        f"gunicorn {m['gunicorn_workers']} sync workers; {r['when']}",
        f"**Data:** tier {r['tier']} × {r['scale']} (seed {r['seed']}): "
        + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in rows.items())
        + f"; loaded in {r['load_seconds']} s",
        "",
        "| Id | Figure | Value | Same-run limit | Ratio | Goal |",
        "|---|---|---|---|---|---|",
    ]
    scan = f"full scan {lim['full_scan_ms']} ms"
    for key, label in (
        ("district_warm", "district, warm p95"),
        ("district_cold", "district, cold p95"),
        ("province_warm", "province, warm p95"),
        ("province_cold", "province, cold p95"),
    ):
        f = fig["B4"][key]
        lines.append(
            f"| B4 | progress, {label} | {f['p95_ms']} ms | {scan} | "
            f"{f['ratio_to_full_scan']}× | {r['goals']['B4']} |"
        )
    if fig.get("B4_growth"):
        from bench.b4 import growth_row

        lines.append(growth_row(fig["B4_growth"], "T1 → 10×T1 latency growth ≤ 1.5×"))
    pk = lim["get_by_pk"]
    for key, label in B2_LABELS.items():
        f = fig["B2"][key]
        lines.append(
            f"| B2 | lookup by {label}: rps (p95) | {f['rps']} ({f['p95_ms']} ms) | "
            f"GET-by-PK {pk['rps']} rps ({pk['p95_ms']} ms) | {f['ratio_to_get_by_pk']}× | "
            f"{r['goals']['B2']} |"
        )
        lines.append(
            f"| B2 | lookup by {label}: p95 at {f['paced_rps']} rps offered (half the most "
            f"answered, open loop) | {f['paced_p95_ms']} ms | — | — | p95 < 50 ms |"
        )
    from bench import b1, b_eligible, b_me, b_outbox

    lines += b1.markdown_rows(fig["B1"], lim["bare_post"], r["goals"]["B1"])
    b3 = fig["B3"]
    lines.append(
        f"| B3 | registry import: rows/s ({b3['rows']:,} rows; T1 ≈ {b3['t1_estimate_minutes']} "
        f"min) | {b3['rows_per_s']:,} | COPY {lim['copy_rows_per_s']:,} rows/s | "
        f"{b3['ratio_to_copy']}× | {r['goals']['B3']} |"
    )
    lines.append(b_outbox.markdown_row(fig["outbox"], r["goals"]["outbox"]))
    lines.append(b_eligible.markdown_row(fig["eligible"], r["goals"]["eligible"]))
    lines += b_me.markdown_rows(fig["me"], r["goals"]["me"])
    post = lim["bare_post"]
    rss = r["peak_rss_mib_per_worker"]
    lines += [
        "",
        f"Limits: bare transactional POST {post['rps']} rps (p95 {post['p95_ms']} ms); "
        f"GET by PK {pk['rps']} rps (p95 {pk['p95_ms']} ms); {scan}; "
        f"COPY into the indexed donation table {lim['copy_rows_per_s']:,} rows/s. "
        f"Load: {r['requests_per_run']} requests per run, {r['concurrency']} in flight "
        "(B4 warm: one at a time).",
        f"Peak RSS per web worker: max {rss['max']} MiB, median {rss['median']} MiB "
        f"({rss['workers_seen']} worker readings).",
    ]
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--tier", choices=["T0", "T1"], default="T0")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the tier")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--requests", type=int, default=500, help="requests per load run")
    parser.add_argument("--b4-requests", type=int, default=20, help="warm B4 requests per node")
    parser.add_argument("--cold-samples", type=int, default=3)
    parser.add_argument("--b3-donors", type=int, default=20_000, help="people in the B3 file")
    parser.add_argument("--outbox-messages", type=int, default=2000, help="messages sent")
    parser.add_argument("--eligible-donors", type=int, default=5000, help="donors given a reminder")
    parser.add_argument(
        "--no-cold-restart",
        dest="cold_restart",
        action="store_false",
        help="cold = first request after restarting gunicorn only (PostgreSQL left running)",
    )
    parser.add_argument("--b1-stations", type=int, default=40, help="concurrent B1 stations")
    parser.add_argument("--b1-drives", type=int, default=8, help="drives the stations serve")
    parser.add_argument("--b1-donors", type=int, default=400, help="donors registered for B1")
    parser.add_argument(
        "--growth",
        type=float,
        default=0.1,
        help="also run B4 on a data set this fraction of the scale, for the growth figure (0: off)",
    )
    parser.add_argument("--skip-migrate", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Path:
    args = parse(argv)
    env = _environment(args)
    result = measure(args, env)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"{dt.date.today().isoformat()}-{socket.gethostname()}"
    target = args.out / f"{stem}.json"
    target.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (args.out / f"{stem}.md").write_text(markdown(result))
    print(markdown(result))
    print(f"Results: {target}")
    return target


if __name__ == "__main__":
    if shutil.which("runuser") is None and os.geteuid() == 0:
        print("runuser not found: cold runs will not restart PostgreSQL", file=sys.stderr)
    main()

"""What bounds B1 (decision 0042): which statements wait on row locks while the stations run,
and where one profiled gunicorn worker spends its time (``BENCH_PROFILE``, bench/wsgi.py)."""

from __future__ import annotations

import pstats
import threading
from collections import Counter
from typing import Any


class LockWaits:
    """Samples, while the flow runs, which statements of the server's connections wait on a
    row lock in PostgreSQL (``pg_stat_activity``): the shared rows that serialise the
    stations (the audit chain head, a day summary, a DIN counter) show up by name."""

    def __init__(self, every: float = 0.1) -> None:
        self.every, self.samples = every, 0
        self.waiting: Counter[str] = Counter()
        self.busy: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        from django.db import connection

        query = (
            "SELECT wait_event_type, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'active'"
        )
        try:
            with connection.cursor() as cursor:
                while not self._stop.wait(self.every):
                    cursor.execute(query)
                    self.samples += 1
                    for kind, text in cursor.fetchall():
                        (self.waiting if kind == "Lock" else self.busy)[text] += 1
        finally:
            connection.close()

    def __enter__(self) -> LockWaits:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, Any]:
        """Per statement: in how many samples a connection waited on a lock running it."""
        return {
            "samples": self.samples,
            "waiting_on_a_lock": dict(self.waiting.most_common(8)),
            "running": dict(self.busy.most_common(8)),
        }


def profile_summary(path: str, top: int = 15) -> dict[str, list[str]]:
    """Where the profiled worker spent its time, as lines ``seconds  calls  function``:
    our functions by cumulative time (what a step costs, waits on the database included),
    and every function by its own time (what the processor did)."""
    profile = pstats.Stats(path).get_stats_profile()
    rows = [
        (f.cumtime, f.tottime, f.ncalls, f"{f.file_name.split('site-packages/')[-1]}:{name}")
        for name, f in profile.func_profiles.items()
    ]

    def lines(chosen: list[tuple[float, str, str]]) -> list[str]:
        chosen.sort(reverse=True)
        return [f"{t:8.2f} s {n:>9} {where}" for t, n, where in chosen[:top]]

    ours = [(c, n, w) for c, _t, n, w in rows if "/bloodline/" in w and "/tests/" not in w]
    waits = [f for name, f in profile.func_profiles.items() if _is_database_wait(name, f)]
    statements = [
        f.ncalls
        for name, f in profile.func_profiles.items()
        if name == "_execute" and f.file_name.endswith("django/db/backends/utils.py")
    ]
    return {
        "ours_cumulative": lines(ours),
        "all_self": lines([(t, n, w) for _c, t, n, w in rows]),
        "total_seconds": [f"{profile.total_tt:.2f}"],
        "database_wait_seconds": [f"{sum(f.cumtime for f in waits):.2f}"],
        "statements": statements[:1],
    }


def _is_database_wait(name: str, f: Any) -> bool:
    """psycopg waiting for PostgreSQL's answer (a lock, the server's work, the network)."""
    return name == "wait" and f.file_name.endswith("psycopg/connection.py")


def why(b1: dict[str, Any]) -> list[str]:
    """What bounds the flow, from the lock samples and the profiled worker."""
    waits = b1["postgresql"].get("lock_waits", {})
    found = [
        f"{n} × {text.split(chr(34))[1] if chr(34) in text else text}"
        for text, n in waits.get("waiting_on_a_lock", {}).items()
    ]
    lines = [
        f"row-lock waits in {waits.get('samples', 0)} samples of PostgreSQL: "
        + (", ".join(found) or "none")
    ]
    top = b1.get("profile", {}).get("top", {})
    run = b1.get("profile", {}).get("run", {})
    if top and run:
        served = sum(step["ok"] for step in run["steps"].values()) or 1
        total = float(top["total_seconds"][0])
        waited = float(top["database_wait_seconds"][0])
        statements = (top["statements"] or [0])[0]
        lines.append(
            f"one profiled worker: {1000 * total / served:.0f} ms per request, "
            f"{100 * waited / total if total else 0:.0f} % of it waiting on PostgreSQL, "
            f"{int(statements) / served:.0f} SQL statements per request"
        )
    return lines

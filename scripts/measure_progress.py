"""Quick local measurement (not part of the suite, not the benchmark harness): the progress
report before decision 0039 (donation scans, read from git) against the summaries, on a
district of UNITS units with DONATIONS donations, in a throwaway test database.

    export PYTHONPATH=. SECRET_KEY=x ALLOWED_HOSTS=127.0.0.1 DEBUG=1 \
        DJANGO_SETTINGS_MODULE=bloodline.settings
    .venv/bin/python scripts/measure_progress.py [donations] [units]
    scripts/with-postgres.sh env ... .venv/bin/python scripts/measure_progress.py 30000
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import subprocess
import sys
import time
import types
import zoneinfo
from dataclasses import astuple
from decimal import Decimal

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

OLD = "474d74c"  # main before decision 0039
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def old_progress() -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{OLD}:bloodline/reports/progress.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType("old_progress")
    sys.modules["old_progress"] = module  # dataclasses look their module up
    exec(compile(source, "old_progress.py", "exec"), module.__dict__)  # noqa: S102
    return module


def build(donations: int, units: int):  # type: ignore[no-untyped-def]
    from bloodline.collection import summaries
    from bloodline.collection.models import DailyCredit, Donation
    from bloodline.demo.factories import collection as factories
    from bloodline.demo.seed import seed
    from bloodline.organisations.models import Organisation
    from bloodline.programmes.models import Target
    from bloodline.reports.tests.test_progress_queries import planned_district

    demo = seed()
    plan, district, _ = planned_district(demo, units, 40_000_000)
    Target.objects.filter(plan=plan).update(amount=Decimal(10))
    unit_list = list(district.children.filter(kind="enterprise"))
    rng = random.Random(14)  # noqa: S311 (generated data, not secrets)
    people = factories.donors(donations // 2, unit_list[0], prefix="Bench")
    made = []
    for n in range(donations):
        whole = rng.random() < 0.9
        made.append(
            Donation(
                din=factories.next_din(),
                donor=people[rng.randrange(len(people))],
                establishment=demo.nodes["vn_centre"],
                collected_at=dt.datetime(2026, 1, 1, 8, tzinfo=HCM)
                + dt.timedelta(days=rng.randrange(365), hours=rng.randrange(10)),
                donation_type="whole_blood" if whole else "platelets",
                volume_ml=350,
                bag_volume_ml=350 if whole else None,
                credited_to=unit_list[n % len(unit_list)],
            )
        )
    Donation.objects.bulk_create(made, batch_size=2000)
    summaries.rebuild(Donation, Organisation, DailyCredit)
    return plan, district


def timed(report, plan, district, runs: int = 7) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        report(plan, district)
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> None:
    donations = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    units = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from bloodline.reports import progress

        plan, district = build(donations, units)
        old, new = old_progress().report(plan, district), progress.report(plan, district)
        same = [astuple(c.figures) for c in [old.total, *old.children]] == [
            astuple(c.figures) for c in [new.total, *new.children]
        ]
        if not same:
            print("old", old.total.figures, "new", new.total.figures)
        print(f"{connection.vendor} {name}: {donations} donations, {units} units, same={same}")
        for label, report in (("old", old_progress().report), ("new", progress.report)):
            median, worst = timed(report, plan, district)
            print(f"  {label}: median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms")
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            progress.report(plan, district)
        for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
            print(f"    {float(q['time']) * 1000:.0f} ms  {q['sql'][:150]}")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()

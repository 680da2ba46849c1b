"""B3: importing a legacy registry (decision 0045), beside the same-run COPY.

Writes a legacy CSV of ``donors`` people with their donation history (65 % repeat donors with
2–6 donations, the others one or none; about 1 % invalid rows, 0.5 % people already in the
registry and 0.5 % repeated inside the file), imports it into the first generated blood
centre through ``import_registry`` (the code ``manage.py import_registry`` and the upload
page run), and rolls it back so the other benchmarks see the generated data unchanged.

rows/s is every row of the file (taken or refused) over the import's wall time; the limit is
``COPY`` into the indexed donation table in the same run. The T1 estimate is the time the
measured rate needs for a flat file of T1's donations (QUALITY.md data tiers: 5 M).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
import time
from pathlib import Path
from typing import Any

T1_ROWS = 5_000_000  # QUALITY.md, tier T1: 5 M donations, one row each in a flat legacy file
HEADER = [
    "legacy_id",
    "full_name",
    "sex",
    "date_of_birth",
    "document_kind",
    "document_number",
    "phone",
    "blood_group",
    "donation_date",
    "donation_type",
    "volume_ml",
    "outcome",
]
GROUPS = ["O+", "A+", "B+", "AB+", "O-", "A-"]


def _number(rng: random.Random, born: dt.date, sex: str, taken: set[str]) -> str:
    century = (0 if born.year < 2000 else 2) + (0 if sex == "M" else 1)
    while True:
        # Province codes 90-96 only: the generated registry uses the whole range, so a
        # clash is possible but rare, and is then reported as a duplicate like any other.
        number = (
            f"{rng.randint(90, 96):03d}{century}{born.year % 100:02d}{rng.randrange(10**6):06d}"
        )
        if number not in taken:
            taken.add(number)
            return number


def _person(rng: random.Random, i: int, taken: set[str]) -> list[str]:
    sex = rng.choice("MF")
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
    return [
        f"LEG{i:08d}",
        f"Generated Person {i}",
        sex,
        born.isoformat(),
        "cccd",
        _number(rng, born, sex, taken),
        f"+849{rng.randrange(10**8):08d}",
        rng.choice(GROUPS),
    ]


def _history(rng: random.Random) -> list[dt.date]:
    visits = rng.randint(2, 6) if rng.random() < 0.65 else rng.randint(0, 1)
    day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(365))
    days = []
    for _ in range(visits):
        days.append(day)
        day += dt.timedelta(days=rng.randint(90, 400))
    return [d for d in days if d < dt.date.today()]


def write_file(path: Path, donors: int, seed: int, on_record: list[str]) -> int:
    """The legacy file; returns its number of data rows."""
    rng, taken, n = random.Random(seed), set[str](), 0
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(donors):
            person = _person(rng, i, taken)
            roll = rng.random()
            if roll < 0.005 and on_record:
                person[5] = rng.choice(on_record)  # already in the registry
            elif roll < 0.01 and i:
                person[0] = f"LEG{i - 1:08d}"  # the previous person again: refused
            days: list[dt.date | None] = [*_history(rng)] or [None]
            for day in days:
                donation = ["", "", "", ""]
                if day is not None:
                    donation = [day.isoformat(), "whole_blood", rng.choice(["250", "350"]), ""]
                    if rng.random() < 0.01:
                        donation[2] = "-1"  # invalid volume: refused
                out.writerow(person + donation)
                n += 1
    return n


def measure(probe: Any, donors: int, seed: int, copy_rows_per_s: float) -> dict[str, Any]:
    """Import a generated legacy file of ``donors`` people into the first generated blood
    centre; the figures for the results."""
    from django.db import transaction

    from bloodline.accounts.system import system_actor
    from bloodline.collection.registry_import import reading
    from bloodline.collection.registry_import.importer import import_registry
    from bloodline.organisations.kinds import Kind
    from bloodline.organisations.models import Organisation

    centre = Organisation.objects.filter(kind=Kind.BLOOD_CENTRE).order_by("pk").first()
    assert centre is not None, "the generated tree has no blood centre"
    on_record = probe.numbers[:100]
    with tempfile.TemporaryDirectory(prefix="bloodline-b3-") as tmp:
        path = Path(tmp) / "legacy.csv"
        rows = write_file(path, donors, seed, on_record)
        with transaction.atomic():
            by = system_actor()
            start = time.perf_counter()
            with path.open("rb") as stream:
                outcome = import_registry(
                    by=by,
                    establishment=centre,
                    rows=reading.read(stream),
                    source=f"bench-{seed}",
                    file_name=path.name,
                )
            elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
    rate = rows / elapsed if elapsed else 0.0
    counts = outcome.counts()
    return {
        "rows": rows,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rate),
        "ratio_to_copy": round(rate / copy_rows_per_s, 4) if copy_rows_per_s else None,
        "t1_estimate_minutes": round(T1_ROWS / rate / 60, 1) if rate else None,
        "counts": counts,
        "rejected_share": round(counts["rejected"] / rows, 4) if rows else 0.0,
    }

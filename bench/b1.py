"""B1, the drive-day flow through the HTTP API (QUALITY.md B1, decision 0042).

``prepare`` sets up running drives today, spread over the data set's blood centres and
credited to several host units each (as real drives are: one drive does not hold 40
stations), with donors registered through the registration action. ``run`` then drives
``stations`` concurrent clients ("stations"), each taking its donors one after another
through check-in → questionnaire → vital signs/Hb → physician → collection (the DIN) →
label data, over ``/api/v1/stations`` under gunicorn. About ``DEFERRED_SHARE`` of the donors
give a low Hb: the engine asks for review and the physician defers them, so they stop there.

The same flow also runs against a SQLite copy of the app (its own small world, migrated
and prepared in a subprocess: ``python -m bench.b1 prepare``), for the SQLite/PostgreSQL
ratio. ``BENCH_PROFILE=<file>`` makes the bench server's workers profile every request
(cProfile, bench/wsgi.py); bench/b1_bound.py reads it and the lock samples.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import random
import subprocess
import sys
import time
import uuid
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import b1_bound as bound
from bench.client import LATENCY_LOAD, Outcome, answer, request

# Share of donors who give a low Hb and are deferred (QUALITY.md B1: "20 % deferred").
DEFERRED_SHARE = 0.2
# Vital signs that pass, and the Hb that does not: plausible readings of the station forms
# (screening/plausibility.py), not thresholds of any rule set; the engine judges them.
HEALTHY = {
    "weight_kg": 62.0,
    "temperature_c": 36.6,
    "systolic": 120.0,
    "diastolic": 80.0,
    "pulse": 72.0,
    "hb_g_l": 140.0,
}
LOW_HB = 95.0
# The goals of QUALITY.md B1.
GOAL_DONATIONS_PER_S = 40
GOAL_RATIO = 0.2
GOAL_P95_MS = 150
GOAL_SQLITE = 0.5
ROOT = Path(__file__).resolve().parent.parent
STEPS = ("check_in", "answers", "vitals", "decision", "collection", "label")
CSRF = "benchbenchbenchbenchbenchbench12"  # any 32 letters: cookie and header agree


@dataclass
class Plan:
    """What the stations are given: a cookie, and per drive its registrations to scan."""

    cookie: str
    drives: dict[str, list[str]] = field(default_factory=dict)  # drive uuid -> registrations


# --- preparing (in the process that talks to the database) ---------------------------------


def _world_on_an_empty_database() -> None:
    """A fresh database (the SQLite copy) gets the generator's tree of one province and the
    blood centre's ISBT 128 facility; a generated database has them already."""
    from bench.generate import _tree
    from bloodline.collection.models import Facility
    from bloodline.organisations.models import Organisation

    if Facility.objects.exists():
        return
    tree = _tree(random.Random(1), 1)
    names = {f.attname for f in Organisation._meta.concrete_fields}
    Organisation.objects.bulk_create(
        Organisation(**{k: v for k, v in row.items() if k in names}) for row in tree.orgs
    )
    Facility.objects.create(establishment_id=tree.centres[0]["id"], fin="VBA00")


def _station_user(centres: list[Any]) -> Any:
    """One person who may run every station, the physician's included, at these centres."""
    from bloodline.accounts.models import User
    from bloodline.organisations.models import Membership
    from bloodline.organisations.roles import Role

    user = User.objects.create(username=f"bench-b1-{uuid.uuid4().hex[:8]}", full_name="Bench")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    for centre in centres:
        Membership.objects.create(
            user=user, organisation=centre, role=Role.PHYSICIAN, valid_from=dt.date(2000, 1, 1)
        )
    return user


def _running_drive(centre: Any, hosts: list[Any], n: int, beds: int) -> Any:
    from django.utils import timezone

    from bloodline.accounts.system import system_actor
    from bloodline.drives import actions
    from bloodline.drives.models import DriveStatus

    zone = zoneinfo.ZoneInfo(centre.effective_time_zone())
    today = timezone.localtime(timezone.now(), zone).date()
    by = system_actor()
    drive = actions.create_drive(
        by=by,
        establishment=centre,
        hosts=hosts,
        title=f"Bench B1 drive {n}",
        venue="Bench hall",
        starts_on=today,
        ends_on=today + dt.timedelta(days=1),
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 30),
        slot_minutes=1410,
        beds=beds,
    )
    for status in (DriveStatus.CONFIRMED, DriveStatus.RUNNING):
        drive = actions.change_status(by=by, drive=drive, status=status)
    return drive


def prepare(drives: int, donors: int, seed: int = 1) -> Plan:
    """``drives`` running drives today with ``donors`` registered donors between them."""
    from bench.run import _session_cookie
    from bloodline.accounts.system import system_actor
    from bloodline.collection.models import Facility
    from bloodline.drives import actions
    from bloodline.organisations.models import Kind, Organisation

    _world_on_an_empty_database()
    rng = random.Random(seed)
    centres = [f.establishment for f in Facility.objects.select_related("establishment")]
    user = _station_user(centres)
    plan = Plan(cookie=f"{_session_cookie(user.pk)}; csrftoken={CSRF}")
    per_drive = max(1, donors // drives)
    for n in range(drives):
        centre = centres[n % len(centres)]
        # The units of the centre's province (the generator puts a centre under its province).
        area = centre.parent or centre
        found = Organisation.objects.filter(path__startswith=area.path).filter(
            kind__in=[Kind.ENTERPRISE, Kind.SCHOOL, Kind.STATE_AGENCY, Kind.CLUB]
        )
        candidates = list(found.order_by("pk"))
        units = rng.sample(candidates, min(4, len(candidates)))  # from the seed: reproducible
        drive = _running_drive(centre, units, n, beds=per_drive + 1)
        slot = drive.slots.order_by("starts_at").first()
        booked = plan.drives.setdefault(str(drive.uuid), [])
        for i in range(per_drive):
            sex = rng.choice("MF")
            result = actions.register_person(
                by=system_actor(),
                drive=drive,
                slot=slot,
                full_name=f"Bench donor {n}.{i}",
                date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=rng.randrange(9000)),
                sex=sex,
                phone="",
                unit=units[i % len(units)],
            )
            booked.append(str(result.registration.uuid))
    return plan


# --- running (the load client; no database) -------------------------------------------------


@dataclass
class Flow:
    """What a run measured: per-step outcomes and the donations made."""

    steps: dict[str, Outcome] = field(default_factory=lambda: {s: Outcome() for s in STEPS})
    donations: int = 0
    deferred: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self, bare_post_rps: float = 0.0) -> dict[str, Any]:
        for outcome in self.steps.values():
            outcome.seconds = self.seconds
        api_requests = sum(o.ok for o in self.steps.values())
        rate = self.donations / self.seconds if self.seconds else 0.0
        step_rps = api_requests / self.seconds if self.seconds else 0.0
        return {
            "donations": self.donations,
            "deferred": self.deferred,
            "failed": dict(self.failed),
            "seconds": round(self.seconds, 3),
            "donations_per_s": round(rate, 2),
            "step_requests_per_s": round(step_rps, 1),
            "ratio_to_bare_post": round(step_rps / bare_post_rps, 4) if bare_post_rps else None,
            "p95_ms": {name: o.summary()["p95_ms"] for name, o in self.steps.items()},
            "steps": {name: o.summary() for name, o in self.steps.items()},
        }


def _post(path: str, cookie: str, body: dict[str, Any]) -> bytes:
    headers = {"X-CSRFToken": CSRF, "Accept-Language": "en"}
    return request("POST", path, cookie, json.dumps(body).encode(), headers)


async def _step(
    port: int, flow: Flow, name: str, raw: bytes, want: int = 200
) -> dict[str, Any] | None:
    outcome = flow.steps[name]
    outcome.requests += 1
    try:
        status, body, seconds = await answer(port, raw)
    except OSError:
        status, body, seconds = 0, b"", 0.0
    outcome.statuses[status] += 1
    if status != want:
        flow.failed[f"{name} {status}"] += 1
        return None
    outcome.ok += 1
    outcome.latencies_ms.append(seconds * 1000)
    found: dict[str, Any] = json.loads(body)
    return found


async def _donor(
    port: int, flow: Flow, cookie: str, drive: str, registration: str, deferred: bool
) -> None:
    base = f"/api/v1/stations/{drive}"
    came = await _step(
        port, flow, "check_in", _post(f"{base}/check-in", cookie, {"scan": registration}), 201
    )
    if came is None:
        return
    at = f"{base}/presentations/{came['uuid']}"
    answers = {q["code"]: "no" for q in came["questions"]}
    if await _step(port, flow, "answers", _post(f"{at}/answers", cookie, {"answers": answers})):
        vitals = HEALTHY | ({"hb_g_l": LOW_HB} if deferred else {})
        measured = await _step(port, flow, "vitals", _post(f"{at}/vitals", cookie, vitals))
        if measured is not None:
            await _decide(port, flow, cookie, at, measured)


async def _decide(port: int, flow: Flow, cookie: str, at: str, measured: dict[str, Any]) -> None:
    volumes = measured["offered_volumes_ml"]
    if measured["engine_outcome"] != "eligible" or not volumes:
        until = (dt.date.today() + dt.timedelta(days=90)).isoformat()
        body = {"decision": "defer", "reason": "Hb", "until": until}
        if await _step(port, flow, "decision", _post(f"{at}/decision", cookie, body)):
            flow.deferred += 1
        return
    volume = max(volumes)
    body = {"decision": "accept", "volume_ml": volume}
    if not await _step(port, flow, "decision", _post(f"{at}/decision", cookie, body)):
        return
    now = dt.datetime.now(dt.UTC)
    collected = await _step(
        port,
        flow,
        "collection",
        _post(
            f"{at}/collection",
            cookie,
            {
                "bag_type": "triple",
                "volume_ml": volume,
                "started_at": (now - dt.timedelta(minutes=10)).isoformat(),
                "ended_at": now.isoformat(),
            },
        ),
        201,
    )
    if collected is None:
        return
    flow.donations += 1
    label = request("GET", f"/api/v1/stations/labels/{collected['din']}", cookie)
    await _step(port, flow, "label", label)


def _stations(plan: Plan, stations: int, seed: int) -> list[list[tuple[str, str, bool]]]:
    """Each station's donors: a drive's stations share its registrations."""
    rng = random.Random(seed)
    lanes: list[list[tuple[str, str, bool]]] = [[] for _ in range(stations)]
    drives = list(plan.drives.items())
    by_drive: dict[int, list[int]] = defaultdict(list)
    for s in range(stations):
        by_drive[s % len(drives)].append(s)
    for d, (drive, registrations) in enumerate(drives):
        own = by_drive.get(d, [])
        for i, registration in enumerate(registrations):
            if own:
                deferred = rng.random() < DEFERRED_SHARE
                lanes[own[i % len(own)]].append((drive, registration, deferred))
    return lanes


def run(port: int, plan: Plan, stations: int, seed: int = 1, rate: float | None = None) -> Flow:
    """Every station takes its donors through the flow; all stations at once. With ``rate``
    (donors per second) donors arrive on a fixed schedule instead (open loop, decision
    0049): donor ``k`` starts at ``k / rate`` seconds whether or not those before are done,
    taken in turn from the stations' queues."""
    flow = Flow()
    lanes = _stations(plan, stations, seed)

    async def lane(donors: list[tuple[str, str, bool]]) -> None:
        for drive, registration, deferred in donors:
            await _donor(port, flow, plan.cookie, drive, registration, deferred)

    async def arriving(k: int, donor: tuple[str, str, bool], start: float) -> None:
        assert rate is not None
        delay = start + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await _donor(port, flow, plan.cookie, *donor)

    async def everyone() -> None:
        if rate is None:
            await asyncio.gather(*(lane(donors) for donors in lanes))
            return
        turns = [d for row in itertools.zip_longest(*lanes) for d in row if d is not None]
        start = time.perf_counter()
        await asyncio.gather(*(arriving(k, d, start) for k, d in enumerate(turns)))

    start = time.perf_counter()
    asyncio.run(everyone())
    flow.seconds = time.perf_counter() - start
    return flow


def markdown_rows(b1: dict[str, Any], post: dict[str, Any], goal: str) -> list[str]:
    """B1's rows of the results table, and what bounds it when a goal is missed."""
    pg, lite = b1["postgresql"], b1["sqlite"]
    worst = max(pg["p95_ms"].items(), key=lambda kv: kv[1], default=("", 0.0))
    steps = ", ".join(f"{k} {v}" for k, v in pg["p95_ms"].items())
    rows = [
        f"| B1 | drive-day flow, {b1['stations']} stations on {b1['drives']} drives: "
        f"donations/s (API steps/s) | {pg['donations_per_s']} ({pg['step_requests_per_s']}) | "
        f"bare POST {post['rps']} rps | {pg['ratio_to_bare_post']}× | {goal} |",
        f"| B1 | p95 per step at saturation, ms | {steps} | worst {worst[0]} | — | {goal} |",
        f"| B1 | SQLite copy: donations/s | {lite['donations_per_s']} | PostgreSQL "
        f"{pg['donations_per_s']} | {b1['sqlite_to_postgresql']}× | SQLite ≥ 0.5× PostgreSQL |",
    ]
    paced = pg.get("paced")
    if paced:
        p95 = paced["p95_ms"]
        slowest = max(p95.items(), key=lambda kv: kv[1], default=("", 0.0))
        rows.append(
            f"| B1 | p95 per step with donors arriving at {paced['donors_per_s']}/s (half load, "
            f"open loop): {paced['donations_per_s']} donations/s, ms | "
            + ", ".join(f"{k} {v}" for k, v in p95.items())
            + f" | worst {slowest[0]} | — | p95 < 150 ms per step |"
        )
    return rows + [f"| B1 | {line} | | | | |" for line in bound.why(b1)]


def main(argv: list[str]) -> None:
    """``python -m bench.b1 prepare DRIVES DONORS``: migrate the database the environment
    names, prepare the drives, print the plan as JSON (the SQLite copy's setup)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    plan = prepare(int(argv[1]), int(argv[2]))
    print(json.dumps(asdict(plan)))


if __name__ == "__main__":
    main(sys.argv[1:])


# --- the whole benchmark, called by bench.run --------------------------------------------------


def _sqlite_plan(env: dict[str, str], folder: Path, drives: int, donors: int) -> Plan:
    """Migrate a fresh SQLite file and prepare the drives there (a subprocess: this process
    is bound to PostgreSQL)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.b1", "prepare", str(drives), str(donors)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the SQLite copy could not be prepared: {done.stderr[-2000:]}")
    return Plan(**json.loads(done.stdout.strip().splitlines()[-1]))


def _served(env: dict[str, str], workers: int, folder: Path, plan: Plan, stations: int) -> Flow:
    from bench.run import Server

    server = Server(env, workers, folder)
    try:
        server.start()
        return run(server.port, plan, stations)
    finally:
        server.stop()


def measure(
    env: dict[str, str], args: Any, port: int, bare_post_rps: float, folder: Path
) -> dict[str, Any]:
    """B1 on PostgreSQL (the running server), on a SQLite copy, and — when a goal is missed
    — the profile of one worker running the flow."""
    plan = prepare(args.b1_drives, args.b1_donors, args.seed)
    with bound.LockWaits() as waits:
        flow = run(port, plan, args.b1_stations, args.seed)
    postgresql = flow.summary(bare_post_rps) | {"lock_waits": waits.summary()}
    # Latency at a load the box carries: donors arriving at half the rate just managed.
    rate = LATENCY_LOAD * postgresql["donations_per_s"] / (1 - DEFERRED_SHARE)
    paced_plan = prepare(args.b1_drives, args.b1_donors // 2, args.seed + 2)
    paced_flow = run(port, paced_plan, args.b1_stations, args.seed + 2, rate=rate)
    postgresql["paced"] = paced_flow.summary(bare_post_rps) | {"donors_per_s": round(rate, 2)}
    sqlite_env = env | {"DATABASE_URL": f"sqlite:///{folder / 'b1.sqlite3'}"}
    sqlite_plan = _sqlite_plan(sqlite_env, folder, args.b1_drives, args.b1_donors)
    (folder / "sqlite").mkdir(exist_ok=True)
    sqlite = _served(sqlite_env, args.workers, folder / "sqlite", sqlite_plan, args.b1_stations)
    result: dict[str, Any] = {
        "postgresql": postgresql,
        "sqlite": sqlite.summary(),
        "sqlite_to_postgresql": (
            round(sqlite.summary()["donations_per_s"] / postgresql["donations_per_s"], 3)
            if postgresql["donations_per_s"]
            else None
        ),
        "stations": args.b1_stations,
        "drives": args.b1_drives,
    }
    result["goals_met"] = goals_met(result)
    if not all(result["goals_met"].values()):
        result["profile"] = _profile(env, args, folder)
    return result


def goals_met(result: dict[str, Any]) -> dict[str, bool]:
    pg = result["postgresql"]
    paced_worst = max(pg.get("paced", {}).get("p95_ms", {}).values(), default=0.0)
    return {
        "donations_per_s >= 40": pg["donations_per_s"] >= GOAL_DONATIONS_PER_S,
        "ratio_to_bare_post >= 0.2": (pg["ratio_to_bare_post"] or 0) >= GOAL_RATIO,
        "p95 < 150 ms per step at half load": 0 < paced_worst < GOAL_P95_MS,
        "sqlite >= 0.5x postgresql": (result["sqlite_to_postgresql"] or 0) >= GOAL_SQLITE,
    }


def _profile(env: dict[str, str], args: Any, folder: Path) -> dict[str, Any]:
    """One gunicorn worker, profiled, serving a shorter run of the same flow."""
    target = folder / "b1.prof"
    plan = prepare(args.b1_drives, max(5 * args.b1_drives, args.b1_donors // 4), args.seed + 1)
    (folder / "profile").mkdir(exist_ok=True)
    flow = _served(env | {"BENCH_PROFILE": str(target)}, 1, folder / "profile", plan, 8)
    dumps = sorted(folder.glob("b1.prof.*"))
    return {
        "workers": 1,
        "stations": 8,
        "run": flow.summary(),
        "top": bound.profile_summary(str(dumps[-1])) if dumps else {},
    }

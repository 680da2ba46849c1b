"""A reproducible benchmark data set, loaded with PostgreSQL COPY (decision 0040).

``generate(tier, scale, seed)`` builds, from ``random.Random(seed)`` alone, an organisation
tree (country → provinces → districts → communes → member units, a blood centre and a
steering committee per province), donors with encrypted phones and identity numbers (the
project's own field encryption and blind index, decision 0033), drives, presentations,
donations and deferrals, and one issued plan with targets on every node, and COPYs them into
the tables. The same tier, scale and seed give the same rows, except the random
``uuid``/ciphertext nonces, which the benchmarks never read.

Shape (QUALITY.md "Data tiers"; the shares are generator parameters, not domain rules):
- about 65 % of donors give more than once (repeat share 60-70 %), the rest once;
- about 15 % of presentations end deferred (deferral rate 10-20 %);
- drives are held less often around the lunar new year and in the summer holidays
  (seasonal dips), and some donors wait past a dip month for a later drive;
- a donor's donations are at least 12 weeks apart (whole blood, VN-TT26-2013 [S36]).

What is not generated: components and lab results (the tiers' last two columns; no
benchmark here reads them yet), registrations, consents, users other than the one bench
person, and audit events: bench rows are loaded as facts, not through actions, so the audit
trail does not describe them (the hash chain stays valid: nothing is appended to it).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone
from psycopg.types.json import Jsonb

from bloodline.accounts.models import User
from bloodline.collection import donor_windows, summaries
from bloodline.collection.models import DailyCredit, DinCounter, Donation, Facility
from bloodline.donors.models import Donor, IdentityDocument
from bloodline.donors.names import name_key
from bloodline.drives.models import Drive
from bloodline.lib.crypto import BlindIndexField, EncryptedTextField
from bloodline.organisations import tally as tree_tally
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Membership, Organisation, Tally, TallyWindow, segment
from bloodline.organisations.roles import Role
from bloodline.organisations.tally import REASON
from bloodline.programmes.models import Plan, Round, Target
from bloodline.screening import summaries as screening_summaries
from bloodline.screening.models import DailyDeferralReason, DailyScreening, Deferral, Presentation

RULE_SET = "VN-TT26-2013"
ZONE = "Asia/Ho_Chi_Minh"
# 12 weeks between whole-blood donations, VN-TT26-2013 Art. 6 [S36].
MIN_GAP_DAYS = 12 * 7
# The generated history: three whole years; the plan covers the last one.
FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
PLAN_YEAR = 2025

# Generator parameters (shape only, QUALITY.md "Data tiers"): not rules of any jurisdiction.
REPEAT_SHARE = 0.65
DEFERRAL_SHARE = 0.15
INCOMPLETE_SHARE = 0.02
# Relative chance that a district holds a drive on a day of each month: fewer around the
# lunar new year (Jan-Feb) and in the summer school holidays (Jun-Aug).
MONTH_WEIGHT = (0.7, 0.5, 1.1, 1.1, 1.0, 0.8, 0.8, 0.85, 1.05, 1.1, 1.1, 1.0)
PEAK = max(MONTH_WEIGHT)
DRIVE_DAY_CHANCE = 0.2
DONATIONS_PER_DISTRICT_T0 = 15_000
# Mean days a repeat donor waits beyond the minimum interval.
EXTRA_GAP_DAYS = 60
# Illustrative ABO shares of a Vietnamese donor population and a small RhD-negative share.
ABO_SHARES = (("O", 0.42), ("B", 0.31), ("A", 0.21), ("AB", 0.06))
RHD_NEGATIVE_SHARE = 0.001
# Donation types and whole-blood bag sizes offered under VN-TT26-2013 (250/350/450 mL [S36]).
TYPE_SHARES = (("whole_blood", 0.92), ("platelets", 0.05), ("plasma", 0.03))
BAG_SHARES = ((250, 0.40), (350, 0.45), (450, 0.15))
APHERESIS_ML = {"platelets": 250, "plasma": 500}
DEFERRAL_CODES = ("hb.low", "weight.low", "bp.systolic_high", "temperature.high", "pulse.high")

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Kim", "Xuân")
GIVEN = (
    *("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Khánh", "Lan"),
    *("Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn", "Thảo", "Tú"),
)
UNIT_KINDS = (Kind.ENTERPRISE, Kind.SCHOOL, Kind.STATE_AGENCY, Kind.YOUTH_UNION, Kind.CLUB)


@dataclass(frozen=True)
class Tier:
    name: str
    donors: int
    donations: int
    provinces: int


TIERS = {
    "T0": Tier("T0", donors=100_000, donations=300_000, provinces=2),
    "T1": Tier("T1", donors=2_000_000, donations=5_000_000, provinces=10),
}
DISTRICTS_PER_PROVINCE = 10
COMMUNES_PER_DISTRICT = 10
UNITS_PER_COMMUNE = 10


@dataclass
class Probe:
    """What a benchmark asks for: nodes, a plan, a person and donors to look up."""

    plan_uuid: str = ""
    province_uuid: str = ""
    district_uuid: str = ""
    user_id: int = 0
    donor_pks: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    dins: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _pick(rng: random.Random, shares: Sequence[tuple[Any, float]]) -> Any:
    x, acc = rng.random(), 0.0
    for value, share in shares:
        acc += share
        if x < acc:
            return value
    return shares[-1][0]


def _next_id(model: type[Model]) -> int:
    return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def copy_rows(model: type[Model], rows: Iterable[dict[str, Any]]) -> int:
    """COPY ``rows`` (attribute name → value) into ``model``'s table. Missing attributes take
    the field's default; dicts and lists go in as JSON. Returns the number of rows."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    # The primary key is left to the database when the rows do not give it.
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in first]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    now = timezone.now()
    n = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in itertools.chain([first], rows):
            values = []
            for f in fields:
                if f.attname in row:
                    value = row[f.attname]
                elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    value = now
                else:
                    value = f.get_default()  # "" for a text column without a default
                if isinstance(value, dict | list):
                    value = Jsonb(value)
                values.append(value)
            copy.write_row(values)
            n += 1
    return n


def _reset_sequences(models: Sequence[type[Model]]) -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


@dataclass
class _Tree:
    country: int = 0
    orgs: list[dict[str, Any]] = field(default_factory=list)
    provinces: list[dict[str, Any]] = field(default_factory=list)
    centres: list[dict[str, Any]] = field(default_factory=list)
    committees: list[dict[str, Any]] = field(default_factory=list)
    districts: list[dict[str, Any]] = field(default_factory=list)
    communes: list[dict[str, Any]] = field(default_factory=list)
    # member units per district (index into ``districts``)
    units: list[list[dict[str, Any]]] = field(default_factory=list)


def _tree(rng: random.Random, provinces: int) -> _Tree:
    tree = _Tree()
    next_id = _next_id(Organisation)

    def node(kind: str, name: str, parent: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
        nonlocal next_id
        pk, next_id = next_id, next_id + 1
        path = (parent["path"] if parent else "") + segment(pk)
        row = {
            "id": pk,
            "uuid": uuid.uuid4(),
            "kind": kind,
            "name": name,
            "name_translations": {},
            "official_code": "",
            "parent_id": parent["id"] if parent else None,
            "path": path,
            "depth": len(path) // 8 - 1,
            "time_zone": "",
            "jurisdiction": "",
            **extra,
        }
        tree.orgs.append(row)
        return row

    country = node(Kind.COUNTRY, "Bench country", None, time_zone=ZONE)
    tree.country = country["id"]
    for p in range(provinces):
        province = node(Kind.PROVINCE, f"Bench province {p + 1}", country)
        tree.provinces.append(province)
        tree.centres.append(
            node(
                Kind.BLOOD_CENTRE,
                f"Bench blood centre {p + 1}",
                province,
                time_zone=ZONE,
                jurisdiction=RULE_SET,
            )
        )
        tree.committees.append(
            node(Kind.STEERING_COMMITTEE, f"Bench steering committee {p + 1}", province)
        )
        for d in range(DISTRICTS_PER_PROVINCE):
            district = node(Kind.DISTRICT, f"Bench district {p + 1}.{d + 1}", province)
            district["province"] = p
            tree.districts.append(district)
            units: list[dict[str, Any]] = []
            for c in range(COMMUNES_PER_DISTRICT):
                commune = node(Kind.COMMUNE, f"Bench commune {p + 1}.{d + 1}.{c + 1}", district)
                tree.communes.append(commune)
                for u in range(UNITS_PER_COMMUNE):
                    kind = UNIT_KINDS[rng.randrange(len(UNIT_KINDS))]
                    units.append(node(kind, f"Bench unit {p + 1}.{d + 1}.{c + 1}.{u + 1}", commune))
            tree.units.append(units)
    return tree


def _drive_days(rng: random.Random, chance: float) -> list[dt.date]:
    days, day = [], FIRST_DAY
    while day <= LAST_DAY:
        if rng.random() < chance * MONTH_WEIGHT[day.month - 1]:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# Identity numbers given out by this process, so a second data set in the same database
# (the B4 growth run, bench/b4.py) never repeats one.
_NUMBERS_GIVEN: set[str] = set()


def _vn_number(rng: random.Random, born: dt.date, sex: str, taken: set[str]) -> str:
    """A 12-digit Vietnamese citizen identity number that encodes the birth year and sex."""
    century = (0 if born.year < 2000 else 2) + (0 if sex == "M" else 1)
    while True:
        number = f"{rng.randint(1, 96):03d}{century}{born.year % 100:02d}{rng.randrange(10**6):06d}"
        if number not in taken:
            taken.add(number)
            return number


def _instant(day: dt.date, minutes: int) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(7, 0), tzinfo=ZoneInfo(ZONE)) + dt.timedelta(
        minutes=minutes
    )


def generate(
    tier: str = "T0", scale: float = 1.0, seed: int = 1, probes: int = 200, fin: str = "VB"
) -> Probe:
    """Generate and COPY the tier (times ``scale``) in one transaction; return the probes.
    ``fin`` starts the facility numbers (and so the DINs): a second data set in the same
    database needs its own."""
    base = TIERS[tier]
    n_donors = max(20, int(base.donors * scale))
    n_donations = max(40, int(base.donations * scale))
    n_provinces = max(1, round(base.provinces * min(1.0, scale))) if scale < 1 else base.provinces
    with transaction.atomic():
        return _generate(random.Random(seed), n_donors, n_donations, n_provinces, probes, fin)


def _generate(
    rng: random.Random,
    n_donors: int,
    n_donations: int,
    n_provinces: int,
    n_probes: int,
    fin: str = "VB",
) -> Probe:
    probe = Probe()
    tree = _tree(rng, n_provinces)
    probe.counts["organisations"] = copy_rows(Organisation, tree.orgs)

    # One person who runs the benchmarks: committee member of province 1 (progress) and drive
    # nurse at its blood centre (donor lookups); created through the ORM (two rows).
    user = User.objects.create(username=f"bench-{uuid.uuid4().hex[:8]}", full_name="Bench")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    probe.user_id = user.pk
    since = dt.date(2000, 1, 1)
    Membership.objects.create(
        user=user,
        organisation_id=tree.committees[0]["id"],
        role=Role.COMMITTEE_MEMBER,
        valid_from=since,
    )
    Membership.objects.create(
        user=user,
        organisation_id=tree.centres[0]["id"],
        role=Role.DRIVE_NURSE,
        valid_from=since,
    )
    facilities = [
        Facility.objects.create(
            establishment_id=c["id"], fin=f"{fin}{chr(65 + i % 14)}{i % 100:02d}"
        )
        for i, c in enumerate(tree.centres)
    ]

    # Drives: each district holds drives on its own days, run by its province's centre.
    drive_rows: list[dict[str, Any]] = []
    days_by_district: list[list[dt.date]] = []
    drive_of: dict[tuple[int, dt.date], int] = {}
    next_drive = _next_id(Drive)
    # About 70 donations per drive at T0; fewer drive days on a smaller scale.
    per_district = n_donations / len(tree.districts)
    chance = DRIVE_DAY_CHANCE * min(1.0, per_district / DONATIONS_PER_DISTRICT_T0)
    for d, district in enumerate(tree.districts):
        days = _drive_days(rng, max(chance, 0.01))
        days_by_district.append(days)
        for day in days:
            drive_of[(d, day)] = next_drive
            drive_rows.append(
                {
                    "id": next_drive,
                    "title": f"{district['name']} {day.isoformat()}",
                    "establishment_id": tree.centres[district["province"]]["id"],
                    "venue": district["name"],
                    "starts_on": day,
                    "ends_on": day,
                    "opens_at": dt.time(7, 0),
                    "closes_at": dt.time(11, 30),
                    "expected_units": 80,
                    "status": "closed",
                }
            )
            next_drive += 1
    probe.counts["drives"] = copy_rows(Drive, drive_rows)

    # Donors and their donation days.
    phone_field = Donor._meta.get_field("phone")
    phone_index = Donor._meta.get_field("phone_index")
    number_field = IdentityDocument._meta.get_field("number")
    number_index = IdentityDocument._meta.get_field("number_index")
    assert isinstance(phone_field, EncryptedTextField) and isinstance(phone_index, BlindIndexField)
    assert isinstance(number_field, EncryptedTextField)
    assert isinstance(number_index, BlindIndexField)
    mean = n_donations / n_donors
    extra_mean = max(0.0, (mean - (1 - REPEAT_SHARE)) / REPEAT_SHARE - 2)
    stop = 1 / (1 + extra_mean)
    donor_rows: list[dict[str, Any]] = []
    document_rows: list[dict[str, Any]] = []
    visits: list[tuple[int, int, dt.date]] = []  # (donor index, district, day)
    taken = _NUMBERS_GIVEN  # across calls: the B4 growth run loads two data sets
    first_donor = _next_id(Donor)
    first_document = _next_id(IdentityDocument)
    n_districts = len(tree.districts)
    confirmed_at = _instant(FIRST_DAY, 0)
    district_of: list[int] = []
    for i in range(n_donors):
        d = rng.randrange(n_districts)
        district_of.append(d)
        units = tree.units[d]
        sex = "M" if rng.random() < 0.55 else "F"
        born = dt.date(1965 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))
        name = f"{FAMILY[rng.randrange(len(FAMILY))]} {MIDDLE[rng.randrange(len(MIDDLE))]} "
        name += GIVEN[rng.randrange(len(GIVEN))]
        phone = f"+849{rng.randrange(10**8):08d}"
        number = _vn_number(rng, born, sex, taken)
        abo = _pick(rng, ABO_SHARES)
        rhd = "neg" if rng.random() < RHD_NEGATIVE_SHARE else "pos"
        pk = first_donor + i
        donor_rows.append(
            {
                "id": pk,
                "full_name": name,
                "name_key": name_key(name),
                "date_of_birth": born,
                "sex": sex,
                "phone": phone_field.get_prep_value(phone),
                "phone_index": phone_index.digest(phone),
                "preferred_language": "vi",
                "affiliation_id": units[rng.randrange(len(units))]["id"],
                "registry_id": tree.country,
                "abo_declared": abo,
                "rhd_declared": rhd,
                "abo_confirmed": abo,
                "rhd_confirmed": rhd,
                "confirmed_at": confirmed_at,
            }
        )
        document_rows.append(
            {
                "id": first_document + i,
                "donor_id": pk,
                "kind": "vn_citizen_identity_card",
                "number": number_field.get_prep_value(number),
                "number_index": number_index.digest(number),
                "issuing_country": "VN",
            }
        )
        if len(probe.numbers) < n_probes and rng.random() < 0.5:
            probe.numbers.append(number)
            probe.phones.append(phone)
            probe.donor_pks.append(pk)
        count = 1
        if rng.random() < REPEAT_SHARE:
            count = 2
            while rng.random() > stop:
                count += 1
        days = days_by_district[d]
        # Start early enough for the donor's visits to fit in the window (most do).
        room = (LAST_DAY - FIRST_DAY).days - (count - 1) * (MIN_GAP_DAYS + EXTRA_GAP_DAYS + 5)
        wanted = FIRST_DAY + dt.timedelta(days=rng.randrange(max(1, room)))
        for _ in range(count):
            k = bisect.bisect_left(days, wanted)
            # Fewer donors come in the dip months: some wait for a later drive.
            while k < len(days) and rng.random() > MONTH_WEIGHT[days[k].month - 1] / PEAK:
                k += 1
            if k >= len(days):
                break
            visits.append((i, d, days[k]))
            wanted = days[k] + dt.timedelta(
                days=MIN_GAP_DAYS + int(rng.expovariate(1 / EXTRA_GAP_DAYS))
            )
    probe.counts["donors"] = copy_rows(Donor, donor_rows)
    probe.counts["identity_documents"] = copy_rows(IdentityDocument, document_rows)

    # Presentations: every visit ends in a donation, plus deferred ones (another visit of a
    # donor of the district, on a day the donor did not give).
    given = {(i, day) for i, _d, day in visits}
    n_deferred = int(len(visits) * DEFERRAL_SHARE / (1 - DEFERRAL_SHARE))
    deferred: list[tuple[int, int, dt.date]] = []
    while len(deferred) < n_deferred:
        i = rng.randrange(n_donors)
        d = district_of[i]
        days = days_by_district[d]
        day = days[rng.randrange(len(days))]
        if (i, day) not in given:
            given.add((i, day))
            deferred.append((i, d, day))
    staff = user.pk
    facility_of = {f.establishment_id: f for f in facilities}
    sequences: dict[tuple[int, int], int] = {}
    next_presentation = _next_id(Presentation)
    next_donation = _next_id(Donation)
    next_deferral = _next_id(Deferral)
    visits.sort(key=lambda v: (v[2], v[1], v[0]))
    collected: list[dt.datetime] = []

    every = max(1, len(visits) // n_probes)

    def donations() -> Iterator[dict[str, Any]]:
        for n, (i, d, day) in enumerate(visits):
            donor = donor_rows[i]
            centre = tree.centres[tree.districts[d]["province"]]["id"]
            kind = _pick(rng, TYPE_SHARES)
            bag = _pick(rng, BAG_SHARES) if kind == "whole_blood" else None
            complete = rng.random() >= INCOMPLETE_SHARE
            volume = (bag or APHERESIS_ML[kind]) - rng.randrange(10)
            if not complete:
                volume = max(1, volume // 2)
            facility = facility_of[centre]
            key = (facility.pk, day.year % 100)
            sequences[key] = sequences.get(key, 0) + 1
            at = _instant(day, 30 + rng.randrange(240))
            collected.append(at)
            din = f"{facility.fin}{day.year % 100:02d}{sequences[key]:06d}"
            if n % every == 0 and len(probe.dins) < n_probes:  # spread, without the rng
                probe.dins.append(din)
            yield {
                "id": next_donation + n,
                "din": din,
                "donor_id": donor["id"],
                "drive_id": drive_of[(d, day)],
                "establishment_id": centre,
                "collected_at": at,
                "donation_type": kind,
                "volume_ml": volume,
                "bag_volume_ml": bag,
                "outcome": "complete" if complete else "incomplete",
                "incomplete_reason": "" if complete else "poor_flow",
                "credited_to_id": donor["affiliation_id"],
                "bag_type": "double" if bag else "",
                "started_at": at - dt.timedelta(minutes=8),
                "ended_at": at,
            }

    probe.counts["donations"] = copy_rows(Donation, donations())
    DinCounter.objects.bulk_create(
        DinCounter(facility_id=f, year=y, last_sequence=s) for (f, y), s in sequences.items()
    )

    def presentations() -> Iterator[dict[str, Any]]:
        for n, (i, d, day) in enumerate(visits):
            at = collected[n]
            row = _presentation(next_presentation + n, donor_rows[i]["id"], drive_of[(d, day)], at)
            # donation ids follow the visits' order
            row.update(checked_in_by_id=staff, decided_by_id=staff, donation_id=next_donation + n)
            row.update(credited_to_id=donor_rows[i]["affiliation_id"])
            yield row
        for n, (i, d, day) in enumerate(deferred):
            at = _instant(day, rng.randrange(240))
            row = _presentation(
                next_presentation + len(visits) + n, donor_rows[i]["id"], drive_of[(d, day)], at
            )
            row.update(step="deferred", decision="defer", volume_ml=None)
            row.update(checked_in_by_id=staff, decided_by_id=staff)
            row.update(credited_to_id=donor_rows[i]["affiliation_id"])
            yield row

    rows = list(presentations())
    probe.counts["presentations"] = copy_rows(Presentation, rows)

    def deferrals() -> Iterator[dict[str, Any]]:
        for n, row in enumerate(rows[len(visits) :]):
            day = row["arrived_at"].date()
            yield {
                "id": next_deferral + n,
                "donor_id": row["donor_id"],
                "presentation_id": row["id"],
                "code": DEFERRAL_CODES[rng.randrange(len(DEFERRAL_CODES))],
                "reason": "",
                "source": RULE_SET,
                "starts_on": day,
                "until": day + dt.timedelta(days=7 + rng.randrange(30)),
            }

    probe.counts["deferrals"] = copy_rows(Deferral, deferrals())

    # One issued plan for province 1 with a target on every node under it.
    province, committee = tree.provinces[0], tree.committees[0]
    plan = Plan.objects.create(
        issuer_id=committee["id"],
        area_id=province["id"],
        number="BENCH-1/KH",
        issued_on=dt.date(PLAN_YEAR - 1, 12, 20),
        title="Bench plan",
        period_start=dt.date(PLAN_YEAR, 1, 1),
        period_end=dt.date(PLAN_YEAR, 12, 31),
        measure="donations",
        base_volume_ml=250,
        rule_set=RULE_SET,
        status="issued",
    )
    # Four quarterly rounds, as committees plan them (each is a window of distinct donors).
    for q, (first, last) in enumerate(((1, 3), (4, 6), (7, 9), (10, 12)), start=1):
        Round.objects.create(
            plan=plan,
            name=f"Q{q}",
            starts_on=dt.date(PLAN_YEAR, first, 1),
            ends_on=(
                dt.date(PLAN_YEAR + 1, 1, 1) if last == 12 else dt.date(PLAN_YEAR, last + 1, 1)
            )
            - dt.timedelta(days=1),
        )
    low = province["path"]
    targets = [
        {"plan_id": plan.pk, "organisation_id": o["id"], "round_id": None, "amount": 100}
        for o in tree.orgs
        if o["path"].startswith(low) and o["kind"] not in (Kind.BLOOD_CENTRE,)
    ]
    probe.counts["targets"] = copy_rows(Target, targets)
    _reset_sequences(
        [Organisation, Drive, Donor, IdentityDocument, Donation, Presentation, Deferral, Target]
    )
    # COPY bypasses the writers that keep first-time flags and day summaries (decision 0039):
    # build them from the donations just loaded, as the migration's backfill does. The tables
    # were filled inside this transaction: without fresh statistics the planner takes the
    # rebuild's "earlier donation?" subquery for a scan per donation (45 s per 5,000 donations
    # at a tenth of T1), so analyse them first (allowed inside a transaction, unlike VACUUM).
    with connection.cursor() as cursor:
        for model in (Organisation, Donor, Donation, Presentation, Deferral, Drive):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    summaries.rebuild(Donation, Organisation, DailyCredit)
    probe.counts["daily_credits"] = DailyCredit.objects.count()
    # The same for presentations and deferrals (decision 0047).
    screening_summaries.rebuild(
        Presentation, Deferral, Organisation, DailyScreening, DailyDeferralReason
    )
    probe.counts["daily_screenings"] = DailyScreening.objects.count()
    _tally_from_day_rows()
    # The plan's and rounds' distinct donors (decision 0052), counted by the worker's fill
    # (one statement per window); a window an earlier data set counted is counted again.
    periods = [(plan.period_start, plan.period_end)]
    periods += [(r.starts_on, r.ends_on) for r in plan.rounds.all()]
    for start, end in periods:
        tree_tally.want_window(start, end)
    tree_tally.mark_stale(TallyWindow.objects.all())
    probe.counts["donor_windows"] = donor_windows.fill_due()["windows"]
    probe.counts["tally_rows"] = Tally.objects.count()
    probe.plan_uuid = str(plan.uuid)
    probe.province_uuid = str(province["uuid"])
    probe.district_uuid = str(tree.districts[0]["uuid"])
    return probe


def _presentation(pk: int, donor: int, drive: int, at: dt.datetime) -> dict[str, Any]:
    return {
        "id": pk,
        "drive_id": drive,
        "donor_id": donor,
        "step": "done",
        "arrived_at": at - dt.timedelta(minutes=40),
        "decision": "accept",
        "decided_at": at - dt.timedelta(minutes=20),
        "volume_ml": 350,
        "rule_set": RULE_SET,
    }


def _tally_from_day_rows() -> None:
    """The day rows added up at every level above their credited organisation (decision
    0049), in one statement: ``tally.rebuild`` does the same in Python, too slowly for T1.
    A path is the chain of primary keys in hex, 8 digits a level; level ``k`` of the levels
    above the credited organisation is the ``k``-th segment. ``check_progress_summaries``
    compares the result with ``tally.expected`` (bench/tests)."""
    day_rows = (
        "SELECT credited_to_id AS org, day, drive_id, m.measure, m.amount "
        "FROM collection_dailycredit d CROSS JOIN LATERAL (VALUES "
        "('donations', d.donations::bigint), ('bags', d.bags::bigint), ('ml', d.ml::bigint), "
        "('first_time', d.first_time::bigint)) AS m(measure, amount) "
        "UNION ALL SELECT credited_to_id, day, drive_id, m.measure, m.amount "
        "FROM screening_dailyscreening d CROSS JOIN LATERAL (VALUES "
        "('presented', d.presented::bigint), ('deferred', d.deferred::bigint)) "
        "AS m(measure, amount) "
        "UNION ALL SELECT credited_to_id, day, drive_id, %s || code, presentations::bigint "
        "FROM screening_dailydeferralreason"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            " ".join(  # our tables and columns only; the one value is a parameter
                (
                    "INSERT INTO organisations_tally (node_id, day, drive_id, measure, amount,",
                    "settled) SELECT ('x' || lpad(substr(o.path, 8 * k - 7, 8), 16, '0'))",
                    "::bit(64)::bigint, s.day, s.drive_id, s.measure, SUM(s.amount), true",
                    "FROM (",
                    day_rows,
                    ") AS s JOIN organisations_organisation o ON o.id = s.org",
                    "CROSS JOIN LATERAL generate_series(1, length(o.path) / 8 - 1) AS k",
                    "WHERE s.amount <> 0 GROUP BY 1, 2, 3, 4 HAVING SUM(s.amount) <> 0",
                )
            ),
            [REASON],
        )
        cursor.execute("ANALYZE organisations_tally")

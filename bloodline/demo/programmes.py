"""Demo plans for `make run`: a Vietnamese district plan counted in bags and a Chinese
district plan counted in donations (人次), with generated donors and donations through the
year so far. Generated only; no real people."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from decimal import Decimal
from typing import TYPE_CHECKING

from bloodline.accounts.system import system_actor
from bloodline.collection import summaries
from bloodline.collection.models import Donation, DonationType
from bloodline.demo.factories import collection as factories
from bloodline.donors.access import registry_for
from bloodline.donors.models import Donor, Sex
from bloodline.jurisdictions.loader import registry
from bloodline.organisations.models import Organisation
from bloodline.programmes import actions
from bloodline.programmes.models import Measure, Plan, Round

if TYPE_CHECKING:
    from bloodline.accounts.models import User

VN_NAMES = (
    ["Nguyễn", "Trần", "Lê", "Phạm", "Võ"],
    ["Thị", "Văn", "Minh", "Ngọc"],
    ["An", "Bình", "Chi", "Dũng", "Hà", "Khoa", "Lan", "Phúc", "Quân", "Trang"],
)
CN_NAMES = (["王", "李", "张", "刘", "陈"], [""], ["伟", "芳", "敏", "静", "磊", "洋", "婷"])


def _volumes(code: str) -> list[int]:
    """The bag sizes the rule set allows, so the demo never restates a rule."""
    return list(registry.current(code).whole_blood_volumes.values_ml)


def _quarters(year: int) -> list[tuple[str, dt.date, dt.date]]:
    return [
        (
            name,
            dt.date(year, m, 1),
            dt.date(year, m + 3, 1) - dt.timedelta(days=1) if m < 10 else dt.date(year, 12, 31),
        )
        for name, m in [("1", 1), ("2", 4), ("3", 7), ("4", 10)]
    ]


def _people(
    rng: random.Random, names: tuple[list[str], ...], unit: Organisation, count: int
) -> list[Donor]:
    family, middle, given = names
    home = registry_for(unit)
    return Donor.objects.bulk_create(
        Donor(
            full_name=" ".join(
                p for p in (rng.choice(family), rng.choice(middle), rng.choice(given)) if p
            )
            if names is VN_NAMES
            else rng.choice(family) + rng.choice(given) + rng.choice(given),
            date_of_birth=dt.date(rng.randint(1968, 2005), rng.randint(1, 12), rng.randint(1, 28)),
            sex=rng.choice([Sex.MALE, Sex.FEMALE]),
            affiliation=unit,
            registry=home,
        )
        for _ in range(count)
    )


def _plan(
    issuer: Organisation,
    number: str,
    title: str,
    year: int,
    measure: str,
    total: int,
    round_name: str,
) -> Plan:
    plan = actions.create_plan(
        by=system_actor(),
        issuer=issuer,
        number=number,
        issued_on=dt.date(year - 1, 12, 28),
        title=title,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        measure=measure,
        total_target=total,
    )
    for name, start, end in _quarters(year):
        plan.rounds.create(name=round_name.format(n=name), starts_on=start, ends_on=end)
    return plan


def _donate(
    rng: random.Random,
    units: list[tuple[Organisation, int]],
    centre: Organisation,
    today: dt.date,
    zone: str,
    volumes: list[int],
    names: tuple[list[str], ...],
) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    days = max(1, (today - dt.date(today.year, 1, 1)).days)
    for unit, count in units:
        people = _people(rng, names, unit, count)
        regulars = people[: count // 3]
        for person in people:
            when = dt.datetime.combine(
                dt.date(today.year, 1, 1) + dt.timedelta(days=rng.randrange(days)),
                dt.time(rng.randint(7, 10), rng.choice([0, 15, 30])),
                tzinfo=tz,
            )
            ml = rng.choice(volumes)
            factories.donations(
                [person], credited_to=unit, establishment=centre, at=when, volume_ml=ml
            )
        # A third gave last year too, so they count as repeat donors this year.
        summaries.recorded(
            Donation.objects.bulk_create(
                Donation(
                    din=factories.next_din(),
                    donor=p,
                    establishment=centre,
                    collected_at=dt.datetime(today.year - 1, 9, 12, 8, tzinfo=tz),
                    donation_type=DonationType.WHOLE_BLOOD,
                    volume_ml=volumes[0],
                    bag_volume_ml=volumes[0],
                    credited_to=unit,
                )
                for p in regulars
            )
        )


def seed_programmes(
    nodes: dict[str, Organisation], users: dict[str, User], today: dt.date, rng: random.Random
) -> None:
    year = today.year
    vn = _plan(
        nodes["vn_dong_committee"],
        "276/KH-BCĐ",
        f"Kế hoạch vận động hiến máu tình nguyện năm {year}",
        year,
        Measure.BAGS,
        420,
        "Đợt {n}",
    )
    district = nodes["vn_dong"]
    shares = {
        "vn_dong_c0": 60,
        "vn_dong_c1": 40,
        "vn_dong_c2": 40,
        "vn_dong_c3": 35,
        "vn_dong_c4": 35,
        "vn_dong_c5": 30,
        "vn_dong_school": 50,
        "vn_garment": 60,
        "vn_dong_military": 30,
        "vn_dong_youth": 20,
    }
    actions.set_targets(
        by=system_actor(),
        plan=vn,
        parent=district,
        round=None,
        amounts={nodes[k]: Decimal(v) for k, v in shares.items()},
    )
    actions.set_targets(
        by=system_actor(),
        plan=vn,
        parent=nodes["vn_dong_c0"],
        round=None,
        amounts={nodes["vn_seafood"]: Decimal(25)},
    )
    actions.issue_plan(by=system_actor(), plan=vn)
    share = min(1.0, max(0.1, (today - dt.date(year, 1, 1)).days / 365))
    _donate(
        rng,
        [(nodes[k], int(v * share * rng.uniform(0.7, 1.25))) for k, v in shares.items()]
        + [(nodes["vn_seafood"], int(25 * share))],
        nodes["vn_centre"],
        today,
        "Asia/Ho_Chi_Minh",
        _volumes("VN-TT26-2013"),
        VN_NAMES,
    )

    cn = _plan(
        nodes["cn_district_committee"],
        f"翠献〔{year}〕1号",
        f"{year}年度无偿献血工作计划",
        year,
        Measure.DONATIONS,
        600,
        "第{n}批",
    )
    cn_shares = {f"cn_street{i}": 120 for i in range(3)} | {"cn_agency": 60, "cn_hospital": 80}
    actions.set_targets(
        by=system_actor(),
        plan=cn,
        parent=nodes["cn_district"],
        round=None,
        amounts={nodes[k]: Decimal(v) for k, v in cn_shares.items()},
    )
    actions.set_targets(
        by=system_actor(),
        plan=cn,
        parent=nodes["cn_street0"],
        round=None,
        amounts={nodes[f"cn_firm{i}"]: Decimal(20) for i in range(5)},
    )
    actions.issue_plan(by=system_actor(), plan=cn)
    _donate(
        rng,
        [(nodes[f"cn_firm{i}"], int(20 * share * rng.uniform(0.6, 1.3))) for i in range(5)]
        + [(nodes["cn_street1"], int(110 * share)), (nodes["cn_agency"], int(55 * share))],
        nodes["cn_centre"],
        today,
        "Asia/Shanghai",
        _volumes("CN-GB18467-2011"),
        CN_NAMES,
    )

    _drives(nodes, users, today, rng, vn, cn)


def _round_on(plan: Plan, day: dt.date) -> Round | None:
    return plan.rounds.filter(starts_on__lte=day, ends_on__gte=day).first()


def _drives(
    nodes: dict[str, Organisation],
    users: dict[str, User],
    today: dt.date,
    rng: random.Random,
    vn: Plan,
    cn: Plan,
) -> None:
    """A drive already held (with its donations), drives to come with registrations, a
    proposed one, and a unit's request waiting for an answer."""
    from bloodline.drives import actions as drives

    admin, organiser = users["establishment_admin"], users["unit_organiser"]
    held_on = max(dt.date(today.year, 1, 10), today - dt.timedelta(days=40))
    windows = [
        {"label": "Học sinh, sinh viên", "start": "07:00", "end": "08:00"},
        {"label": "Cơ quan, doanh nghiệp", "start": "08:00", "end": "09:00"},
        {"label": "Nhân dân", "start": "09:00", "end": "10:30"},
    ]
    held = drives.create_drive(
        by=admin,
        establishment=nodes["vn_centre"],
        hosts=[nodes["vn_dong"], nodes["vn_dong_school"]],
        title="Ngày hội Chủ nhật Đỏ huyện Đông Giang",
        venue="Nhà văn hóa huyện Đông Giang",
        address="Thị trấn Đông Giang",
        starts_on=held_on,
        ends_on=held_on,
        opens_at=dt.time(7),
        closes_at=dt.time(10, 30),
        slot_minutes=30,
        beds=8,
        expected_units=120,
        arrival_windows=windows,
        round=_round_on(vn, held_on),
    )
    for status in ("confirmed", "running", "closed"):
        drives.change_status(by=admin, drive=held, status=status)
    tz = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    for key, count in [
        ("vn_dong_school", 38),
        ("vn_dong_c1", 25),
        ("vn_dong_c3", 30),
        ("vn_dong_youth", 17),
    ]:
        unit = nodes[key]
        for person in _people(rng, VN_NAMES, unit, count):
            factories.donations(
                [person],
                credited_to=unit,
                establishment=nodes["vn_centre"],
                at=dt.datetime.combine(held_on, dt.time(rng.randint(7, 10)), tzinfo=tz),
                volume_ml=rng.choice(_volumes("VN-TT26-2013")),
                drive=held,
            )
    soon = today + dt.timedelta(days=10)
    upcoming = drives.create_drive(
        by=admin,
        establishment=nodes["vn_centre"],
        hosts=[nodes["vn_garment"]],
        title="Hiến máu tại Công ty May mặc Đông Giang",
        venue="Hội trường công ty",
        starts_on=soon,
        ends_on=soon,
        opens_at=dt.time(7, 30),
        closes_at=dt.time(11),
        slot_minutes=30,
        beds=6,
        expected_units=60,
        round=_round_on(vn, soon),
    )
    drives.change_status(by=admin, drive=upcoming, status="confirmed")
    slots = list(upcoming.slots.all())
    for i, person in enumerate(_people(rng, VN_NAMES, nodes["vn_garment"], 12)):
        drives.register_person(
            by=organiser,
            drive=upcoming,
            slot=slots[i % len(slots)],
            full_name=person.full_name,
            date_of_birth=person.date_of_birth,
            sex=person.sex,
            unit=nodes["vn_garment"],
        )
    later = today + dt.timedelta(days=24)
    later_round = _round_on(vn, later)
    # Two days, unless the round (the year) ends on the first one: late in December.
    later_end = later + dt.timedelta(days=1)
    if later_round is not None and later_end > later_round.ends_on:
        later_end = later
    drives.create_drive(
        by=admin,
        establishment=nodes["vn_centre"],
        hosts=[nodes["vn_university"]],
        title="Giọt hồng sinh viên",
        venue="Trường Đại học Bình Minh",
        starts_on=later,
        ends_on=later_end,
        opens_at=dt.time(7),
        closes_at=dt.time(16),
        slot_minutes=30,
        beds=10,
        expected_units=300,
        round=later_round,
    )
    drives.request_drive(
        by=organiser,
        requested_by=nodes["vn_garment"],
        establishment=nodes["vn_centre"],
        options=[today + dt.timedelta(days=45), today + dt.timedelta(days=52)],
        expected_donors=80,
        venue="Sân công ty",
        note="Ca sáng, trước giờ làm việc",
    )
    _drive_today(nodes, users, today, rng, vn)
    cn_day = today + dt.timedelta(days=14)
    cn_admin = users["cn_establishment_admin"]
    park = drives.create_drive(
        by=cn_admin,
        establishment=nodes["cn_centre"],
        hosts=[nodes["cn_park"]],
        title="翠园珠宝产业园团体献血日",
        venue="珠宝产业园广场",
        starts_on=cn_day,
        ends_on=cn_day,
        opens_at=dt.time(9),
        closes_at=dt.time(16),
        slot_minutes=60,
        beds=6,
        expected_units=150,
        round=_round_on(cn, cn_day),
    )
    drives.change_status(by=cn_admin, drive=park, status="confirmed")


def _drive_today(
    nodes: dict[str, Organisation],
    users: dict[str, User],
    today: dt.date,
    rng: random.Random,
    vn: Plan,
) -> None:
    """A drive running today with people registered, so the stations can be tried at once.
    The facility identification number is a demo value; real FINs come from ICCBBA."""
    from bloodline.collection.models import Facility
    from bloodline.drives import actions as drives

    admin, organiser = users["establishment_admin"], users["unit_organiser"]
    Facility.objects.get_or_create(establishment=nodes["vn_centre"], defaults={"fin": "Z9999"})
    drive = drives.create_drive(
        by=admin,
        establishment=nodes["vn_centre"],
        hosts=[nodes["vn_garment"]],
        title="Ngày hội hiến máu hôm nay — Công ty May mặc Đông Giang",
        venue="Nhà ăn công ty",
        starts_on=today,
        ends_on=today,
        opens_at=dt.time(0),
        closes_at=dt.time(23, 30),
        slot_minutes=90,
        beds=6,
        expected_units=40,
        round=_round_on(vn, today),
    )
    for status in ("confirmed", "running"):
        drives.change_status(by=admin, drive=drive, status=status)
    slots = list(drive.slots.all())
    for i, person in enumerate(_people(rng, VN_NAMES, nodes["vn_garment"], 10)):
        drives.register_person(
            by=organiser,
            drive=drive,
            slot=slots[i % len(slots)],
            full_name=person.full_name,
            date_of_birth=person.date_of_birth,
            sex=person.sex,
            unit=nodes["vn_garment"],
        )

"""Acceptance scenario: a district plan of 1,005 units over 24 units and 4 rounds.

Every expected figure below is worked out by hand from the donations this test records, in
bags and in 250 mL converted units, at district, commune and unit level.

Mixed bag sizes and incomplete collections (issue 10, "Why" 1 and 2): whole blood counts at the
bag's nominal volume, and a collection below the rule set's complete-collection minimum
(VN-TT26-2013: 315 mL for a 350 mL bag, 405 mL for a 450 mL bag) is no donation, no bag and
no mL at all.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from bloodline.collection.models import DonationType
from bloodline.demo.factories import collection as factories
from bloodline.organisations import actions as org_actions
from bloodline.organisations.kinds import Kind
from bloodline.programmes import actions
from bloodline.programmes.models import Measure
from bloodline.reports import progress

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(month: int, day: int = 15, year: int = 2021, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=HCM)


@pytest.fixture
def scenario(demo):
    chair = next(u for p, u in demo.accounts if p.username == "province_committee")
    add = org_actions.create_organisation
    province = demo.nodes["vn_province"]
    district = add(by=chair, parent=province, kind=Kind.DISTRICT, name="Huyện Năm Căn Mẫu")
    committee = add(by=chair, parent=district, kind=Kind.STEERING_COMMITTEE, name="BCĐ huyện")
    communes = [
        add(by=chair, parent=district, kind=Kind.COMMUNE, name=f"Xã {i:02d}") for i in range(1, 21)
    ]
    school = add(by=chair, parent=district, kind=Kind.SCHOOL, name="Trường THPT Năm Căn")
    firm = add(by=chair, parent=district, kind=Kind.ENTERPRISE, name="Công ty Thủy sản")
    army = add(by=chair, parent=district, kind=Kind.ARMED_FORCES, name="Ban CHQS huyện")
    youth = add(by=chair, parent=district, kind=Kind.YOUTH_UNION, name="Huyện đoàn")
    s1 = add(by=chair, parent=communes[0], kind=Kind.SCHOOL, name="Trường THCS Xã 01")
    e1 = add(by=chair, parent=communes[0], kind=Kind.ENTERPRISE, name="HTX Xã 01")

    plan = actions.create_plan(
        by=chair,
        issuer=committee,
        number="276/KH-BCĐ",
        issued_on=dt.date(2020, 12, 28),
        title="Hiến máu tình nguyện năm 2021",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
        measure=Measure.BAGS,
        total_target=1005,
    )
    for q, (first, last) in enumerate([(1, 3), (4, 6), (7, 9), (10, 12)], start=1):
        end = (
            dt.date(2021, last + 1, 1) - dt.timedelta(days=1)
            if last < 12
            else dt.date(2021, 12, 31)
        )
        actions.add_round(
            by=chair, plan=plan, name=f"Đợt {q}", starts_on=dt.date(2021, first, 1), ends_on=end
        )
    amounts = {c: Decimal(45) for c in communes}  # 20 × 45 = 900
    amounts.update({school: Decimal(30), firm: Decimal(40), army: Decimal(20), youth: Decimal(15)})
    actions.set_targets(by=chair, plan=plan, parent=district, round=None, amounts=amounts)
    actions.set_targets(
        by=chair,
        plan=plan,
        parent=communes[0],
        round=None,
        amounts={s1: Decimal(20), e1: Decimal(20)},
    )
    actions.issue_plan(by=chair, plan=plan)

    centre = demo.nodes["vn_centre"]

    def give(unit, count, ml, when, people=None, kind=DonationType.WHOLE_BLOOD, bag=None, why=""):
        people = people or factories.donors(count, unit)
        factories.donations(
            people,
            credited_to=unit,
            establishment=centre,
            at=when,
            volume_ml=ml,
            donation_type=kind,
            bag_ml=bag,
            incomplete_reason=why,
        )
        return people

    # Xã 01: 10 donors who also gave in 2020 (so repeat donors), credited to the commune.
    regulars = give(communes[0], 10, 250, at(6, year=2020))
    give(communes[0], 10, 250, at(2), people=regulars)
    give(s1, 22, 350, at(5))
    give(e1, 5, 450, at(8))
    for c in communes[1:11]:
        give(c, 45, 350, at(3))
    for c in communes[11:]:
        give(c, 40, 250, at(11))
    pupils = give(school, 30, 450, at(4, day=10))
    give(school, 2, 500, at(5, day=30), people=pupils[:2], kind=DonationType.PLATELETS)
    give(firm, 50, 250, at(9))
    give(army, 19, 350, at(12))
    give(youth, 15, 250, at(1, day=20))
    # Xã 02: 3 collections stopped at 120 mL in 350 mL bags in March (incomplete: nothing
    # counts); the same 3 donors come back in October and fill 350 mL bags to 340 mL
    # (complete, counted at 350 mL) — their first *donation*, so first-time donors.
    stopped = give(communes[1], 3, 120, at(3, day=20), bag=350, why="poor_flow")
    give(communes[1], 3, 340, at(10), people=stopped, bag=350)
    # The enterprise: 4 bags of 450 mL filled to 430 mL (complete, ≥ 405) and 2 stopped at
    # 200 mL (incomplete), in September.
    give(firm, 4, 430, at(9, day=20), bag=450)
    give(firm, 2, 200, at(9, day=21), bag=450, why="needle_or_equipment")
    # The armed-forces unit: 5 bags of 350 mL filled to 320 mL (complete, ≥ 315) in December.
    give(army, 5, 320, at(12, day=20), bag=350)
    # Outside the plan: before the period in local time, and outside the district.
    give(youth, 3, 250, dt.datetime(2020, 12, 31, 23, 30, tzinfo=HCM))
    give(demo.nodes["vn_tay"], 7, 350, at(6))
    return {
        "plan": plan,
        "district": district,
        "communes": communes,
        "s1": s1,
        "e1": e1,
        "school": school,
        "army": army,
        "youth": youth,
        "firm": firm,
    }


def test_district_figures(scenario):
    r = progress.report(scenario["plan"], scenario["district"])
    t = r.total
    # Bags: 961 before the mixed-size additions (Xã 01 37, Xã 02–11 450, Xã 12–20 360, school
    # 30, enterprise 50, army 19, youth 15) + 3 (Xã 02, October) + 4 (enterprise, 450 mL)
    # + 5 (army) = 973; the 5 incomplete collections count nowhere. Donations add the
    # school's 2 apheresis donations: 975.
    assert (t.target, t.figures.bags, t.figures.donations) == (Decimal(1005), 973, 975)
    assert t.percent == Decimal("96.8")  # 973 / 1005 = 96.82 %
    # mL at nominal volume: 296,350 + 3×350 + 4×450 + 5×350 = 296,350 + 1,050 + 1,800 + 1,750
    # = 300,950 (the collected mL would be 296,350 + 1,020 + 1,720 + 1,600 + 360 + 400).
    assert t.figures.ml == 300_950
    assert t.figures.converted_units == Decimal("1203.80")  # 300,950 mL / 250
    # Donors: 961 + 12 new; first-time: 951 + 12 (Xã 02's three gave only an incomplete
    # collection before, so October is their first donation); repeat: 975 − 963 = 12.
    assert (t.figures.donors, t.figures.first_time, t.figures.repeat) == (973, 963, 12)
    assert len(r.with_target) == 24
    # Communes 02–11, the school, the enterprise, the youth union, and now the army (24 ≥ 20).
    assert r.meeting == 14
    assert r.meeting_percent == Decimal("58.3")  # 14 / 24


def test_district_by_round(scenario):
    r = progress.report(scenario["plan"], scenario["district"])
    assert [(rnd.name, line.figures.bags) for rnd, line in r.by_round] == [
        ("Đợt 1", 475),  # Xã 01 10 + Xã 02–11 450 + youth 15; Xã 02's March stops count 0
        ("Đợt 2", 52),  # Trường THCS 22 + school 30
        ("Đợt 3", 59),  # HTX 5 + enterprise 50 + 4 (450 mL); the 2 stopped ones count 0
        ("Đợt 4", 387),  # Xã 12–20 360 + army 19 + Xã 02 3 + army 5
    ]
    assert [line.figures.ml for _, line in r.by_round][2] == 5 * 450 + 50 * 250 + 4 * 450
    round_two = r.by_round[1][0]
    two = progress.report(scenario["plan"], scenario["district"], round_two)
    assert (two.total.figures.bags, two.total.figures.donations) == (52, 54)


def test_mixed_bag_sizes_count_at_nominal_volume(scenario):
    firm = progress.report(scenario["plan"], scenario["firm"]).total.figures
    # 50 × 250 mL + 4 × 450 mL (filled to 430) = 14,300 mL; the 2 incomplete count nowhere.
    assert (firm.donations, firm.bags, firm.ml) == (54, 54, 14_300)
    assert firm.converted_units == Decimal("57.20")  # 14,300 / 250
    xa02 = progress.report(scenario["plan"], scenario["communes"][1]).total
    # 45 × 350 + 3 × 350 = 16,800 mL = 67.20 converted units; 48 bags of a 45 target.
    assert (xa02.figures.bags, xa02.figures.ml, xa02.figures.first_time) == (48, 16_800, 48)
    assert xa02.figures.converted_units == Decimal("67.20")
    assert xa02.percent == Decimal("106.7")  # 48 / 45


def test_commune_figures_in_bags_and_converted_units(scenario):
    commune = scenario["communes"][0]
    r = progress.report(scenario["plan"], commune)
    assert (r.total.target, r.total.figures.bags) == (Decimal(45), 37)
    assert r.total.percent == Decimal("82.2")  # 37 / 45
    assert r.total.figures.ml == 12_450  # 10×250 + 22×350 + 5×450
    assert r.total.figures.converted_units == Decimal("49.80")
    assert r.direct is not None and r.direct.figures.bags == 10
    lines = {line.organisation.name: line for line in r.children}
    assert (lines["Trường THCS Xã 01"].figures.bags, lines["Trường THCS Xã 01"].met) == (22, True)
    assert (lines["HTX Xã 01"].figures.bags, lines["HTX Xã 01"].met) == (5, False)
    assert (r.meeting, r.meeting_percent) == (1, Decimal("50.0"))


def test_unit_figures(scenario):
    r = progress.report(scenario["plan"], scenario["s1"])
    assert (r.total.target, r.total.figures.bags, r.total.percent) == (
        Decimal(20),
        22,
        Decimal("110.0"),
    )
    school = progress.report(scenario["plan"], scenario["school"]).total
    # Apheresis counts as donations, not bags or converted units.
    assert (school.figures.donations, school.figures.bags, school.figures.ml) == (32, 30, 13_500)
    assert school.figures.converted_units == Decimal("54.00")


def test_a_plan_in_converted_units_measures_progress_in_them(scenario, demo):
    chair = next(u for p, u in demo.accounts if p.username == "province_committee")
    committee = scenario["district"].children.get(kind=Kind.STEERING_COMMITTEE)
    plan = actions.create_plan(
        by=chair,
        issuer=committee,
        number="12/KH-BCĐ",
        issued_on=dt.date(2021, 1, 5),
        title="Quy đổi",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
        measure=Measure.CONVERTED_UNITS,
        total_target="1200.50",
    )
    r = progress.report(plan, scenario["district"])
    assert r.total.achieved == Decimal("1203.80")
    assert r.total.percent == Decimal("100.3")  # 1203.80 / 1200.50 = 100.27 %

"""Acceptance scenario: a district plan of 1,005 units over 24 units and 4 rounds.

Every expected figure below is worked out by hand from the donations this test records, in
bags and in 250 mL converted units, at district, commune and unit level.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from bloodline.collection import factories
from bloodline.collection.models import DonationType
from bloodline.organisations import actions as org_actions
from bloodline.organisations.kinds import Kind
from bloodline.programmes import actions, progress
from bloodline.programmes.models import Measure

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

    def give(unit, count, ml, when, people=None, kind=DonationType.WHOLE_BLOOD):
        people = people or factories.donors(count, unit)
        factories.donations(
            people,
            credited_to=unit,
            establishment=centre,
            at=when,
            volume_ml=ml,
            donation_type=kind,
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
    assert (t.target, t.figures.bags, t.figures.donations) == (Decimal(1005), 961, 963)
    assert t.percent == Decimal("95.6")  # 961 / 1005
    assert t.figures.ml == 296_350
    assert t.figures.converted_units == Decimal("1185.40")  # 296,350 mL / 250
    assert (t.figures.donors, t.figures.first_time, t.figures.repeat) == (961, 951, 12)
    assert len(r.with_target) == 24
    assert r.meeting == 13  # communes 02–11, the school, the enterprise, the youth union
    assert r.meeting_percent == Decimal("54.2")


def test_district_by_round(scenario):
    r = progress.report(scenario["plan"], scenario["district"])
    assert [(rnd.name, line.figures.bags) for rnd, line in r.by_round] == [
        ("Đợt 1", 475),
        ("Đợt 2", 52),
        ("Đợt 3", 55),
        ("Đợt 4", 379),
    ]
    round_two = r.by_round[1][0]
    two = progress.report(scenario["plan"], scenario["district"], round_two)
    assert (two.total.figures.bags, two.total.figures.donations) == (52, 54)


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
    assert r.total.achieved == Decimal("1185.40")
    assert r.total.percent == Decimal("98.7")  # 1185.40 / 1200.50

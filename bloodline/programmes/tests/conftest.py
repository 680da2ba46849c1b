from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bloodline.programmes import actions
from bloodline.programmes.models import Measure


@pytest.fixture
def chair(demo):
    return next(u for p, u in demo.accounts if p.username == "district_committee")


@pytest.fixture
def plan(demo, chair):
    """A district plan of 300 bags for 2026, four quarterly rounds, issued."""
    p = actions.create_plan(
        by=chair,
        issuer=demo.nodes["vn_dong_committee"],
        number="276/KH-BCĐ",
        issued_on=dt.date(2025, 12, 28),
        title="Hiến máu 2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        measure=Measure.BAGS,
        total_target=300,
    )
    for q, (start, end) in enumerate(
        [((1, 1), (3, 31)), ((4, 1), (6, 30)), ((7, 1), (9, 30)), ((10, 1), (12, 31))], start=1
    ):
        actions.add_round(
            by=chair,
            plan=p,
            name=f"Đợt {q}",
            starts_on=dt.date(2026, *start),
            ends_on=dt.date(2026, *end),
        )
    actions.issue_plan(by=chair, plan=p)
    return p


@pytest.fixture
def communes(demo):
    return [demo.nodes[f"vn_dong_c{i}"] for i in range(6)]


def amounts(orgs, value):
    return {o: Decimal(value) for o in orgs}

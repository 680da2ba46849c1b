"""The progress report runs a fixed number of queries whatever the size of the tree."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bloodline.demo.factories import collection as factories
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Organisation, segment
from bloodline.programmes import actions
from bloodline.programmes.models import Measure, Plan, Target
from bloodline.reports import progress

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def wide_district(demo, size: int, first_id: int) -> Organisation:
    """A district with ``size`` units under it, inserted in bulk with their real paths."""
    province = demo.nodes["vn_province"]
    district = Organisation.objects.create(
        pk=first_id,
        kind=Kind.DISTRICT,
        name=f"District {size}",
        parent=province,
        path=province.path + segment(first_id),
        depth=province.depth + 1,
    )
    Organisation.objects.create(
        pk=first_id + 1,
        kind=Kind.STEERING_COMMITTEE,
        name="Committee",
        parent=district,
        path=district.path + segment(first_id + 1),
        depth=district.depth + 1,
    )
    Organisation.objects.bulk_create(
        Organisation(
            pk=pk,
            kind=Kind.ENTERPRISE,
            name=f"Unit {pk}",
            parent=district,
            path=district.path + segment(pk),
            depth=district.depth + 1,
        )
        for pk in range(first_id + 2, first_id + 2 + size)
    )
    return district


def planned_district(demo, size: int, first_id: int) -> tuple[Plan, Organisation, int]:
    """A plan over a district of ``size`` units, each with a target of 10 bags; one unit in
    every ``size // 10`` gave three donations. Returns the plan, the district and the bags."""
    chair = next(u for p, u in demo.accounts if p.username == "province_committee")
    district = wide_district(demo, size, first_id)
    plan = actions.create_plan(
        by=chair,
        issuer=district.children.get(kind=Kind.STEERING_COMMITTEE),
        number=f"{size}/KH",
        issued_on=dt.date(2026, 1, 2),
        title="Plan",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        measure=Measure.BAGS,
        total_target=size * 10,
    )
    units = list(district.children.filter(kind=Kind.ENTERPRISE))
    Target.objects.bulk_create(Target(plan=plan, organisation=u, amount=Decimal(10)) for u in units)
    giving = units[:: max(1, size // 10)]
    for unit in giving:
        factories.donations(
            factories.donors(3, unit),
            credited_to=unit,
            establishment=demo.nodes["vn_centre"],
            at=dt.datetime(2026, 3, 1, 9, tzinfo=HCM),
        )
    return plan, district, 3 * len(giving)


def measure(demo, size: int, first_id: int) -> int:
    plan, district, bags = planned_district(demo, size, first_id)
    with CaptureQueriesContext(connection) as queries:
        report = progress.report(plan, district)
    assert len(report.children) == size  # the units, not the committee
    assert report.total.figures.bags == bags
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_progress_query_count_does_not_grow_from_10_to_1000_units(demo):
    small = measure(demo, 10, 20_000_000)
    large = measure(demo, 1000, 30_000_000)
    assert small == large, (small, large)
    # 7 for the donations, 3 for the deferrals (branches, drives, reasons per drive).
    assert small <= 10

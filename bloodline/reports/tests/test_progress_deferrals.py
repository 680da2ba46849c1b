"""Issue 10, "Why" 6: progress shows deferrals — count, rate and top reasons — per node and
per drive, reasons as codes rendered in the reader's language, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from bloodline.demo.factories import collection as factories
from bloodline.demo.factories import screening as screening_factories
from bloodline.drives.models import DriveStatus
from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.reports import progress
from bloodline.screening.models import Deferral, Presentation, Step
from bloodline.screening.tests.conftest import make_plan

pytestmark = pytest.mark.django_db
make_drive = drive_fixtures.make_drive
users = drive_fixtures.users
COLD = "deferral.upper_respiratory_infection"


@pytest.fixture
def seen(demo: Any, users: Any) -> Any:
    """Walk-ins of the garment enterprise at ``drive``: one per reason code (None: not
    deferred). They count for the enterprise through the donor's own unit."""

    def make(drive: Any, reasons: list[str | None]) -> None:
        people = factories.donors(len(reasons), demo.nodes["vn_garment"], prefix="Walk-in")
        for person, code in zip(people, reasons, strict=True):
            screening_factories.presentation(
                drive=drive,
                donor=person,
                step=Step.DONE,
                deferral_code=code or "",
                arrived_at=timezone.now() - dt.timedelta(hours=1),
                checked_in_by=users["drive_nurse"],
                starts_on=timezone.localdate(),
            )

    return make


def test_deferrals_per_node_and_per_drive_by_hand(demo, make_drive, seen):
    plan = make_plan(demo)
    a = make_drive(DriveStatus.RUNNING, title="A")
    b = make_drive(DriveStatus.RUNNING, title="B")
    seen(a, ["hb.low", "weight.low", "hb.low", None])
    seen(b, [COLD, None])
    r = progress.report(plan, demo.nodes["vn_province"])
    d = r.deferrals
    # 6 presentations, 4 deferred: 4 / 6 = 66.7 %
    assert (d.presented, d.deferred, d.rate) == (6, 4, Decimal("66.7"))
    # hb.low twice; then the single ones by code order
    assert [(x.code, x.count) for x in d.reasons] == [("hb.low", 2), (COLD, 1), ("weight.low", 1)]
    drives = {row["title"]: row["deferrals"] for row in r.by_drive}
    assert (drives["A"].presented, drives["A"].deferred, drives["A"].rate) == (
        4,
        3,
        Decimal("75.0"),  # 3 / 4
    )
    assert [(x.code, x.count) for x in drives["A"].reasons] == [("hb.low", 2), ("weight.low", 1)]
    assert (drives["B"].deferred, drives["B"].rate) == (1, Decimal("50.0"))  # 1 / 2
    # The drives had no donation, yet they are listed with their deferrals.
    assert all(row["figures"].donations == 0 for row in r.by_drive)
    # The district line under the province carries the same counts.
    district = next(line for line in r.children if line.deferrals.presented)
    assert (district.deferrals.presented, district.deferrals.deferred) == (6, 4)


def test_reasons_are_rendered_in_the_readers_language(demo, make_drive, seen):
    plan = make_plan(demo)
    seen(make_drive(DriveStatus.RUNNING), ["hb.low", COLD])
    reasons = progress.report(plan, demo.nodes["vn_province"]).deferrals.reasons
    with translation.override("en"):
        labels = [x.label for x in reasons]
    assert labels[0].startswith("Have you had a cold")
    assert labels[1] == "haemoglobin too low"
    with translation.override("vi"):
        labels = [x.label for x in reasons]
    assert labels[0].startswith("Anh/chị có bị cảm")
    assert labels[1] != "haemoglobin too low" and labels[1] != "hb.low"


def test_the_progress_page_and_api_show_deferrals(demo, make_drive, seen, login):
    plan = make_plan(demo)
    seen(make_drive(DriveStatus.RUNNING, title="Drive Q"), ["hb.low", "hb.low", None, None])
    client = login("province_committee")
    client.cookies["django_language"] = "en"
    province = demo.nodes["vn_province"]
    page = client.get(f"/plans/{plan.uuid}/progress/{province.uuid}/").content.decode()
    assert "2 of 4 presentations (50.0 %)" in page
    assert "haemoglobin too low: 2 donors" in page
    body = client.get(f"/api/v1/plans/{plan.uuid}/progress", {"node": str(province.uuid)}).json()
    assert body["total"]["deferrals"]["deferred"] == 2
    assert body["total"]["deferrals"]["rate_percent"] == "50.0"
    assert body["total"]["deferrals"]["top_reasons"][0]["code"] == "hb.low"
    assert body["drives"][0]["deferrals"]["top_reasons"][0]["label"] == "haemoglobin too low"


def count_queries(demo: Any, make_drive: Any, seen: Any, drives: int) -> int:
    plan = make_plan(demo, number=f"{drives}/KH")
    for i in range(drives):
        seen(make_drive(DriveStatus.RUNNING, title=f"D{i}"), ["hb.low", COLD, "weight.low", None])
    with CaptureQueriesContext(connection) as queries:
        r = progress.report(plan, demo.nodes["vn_province"])
        [x.label for row in r.by_drive for x in row["deferrals"].reasons]
    assert r.deferrals.deferred >= 3 * drives
    return len(queries.captured_queries)


def test_deferral_figures_take_the_same_queries_for_2_and_20_drives(demo, make_drive, seen):
    small = count_queries(demo, make_drive, seen, 2)
    Deferral.objects.all().delete()
    Presentation.objects.all().delete()
    large = count_queries(demo, make_drive, seen, 20)
    assert small == large, (small, large)

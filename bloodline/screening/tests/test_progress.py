from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.reports.progress import report
from bloodline.screening import actions
from bloodline.screening.tests.conftest import make_plan

pytestmark = pytest.mark.django_db


def test_a_donation_collected_at_the_station_counts_for_the_credited_unit(
    accepted: Any, nurse: User, demo: Any
) -> None:
    unit = demo.nodes["vn_garment"]
    plan = make_plan(demo)
    before = report(plan, unit).total.figures.donations
    end = timezone.now() - dt.timedelta(minutes=1)
    actions.collect(
        by=nurse,
        presentation=accepted(),
        bag_type="triple",
        volume_ml=350,
        started_at=end - dt.timedelta(minutes=9),
        ended_at=end,
    )
    assert report(plan, unit).total.figures.donations == before + 1

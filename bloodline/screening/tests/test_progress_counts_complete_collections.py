"""Issue 10, "Why" 1 and 2, end to end: collections recorded at the station, read back as plan
progress. Before the fix, 40 mL + 330 mL in two 350 mL bags counted as 2 donations, 2 bags,
370 mL and 1.48 converted units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.collection.actions import Shortfall
from bloodline.reports.progress import Figures, report
from bloodline.screening import actions
from bloodline.screening.tests.conftest import make_plan

pytestmark = pytest.mark.django_db


def collect(presentation: Any, nurse: User, volume_ml: int, why: str = "") -> None:
    end = timezone.now() - dt.timedelta(minutes=1)
    actions.collect(
        by=nurse,
        presentation=presentation,
        bag_type="triple",
        volume_ml=volume_ml,
        started_at=end - dt.timedelta(minutes=9),
        ended_at=end,
        shortfall=Shortfall(why),
    )


def gained(plan: Any, unit: Any, before: Figures) -> tuple[int, int, int, Decimal]:
    after = report(plan, unit).total.figures
    return (
        after.donations - before.donations,
        after.bags - before.bags,
        after.ml - before.ml,
        after.converted_units - before.converted_units,
    )


def test_an_aborted_collection_is_not_a_donation_and_a_bag_counts_at_its_nominal_volume(
    accepted: Any, nurse: User, demo: Any
) -> None:
    unit = demo.nodes["vn_garment"]
    plan = make_plan(demo)
    before = report(plan, unit).total.figures
    collect(accepted(350), nurse, 40, why="donor_request")
    collect(accepted(350), nurse, 330)
    # Only the 330 mL bag is a donation, counted at 350 mL: 350 / 250 = 1.40 converted units.
    assert gained(plan, unit, before) == (1, 1, 350, Decimal("1.40"))


def test_two_complete_350_ml_bags_are_2_80_converted_units(
    accepted: Any, nurse: User, demo: Any
) -> None:
    unit = demo.nodes["vn_garment"]
    plan = make_plan(demo)
    before = report(plan, unit).total.figures
    collect(accepted(350), nurse, 330)
    collect(accepted(350), nurse, 340)
    # 2 × 350 mL = 700 mL = 2.80 converted units (not 670 / 250 = 2.68).
    assert gained(plan, unit, before) == (2, 2, 700, Decimal("2.80"))

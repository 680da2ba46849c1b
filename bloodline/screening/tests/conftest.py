"""A running drive today at the Vietnamese blood centre (VN-TT26-2013), with its ISBT 128
facility, and the drive fixtures (``make_drive``, ``register``) from the drives app."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.collection.models import Facility
from bloodline.drives.models import Drive, DriveStatus
from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.screening import actions
from bloodline.screening.models import Presentation

# The drives app's fixtures, offered to these tests too.
make_drive = drive_fixtures.make_drive
register = drive_fixtures.register
users = drive_fixtures.users
english = drive_fixtures.english

HEALTHY = {
    "weight_kg": "62",
    "temperature_c": "36.6",
    "systolic": "120",
    "diastolic": "80",
    "pulse": "72",
    "hb_g_l": "135",
}


@pytest.fixture
def drive(make_drive: Any, demo: Any) -> Drive:
    Facility.objects.create(establishment=demo.nodes["vn_centre"], fin="W0001")
    return make_drive(
        DriveStatus.RUNNING,
        starts_on=timezone.localdate(),
        # Through tomorrow: a collection must fall on the drive's days in Vietnam (UTC+7).
        ends_on=timezone.localdate() + dt.timedelta(days=1),
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 30),
        slot_minutes=240,
    )


@pytest.fixture
def other_drive(make_drive: Any, drive: Drive) -> Drive:
    """A second running drive of the same centre on the same days."""
    return make_drive(
        DriveStatus.RUNNING,
        title="Ngày hội hiến máu phường",
        starts_on=drive.starts_on,
        ends_on=drive.ends_on,
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 30),
        slot_minutes=240,
    )


@pytest.fixture
def nurse(users: dict[str, User]) -> User:
    return users["drive_nurse"]


@pytest.fixture
def physician(users: dict[str, User]) -> User:
    return users["physician"]


def no_answers(presentation: Presentation) -> dict[str, str]:
    from bloodline.screening.assessment import questions_for

    return {q.code: "no" for q in questions_for(presentation)}


@pytest.fixture
def arrive(drive: Drive, register: Any, nurse: User) -> Any:
    """Register a person and check them in by scanning their registration code."""

    def at_drive(**person: Any) -> Presentation:
        registration = register(drive, **person).registration
        return actions.check_in(by=nurse, drive=drive, scan=str(registration.uuid)).presentation

    return at_drive


@pytest.fixture
def at_physician(arrive: Any, nurse: User) -> Any:
    """A donor who answered no to everything and whose vital signs are ``vitals``."""

    def screened(person: dict[str, Any] | None = None, **vitals: Any) -> Presentation:
        presentation = arrive(**(person or {}))
        presentation = actions.record_answers(
            by=nurse, presentation=presentation, answers=no_answers(presentation)
        )
        return actions.record_vitals(by=nurse, presentation=presentation, **(HEALTHY | vitals))

    return screened


@pytest.fixture
def accepted(at_physician: Any, physician: User) -> Any:
    def ready(volume: int = 350, **vitals: Any) -> Presentation:
        presentation = at_physician(**vitals)
        return actions.physician_decide(
            by=physician, presentation=presentation, decision="accept", volume_ml=volume
        )

    return ready


def make_plan(demo: Any, number: str = "12/KH-BCĐ") -> Any:
    """An issued province plan for this year, counting donations."""
    from bloodline.programmes.models import Plan, PlanStatus

    today = timezone.localdate()
    return Plan.objects.create(
        issuer=demo.nodes["vn_province_committee"],
        area=demo.nodes["vn_province"],
        number=number,
        issued_on=today.replace(month=1, day=1),
        title="Kế hoạch hiến máu tình nguyện",
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(month=12, day=31),
        measure="donations",
        base_volume_ml=250,
        rule_set="VN-TT26-2013",
        status=PlanStatus.ISSUED,
    )


@pytest.fixture
def rules_in_force(tmp_path: Any) -> Any:
    """Put changed copies of the rule files in force for the whole app (pages, API, actions);
    the shipped rule files are loaded again afterwards."""
    from bloodline.jurisdictions.loader import registry
    from bloodline.screening.tests.helpers import rules_copy

    def load(*edits: Any) -> None:
        registry.load(rules_copy(tmp_path, *edits))

    yield load
    registry.load()

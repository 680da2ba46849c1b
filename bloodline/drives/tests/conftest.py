"""Drive fixtures on top of the demo tree: a planner for drives and people to register."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.drives import actions
from bloodline.drives.models import Drive, DriveStatus

# The statuses a drive passes through to reach each status, from proposed.
PATH_TO = {
    DriveStatus.PROPOSED: [],
    DriveStatus.CONFIRMED: [DriveStatus.CONFIRMED],
    DriveStatus.RUNNING: [DriveStatus.CONFIRMED, DriveStatus.RUNNING],
    DriveStatus.CLOSED: [DriveStatus.CONFIRMED, DriveStatus.RUNNING, DriveStatus.CLOSED],
    DriveStatus.RECONCILED: [
        DriveStatus.CONFIRMED,
        DriveStatus.RUNNING,
        DriveStatus.CLOSED,
        DriveStatus.RECONCILED,
    ],
    DriveStatus.CANCELLED: [DriveStatus.CANCELLED],
}


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def users(demo: Any) -> dict[str, User]:
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def make_drive(demo: Any, users: dict[str, User]) -> Any:
    """Plan a drive at the Vietnamese blood centre, hosted by the garment enterprise, and
    bring it to ``status``. Two beds and four 30-minute slots unless told otherwise."""

    def make(status: str = DriveStatus.PROPOSED, **overrides: Any) -> Drive:
        admin = users["establishment_admin"]
        values: dict[str, Any] = {
            "establishment": demo.nodes["vn_centre"],
            "hosts": [demo.nodes["vn_garment"]],
            "title": "Ngày hội hiến máu May Đông Giang",
            "venue": "Hội trường công ty",
            "starts_on": in_days(30),
            "opens_at": dt.time(7, 0),
            "closes_at": dt.time(9, 0),
            "slot_minutes": 30,
            "beds": 2,
        }
        values.update(overrides)
        values.setdefault("ends_on", values["starts_on"])
        drive = actions.create_drive(by=admin, **values)
        for step in PATH_TO[DriveStatus(status)]:
            reason = "Mưa bão" if step == DriveStatus.CANCELLED else ""
            drive = actions.change_status(by=admin, drive=drive, status=step, reason=reason)
        return drive

    return make


@pytest.fixture
def register(demo: Any, users: dict[str, User]) -> Any:
    """Register a generated person into a drive's ``slot_index``-th slot."""
    counter = iter(range(1, 10_000))

    def book(drive: Drive, slot_index: int = 0, by: str = "unit_organiser", **person: Any) -> Any:
        n = next(counter)
        values: dict[str, Any] = {
            "full_name": f"Người hiến {n}",
            "date_of_birth": dt.date(1990, 1, 1) + dt.timedelta(days=n),
            "sex": "F",
            "phone": f"09{n:08d}",
            "unit": demo.nodes["vn_garment"],
        }
        values.update(person)
        slot = list(drive.slots.all())[slot_index]
        return actions.register_person(by=users[by], drive=drive, slot=slot, **values)

    return book


@pytest.fixture
def english(login: Any) -> Any:
    """A signed-in client reading the pages in English."""

    def as_persona(username: str) -> Client:
        client: Client = login(username)
        client.cookies["django_language"] = "en"
        return client

    return as_persona


# Donation-day records, built directly with the ORM (the stations that write them are
# another part of the system; reconciliation only reads them).


@pytest.fixture
def present(users: dict[str, User]) -> Any:
    """A presentation at ``drive`` (for a registration, or a walk-in ``donor``)."""

    def make(
        drive: Drive,
        registration: Any = None,
        donor: Any = None,
        step: str = "questionnaire",
        decision: str = "",
        arrived_at: dt.datetime | None = None,
        **values: Any,
    ) -> Any:
        from bloodline.screening.models import Presentation

        nurse, physician = users["drive_nurse"], users["physician"]
        if decision:
            values |= {"decided_at": timezone.now(), "decided_by": physician}
            if decision in ("accept", "override"):
                values.setdefault("volume_ml", 350)
                values.setdefault("decision_reason", "test")
        return Presentation.objects.create(
            drive=drive,
            registration=registration,
            donor=donor if donor is not None else registration.donor,
            step=step,
            decision=decision,
            arrived_at=arrived_at or timezone.now(),
            checked_in_by=nurse,
            **values,
        )

    return make


@pytest.fixture
def collect(demo: Any) -> Any:
    """A donation at ``drive`` from ``donor``."""
    counter = iter(range(1, 10_000))

    def make(drive: Drive, donor: Any, at: dt.datetime | None = None, din: str = "") -> Any:
        from bloodline.collection.models import Donation

        return Donation.objects.create(
            din=din or f"A999926{next(counter):06d}",
            donor=donor,
            establishment=drive.establishment,
            collected_at=at or timezone.now(),
            donation_type="whole_blood",
            volume_ml=350,
            bag_volume_ml=350,
            credited_to=demo.nodes["vn_garment"],
            drive=drive,
        )

    return make


@pytest.fixture
def printed(users: dict[str, User]) -> Any:
    """Pre-printed labels for ``drive``: sequences ``first``–``last`` of facility A9999, 2026
    (the numbers the ``collect`` fixture uses)."""

    def make(drive: Drive, first: int, last: int) -> Any:
        from bloodline.drives.models import LabelSet

        return LabelSet.objects.create(
            drive=drive,
            fin="A9999",
            year=26,
            first=first,
            last=last,
            printed_by=users["drive_nurse"],
            printed_at=timezone.now(),
        )

    return make


def typed(din13: str) -> str:
    """A DIN as typed by hand from the label: the 13 characters and the check character."""
    from bloodline.lib.isbt128 import check_character

    return din13 + check_character(din13)


@pytest.fixture
def second_admin(demo: Any) -> User:
    """Another administrator of the Vietnamese blood centre: the second pair of eyes."""
    from bloodline.organisations import actions as org_actions
    from bloodline.organisations.roles import Role

    user = User.objects.create_user(username="second_admin", password="x", full_name="Lê Thị B")
    org_actions.add_membership(
        by=system_actor(),
        user=user,
        organisation=demo.nodes["vn_centre"],
        role=Role.ESTABLISHMENT_ADMIN,
        valid_from=timezone.localdate().replace(month=1, day=1),
    )
    return user

"""A registration's status follows the day (issue 13, decision 0058): booked → arrived →
deferred or donated, or did not come once the drive closed without them. Driven through the
real station actions and drive closing, read back through ``drives.day_status``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.drives import actions as drive_actions
from bloodline.drives import closing
from bloodline.drives.day_status import no_shows_by_organiser, with_day_status
from bloodline.drives.models import DayStatus, Drive, DriveStatus, Registration
from bloodline.drives.reconciliation import no_shows
from bloodline.screening import actions
from bloodline.screening.models import Presentation

pytestmark = pytest.mark.django_db


def status_of(registration: Registration) -> str:
    found = with_day_status(Registration.objects.filter(pk=registration.pk)).get()
    return str(getattr(found, "day_status"))  # noqa: B009 (an annotation)


def collect(presentation: Presentation, by: User) -> Any:
    end = timezone.now() - dt.timedelta(minutes=1)
    return actions.collect(
        by=by,
        presentation=presentation,
        bag_type="triple",
        volume_ml=350,
        started_at=end - dt.timedelta(minutes=8),
        ended_at=end,
    )


def close(drive: Drive, users: dict[str, User]) -> Drive:
    drive.refresh_from_db()
    return drive_actions.change_status(
        by=users["establishment_admin"], drive=drive, status=DriveStatus.CLOSED
    )


def test_booked_then_arrived_then_donated(
    drive: Drive, register: Any, nurse: User, physician: User
) -> None:
    from bloodline.screening.tests.conftest import HEALTHY, no_answers

    registration = register(drive).registration
    assert status_of(registration) == DayStatus.BOOKED
    presentation = actions.check_in(by=nurse, drive=drive, scan=str(registration.uuid)).presentation
    assert status_of(registration) == DayStatus.ARRIVED
    presentation = actions.record_answers(
        by=nurse, presentation=presentation, answers=no_answers(presentation)
    )
    presentation = actions.record_vitals(by=nurse, presentation=presentation, **HEALTHY)
    assert status_of(registration) == DayStatus.ARRIVED  # still in the flow
    presentation = actions.physician_decide(
        by=physician, presentation=presentation, decision="accept", volume_ml=350
    )
    collect(presentation, nurse)
    assert status_of(registration) == DayStatus.DONATED


def test_the_physicians_deferral_makes_it_deferred(at_physician: Any, physician: User) -> None:
    presentation = at_physician()
    actions.physician_decide(
        by=physician,
        presentation=presentation,
        decision="defer",
        reason="Mệt",
        until=timezone.localdate() + dt.timedelta(days=14),
    )
    assert status_of(presentation.registration) == DayStatus.DEFERRED


def test_closing_without_an_arrival_makes_a_no_show_counted_for_the_organiser(
    drive: Drive, register: Any, nurse: User, users: dict[str, User], demo: Any
) -> None:
    came = register(drive).registration
    stayed_away = [register(drive, slot_index=n).registration for n in (1, 2)]
    school = demo.nodes["vn_dong_c1"]
    other_unit = register(drive, 3, by="district_committee", unit=school).registration
    presentation = actions.check_in(by=nurse, drive=drive, scan=str(came.uuid)).presentation
    closing.mark_left(
        by=users["establishment_admin"], drive=drive, presentation=presentation, reason="Bận"
    )
    assert [status_of(r) for r in stayed_away] == [DayStatus.BOOKED] * 2  # not yet: still open
    assert no_shows_by_organiser(drive.registrations.all()) == []

    close(drive, users)

    assert status_of(came) == DayStatus.ARRIVED  # came, left before donating
    assert [status_of(r) for r in [*stayed_away, other_unit]] == [DayStatus.NO_SHOW] * 3
    counts = no_shows_by_organiser(drive.registrations.all())
    assert counts == [(demo.nodes["vn_garment"], 2), (school, 1)]
    # The same people closing's own no-show list names: one rule.
    missing = with_day_status(drive.registrations.all()).filter(Q(day_status=DayStatus.NO_SHOW))
    assert set(missing) == set(no_shows(drive))


def test_a_cancelled_registration_stays_cancelled(
    drive: Drive, register: Any, users: dict[str, User]
) -> None:
    registration = register(drive).registration
    drive_actions.cancel_registration(by=users["unit_organiser"], registration=registration)
    close(drive, users)
    assert status_of(registration) == DayStatus.CANCELLED


def test_the_status_of_many_registrations_is_one_query(make_drive: Any, register: Any) -> None:
    drive = make_drive(DriveStatus.CONFIRMED, beds=40)
    for _ in range(3):
        register(drive)
    with CaptureQueriesContext(connection) as few:
        small = list(with_day_status(drive.registrations.all()))
    for _ in range(30):
        register(drive)
    with CaptureQueriesContext(connection) as many:
        large = list(with_day_status(drive.registrations.all()))
    assert (len(small), len(large)) == (3, 33)
    assert len(few.captured_queries) == len(many.captured_queries) == 1


def test_the_drive_page_shows_each_status_and_the_no_shows_per_organiser(
    drive: Drive, register: Any, nurse: User, users: dict[str, User], english: Any
) -> None:
    came = register(drive).registration
    register(drive, 1)
    actions.check_in(by=nurse, drive=drive, scan=str(came.uuid))
    client = english("establishment_admin")
    html = client.get(f"/drives/{drive.uuid}/").content.decode()
    assert 'data-day-status="arrived">arrived<' in html
    assert 'data-day-status="booked">booked<' in html
    assert "no-shows-by-organiser" not in html  # the drive is still running

    closing.mark_left(
        by=users["establishment_admin"],
        drive=drive,
        presentation=came.presentation,
        reason="Bận",
    )
    close(drive, users)
    html = client.get(f"/drives/{drive.uuid}/").content.decode()
    assert 'data-day-status="no_show">did not come<' in html
    assert "Dong Giang Garment Co., Ltd.: 1 person did not come" in html
    summary = client.get(f"/drives/{drive.uuid}/reconcile/").content.decode()
    assert "Dong Giang Garment Co., Ltd.: 1 person did not come" in summary

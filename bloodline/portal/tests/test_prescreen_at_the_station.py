"""The questionnaire station opens with a valid pre-screening's answers pre-filled and marked
"answered at home", and the nurse confirms each before the station records its own answers
(decision 0058); answers past PRESCREEN_VALID_HOURS are not offered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bloodline.audit.models import AuditEvent
from bloodline.drives.models import Registration
from bloodline.portal.tests import prescreen_world as world
from bloodline.screening import actions
from bloodline.screening.assessment import questions_at
from bloodline.screening.models import PreScreen, Presentation, Step

pytestmark = pytest.mark.django_db
booking, drive, english, mai = world.booking, world.drive, world.english, world.mai
make_drive, nurse, register, users = world.make_drive, world.nurse, world.register, world.users


def answered_at_home(mai: Client, booking: Registration, **changes: str) -> PreScreen:
    answers = {q.code: "no" for q in questions_at(booking.drive, booking.donor)}
    mai.post(reverse("portal:prescreen", args=[booking.uuid]), answers | changes)
    return PreScreen.objects.get(registration=booking)


def station(booking: Registration, presentation: Presentation) -> str:
    url = reverse("stations:station", args=[booking.drive.uuid, "questionnaire"])
    return f"{url}?p={presentation.uuid}"


def checked_in(booking: Registration, nurse: Any) -> Presentation:
    return actions.check_in(by=nurse, drive=booking.drive, scan=str(booking.uuid)).presentation


def test_the_station_opens_prefilled_and_the_nurse_confirms_each_answer(
    mai: Client, booking: Registration, nurse: Any, english: Any
) -> None:
    answered_at_home(mai, booking, piercing="yes")
    presentation = checked_in(booking, nurse)
    client = english("drive_nurse")
    html = client.get(station(booking, presentation)).content.decode()
    assert 'data-testid="prescreen-prefilled"' in html and "Answered at home on" in html
    assert "Answered at home: Yes" in html and "Answered at home: No" in html
    assert 'name="piercing" value="yes" id="id_piercing_1" required checked>' in html
    assert 'name="tattoo" value="no" id="id_tattoo_0" required checked>' in html
    answers = {q.code: "no" for q in questions_at(booking.drive, booking.donor)}
    answers["piercing"] = "no"  # the donor tells the nurse it was a year ago: corrected here

    refused = client.post(
        station(booking, presentation), {"presentation": presentation.uuid, **answers}
    )
    assert b"This field is required" in refused.content  # the confirmation
    presentation.refresh_from_db()
    assert presentation.step == Step.QUESTIONNAIRE and presentation.answers == {}

    client.post(
        station(booking, presentation),
        {"presentation": presentation.uuid, "confirm_prefilled": "on", **answers},
    )
    presentation.refresh_from_db()
    assert presentation.step == Step.VITALS
    assert presentation.answers["piercing"] is False  # the station's own answer is recorded
    assert presentation.answered_by.username == "drive_nurse"
    trail = AuditEvent.objects.get(action="presentation.answers")
    home = PreScreen.objects.get(registration=booking)
    assert trail.changes["prescreen"] == [None, str(home.uuid)]
    assert "piercing" not in str(trail.changes)


def test_answers_older_than_the_valid_hours_are_not_offered(
    mai: Client, booking: Registration, nurse: Any, english: Any, settings: Any
) -> None:
    settings.PRESCREEN_VALID_HOURS = 24
    home = answered_at_home(mai, booking)
    # Answered 25 hours ago: they stopped counting an hour ago.
    PreScreen.objects.filter(pk=home.pk).update(
        answered_at=home.answered_at - dt.timedelta(hours=25),
        valid_until=home.valid_until - dt.timedelta(hours=25),
    )
    presentation = checked_in(booking, nurse)
    html = english("drive_nurse").get(station(booking, presentation)).content.decode()
    assert "Answered at home" not in html and "confirm_prefilled" not in html


def test_check_in_says_the_donor_pre_screened_at_home(
    mai: Client, booking: Registration, english: Any
) -> None:
    url = reverse("stations:station", args=[booking.drive.uuid, "checkin"])
    nurse = english("drive_nurse")
    assert "Pre-screened at home" not in nurse.get(f"{url}?r={booking.uuid}").content.decode()
    answered_at_home(mai, booking)
    html = nurse.get(f"{url}?r={booking.uuid}").content.decode()
    assert 'data-testid="arrival-prescreened"' in html and "Pre-screened at home" in html


def test_the_station_api_gives_the_home_answers_and_the_count(
    mai: Client, booking: Registration, english: Any
) -> None:
    answered_at_home(mai, booking, piercing="yes")
    nurse = english("drive_nurse")
    came = nurse.post(
        f"/api/v1/stations/{booking.drive.uuid}/check-in",
        {"scan": str(booking.uuid)},
        content_type="application/json",
    )
    assert came.status_code == 201, came.content
    body = came.json()
    assert body["home_answered_at"] is not None
    assert body["home_answers"]["piercing"] == "yes" and body["home_answers"]["tattoo"] == "no"
    assert (body["donations_before"], body["donation_number"]) == (0, None)

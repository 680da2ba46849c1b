"""Pre-screening at home (issue 13 §3, decision 0058): the station's questions, in the donor's
language, answers stored against the booking and valid for PRESCREEN_VALID_HOURS; a deferring
answer tells the donor the date the engine gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from bloodline.audit.models import AuditEvent
from bloodline.drives.models import DriveStatus, Registration
from bloodline.portal.tests import prescreen_world as world
from bloodline.portal.tests.prescreen_world import sign_up
from bloodline.screening import engine, prescreen
from bloodline.screening.assessment import questions_at
from bloodline.screening.lookup import next_eligible
from bloodline.screening.models import PreScreen

pytestmark = pytest.mark.django_db
booking, drive, english, mai = world.booking, world.drive, world.english, world.mai
make_drive, nurse, register, users = world.make_drive, world.nurse, world.register, world.users


def page(registration: Registration) -> str:
    return reverse("portal:prescreen", args=[registration.uuid])


def all_no(registration: Registration) -> dict[str, str]:
    return {q.code: "no" for q in questions_at(registration.drive, registration.donor)}


def test_the_donor_answers_the_stations_questions_and_they_are_kept(
    mai: Client, booking: Registration, settings: Any
) -> None:
    settings.PRESCREEN_VALID_HOURS = 24
    shown = mai.get(page(booking)).content.decode()
    for question in questions_at(booking.drive, booking.donor):
        assert escape(question.wording(None, "en").split("%")[0][:30]) in shown
    assert 'data-testid="prescreen-form"' in shown

    response = mai.post(page(booking), all_no(booking) | {"tattoo": "yes"})
    assert response.status_code == 302
    assert "Your answers are saved" in mai.get(response["Location"]).content.decode()
    saved = PreScreen.objects.get(registration=booking)
    assert saved.answers["tattoo"] is True and saved.answers["transfusion"] is False
    assert saved.valid_until - saved.answered_at == dt.timedelta(hours=24)
    event = AuditEvent.objects.filter(action="prescreen.answer").get()
    assert "tattoo" not in str(event.changes)  # the trail says that, never what


def test_the_questions_come_in_the_donors_language(mai: Client, booking: Registration) -> None:
    mai.cookies["django_language"] = "vi"
    shown = mai.get(page(booking)).content.decode()
    question = questions_at(booking.drive, booking.donor)[0]
    assert escape(question.text["vi"].split("%")[0][:20]) in shown


def test_a_deferring_answer_says_not_today_with_the_engines_date(
    mai: Client, booking: Registration
) -> None:
    mai.post(page(booking), all_no(booking) | {"tattoo": "yes"})
    saved = PreScreen.objects.get(registration=booking)
    verdict = prescreen.self_check(saved)
    assert verdict is not None and verdict.clearly_not
    donor, day = booking.donor, prescreen.appointment_day(booking)
    assert donor.date_of_birth is not None
    expected = next_eligible(
        engine.evaluate_on(
            booking.drive.establishment.jurisdiction,
            engine.Facts(
                on=day,
                sex="M" if donor.sex == "M" else "F",
                date_of_birth=donor.date_of_birth,
                donation_type="whole_blood",
                answers={"tattoo": True},
            ),
        ),
        day,
    )
    assert expected is not None and expected > day
    assert verdict.eligible_from == expected
    shown = mai.get(page(booking)).content.decode()
    assert f'data-eligible-from="{expected.isoformat()}"' in shown
    assert "Not today — you can give again from" in shown


def test_clear_answers_say_nothing_stops_them(mai: Client, booking: Registration) -> None:
    mai.post(page(booking), all_no(booking))
    shown = mai.get(page(booking)).content.decode()
    assert "Nothing in your answers stops you from giving" in shown
    assert "Not today" not in shown


def test_an_unanswered_question_is_refused_and_nothing_is_written(
    mai: Client, booking: Registration
) -> None:
    answers = all_no(booking)
    answers.pop("tattoo")
    response = mai.post(page(booking), answers)
    assert response.status_code == 200 and b"This field is required" in response.content
    assert not PreScreen.objects.exists()


def test_answers_are_refused_before_the_window_opens(
    make_drive: Any, register: Any, settings: Any
) -> None:
    settings.PRESCREEN_VALID_HOURS = 24
    later = make_drive(DriveStatus.CONFIRMED)  # in 30 days
    booked = register(later).registration
    client = sign_up(booked)
    response = client.post(page(booked), all_no(booked))
    assert response.status_code == 200
    assert b"Answers count for 24 hours, so you can answer from" in response.content
    assert not PreScreen.objects.exists()


def test_someone_elses_booking_is_not_found(
    mai: Client, drive: Any, register: Any, english: Any
) -> None:
    other = register(drive, full_name="Người khác").registration
    assert mai.get(page(other)).status_code == 404
    assert mai.post(page(other), all_no(other)).status_code == 404
    # Staff reach donors through the stations, never through the donor's door.
    assert english("drive_nurse").get(page(other)).status_code == 404
    assert Client().get(page(other)).status_code == 302  # to sign in


def test_erasing_the_donor_deletes_the_answers_given_at_home(
    mai: Client, booking: Registration, users: Any
) -> None:
    from bloodline.donors.erasure import erase_donor

    assert mai.post(page(booking), all_no(booking)).status_code == 302
    saved = PreScreen.objects.get(registration=booking)
    erase_donor(by=users["drive_nurse"], donor=booking.donor, reason="The donor asked.")
    assert not PreScreen.objects.filter(registration=booking).exists()
    event = AuditEvent.objects.filter(action="donor.erased").get()
    assert event.changes["prescreens_deleted"] == [None, [str(saved.uuid)]]

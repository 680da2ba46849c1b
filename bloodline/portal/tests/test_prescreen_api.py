"""``/api/v1/me/prescreen/…``: the donor's bookings with their status through the day, the
questions in the donor's language and answers given through the API (decision 0058)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bloodline.drives.models import Registration
from bloodline.portal.tests import prescreen_world as world
from bloodline.screening import actions
from bloodline.screening.assessment import questions_at
from bloodline.screening.models import PreScreen

pytestmark = pytest.mark.django_db
booking, drive, english, mai = world.booking, world.drive, world.english, world.mai
make_drive, nurse, register, users = world.make_drive, world.nurse, world.register, world.users
API = "/api/v1/me/prescreen"


def all_no(registration: Registration) -> dict[str, str]:
    return {q.code: "no" for q in questions_at(registration.drive, registration.donor)}


def test_the_donor_reads_the_questions_and_answers_through_the_api(
    mai: Client, booking: Registration
) -> None:
    got = mai.get(f"{API}/{booking.uuid}", HTTP_ACCEPT_LANGUAGE="vi")
    assert got.status_code == 200
    body = got.json()
    codes = [q["code"] for q in body["questions"]]
    assert codes == [q.code for q in questions_at(booking.drive, booking.donor)]
    assert body["prescreen"] is None

    answers = all_no(booking) | {"tattoo": "yes"}
    put = mai.put(f"{API}/{booking.uuid}", {"answers": answers}, content_type="application/json")
    assert put.status_code == 200, put.content
    saved = put.json()["prescreen"]
    assert saved["valid"] is True and saved["answers"]["tattoo"] == "yes"
    assert saved["verdict"]["clearly_not"] is True and saved["verdict"]["eligible_from"]
    assert PreScreen.objects.get(registration=booking).answers["tattoo"] is True


def test_a_missing_answer_is_a_clear_422_and_nothing_is_written(
    mai: Client, booking: Registration
) -> None:
    answers = all_no(booking)
    answers.pop("tattoo")
    put = mai.put(f"{API}/{booking.uuid}", {"answers": answers}, content_type="application/json")
    assert put.status_code == 422
    assert "Answer yes, no or don't know." in str(put.json()["detail"])
    assert not PreScreen.objects.exists()


def test_the_booking_shows_its_status_through_the_day(
    mai: Client, booking: Registration, nurse: Any
) -> None:
    rows = mai.get(f"{API}/bookings").json()
    assert [(r["registration"], r["day_status"]) for r in rows] == [(str(booking.uuid), "booked")]
    actions.check_in(by=nurse, drive=booking.drive, scan=str(booking.uuid))
    row = mai.get(f"{API}/bookings").json()[0]
    assert (row["day_status"], row["day_status_label"]) == ("arrived", "arrived")


def test_nobody_else_reaches_a_donors_booking(
    mai: Client, booking: Registration, english: Any
) -> None:
    nurse = english("drive_nurse")
    assert nurse.get(f"{API}/{booking.uuid}").status_code == 404
    assert nurse.get(f"{API}/bookings").json() == []
    assert Client().get(f"{API}/bookings").status_code == 401

# ruff: noqa: F811  (pytest fixtures are imported by name from booking_fixtures)
"""Booking messages through the outbox (issue 13 §6): the reminder the day before, queued once
per booking and day however often the job runs; a cancelled drive tells everyone booked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from bloodline.drives import actions
from bloodline.drives.booking_jobs import send_reminders
from bloodline.drives.models import DriveStatus, WaitlistEntry, WaitStatus
from bloodline.drives.tests.conftest import in_days
from bloodline.notifications import worker
from bloodline.portal.tests.booking_fixtures import (  # noqa: F401
    active,
    consenting,
    donor_user,
    drive,
    gateway,
    make_donor,
    make_drive,
    messages_to,
    noon_after,
    nurse,
    signed_in,
    system,
    users,
)

pytestmark = pytest.mark.django_db


def book(user: Any, drive: Any, index: int = 0) -> None:
    slot = list(drive.slots.all())[index]
    url = reverse("portal:booking_book", args=[drive.uuid])
    assert signed_in(user).post(url, {"slot": slot.starts_at.isoformat()}).status_code == 302


def test_the_day_before_each_booking_gets_one_reminder(
    make_drive: Any, donor_user: Any, gateway: Any
) -> None:
    tomorrow = make_drive(DriveStatus.CONFIRMED, starts_on=in_days(1))
    later = make_drive(DriveStatus.CONFIRMED, starts_on=in_days(5), title="Later")
    user, donor = donor_user()
    other_user, other = donor_user()
    book(user, tomorrow, index=3)
    book(other_user, later)
    # Noon in Hanoi on the day before: the drive's zone decides what "tomorrow" is.
    first_slot = tomorrow.slots.order_by("starts_at").first()
    noon = first_slot.starts_at - dt.timedelta(hours=19)
    assert send_reminders(now=noon) == {"queued": 1}
    assert send_reminders(now=noon + dt.timedelta(hours=1)) == {"queued": 0}
    (reminder,) = messages_to(donor, "reminder_day_before")
    assert "08:30" in reminder.body and messages_to(other, "reminder_day_before") == []
    worker.send_due(worker="test", now=noon_after(reminder))
    assert reminder.key in [d["key"] for d in gateway.delivered]


def test_a_booking_cancelled_after_its_reminder_was_queued_is_not_reminded(
    make_drive: Any, donor_user: Any, gateway: Any
) -> None:
    tomorrow = make_drive(DriveStatus.CONFIRMED, starts_on=in_days(1))
    user, donor = donor_user()
    book(user, tomorrow)
    noon = tomorrow.slots.order_by("starts_at").first().starts_at - dt.timedelta(hours=19)
    assert send_reminders(now=noon) == {"queued": 1}
    registration = donor.registrations.get(cancelled_at__isnull=True)
    url = reverse("portal:booking_cancel", args=[registration.uuid])
    assert signed_in(user).post(url).status_code == 302
    (reminder,) = messages_to(donor, "reminder_day_before")
    assert (reminder.status, reminder.last_error) == ("cancelled", "booking_cancelled")
    worker.send_due(worker="test", now=noon_after(reminder))
    assert reminder.key not in [d["key"] for d in gateway.delivered]


def test_a_cancelled_drive_tells_everyone_booked_and_ends_its_waiting_lists(
    drive: Any, donor_user: Any, users: Any
) -> None:
    people = [donor_user() for _ in range(3)]
    for user, _donor in people[:2]:
        book(user, drive)
    waiting_user, waiting = people[2]
    url = reverse("portal:booking_waitlist", args=[drive.uuid])
    signed_in(waiting_user).post(url, {"slot": drive.slots.first().starts_at.isoformat()})
    actions.change_status(
        by=users["establishment_admin"], drive=drive, status="cancelled", reason="Bão lớn"
    )
    for _user, donor in people[:2]:
        (message,) = messages_to(donor, "drive_cancelled")
        assert drive.venue in message.body
    assert messages_to(waiting, "drive_cancelled") == []
    assert WaitlistEntry.objects.get(donor=waiting).status == WaitStatus.CLOSED


def test_a_message_is_written_in_the_donors_language(donor_user: Any, drive: Any) -> None:
    user, donor = donor_user(preferred_language="vi")
    book(user, drive)
    (message,) = messages_to(donor, "booking_confirmed")
    assert message.language == "vi" and message.body != ""
    english_user, english = donor_user(preferred_language="en")
    book(english_user, drive, index=1)
    (other,) = messages_to(english, "booking_confirmed")
    assert other.subject != message.subject

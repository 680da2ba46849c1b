"""The window of a pre-screening (decision 0058), as a boundary table: answers count from
answering until PRESCREEN_VALID_HOURS later; they can be given from that long before the
appointment; the donor's booking list costs the same few queries however many bookings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bloodline.drives.models import DriveStatus, Registration
from bloodline.portal.tests import prescreen_world as world
from bloodline.screening import prescreen
from bloodline.screening.models import PreScreen

pytestmark = pytest.mark.django_db
booking, drive, english, mai = world.booking, world.drive, world.english, world.mai
make_drive, nurse, register, users = world.make_drive, world.nurse, world.register, world.users
SECOND = dt.timedelta(seconds=1)


@pytest.mark.parametrize(
    ("offset", "valid"),
    [
        (-SECOND, False),  # before answering
        (dt.timedelta(0), True),
        (dt.timedelta(hours=24) - SECOND, True),
        (dt.timedelta(hours=24), True),  # the last moment
        (dt.timedelta(hours=24) + SECOND, False),
    ],
)
def test_answers_count_for_the_valid_hours(
    booking: Registration, offset: dt.timedelta, valid: bool
) -> None:
    answered = timezone.now()
    found = PreScreen.objects.create(
        registration=booking,
        questionnaire_version="VN-TT26-2013 2026.1",
        answers={},
        answered_at=answered,
        valid_until=answered + dt.timedelta(hours=24),
    )
    assert found.is_valid_at(answered + offset) is valid
    assert (prescreen.valid_for_station(booking, answered + offset) is not None) is valid


def test_the_window_opens_the_valid_hours_before_the_appointment(
    booking: Registration, settings: Any
) -> None:
    settings.PRESCREEN_VALID_HOURS = 6
    assert prescreen.opens_at(booking) == booking.slot.starts_at - dt.timedelta(hours=6)


def test_a_constraint_refuses_answers_valid_before_they_were_given(
    booking: Registration,
) -> None:
    from django.db import IntegrityError, transaction

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        PreScreen.objects.create(
            registration=booking,
            questionnaire_version="x",
            answered_at=now,
            valid_until=now,
        )


def test_the_booking_list_does_not_grow_in_queries(make_drive: Any, register: Any) -> None:
    drives = [make_drive(DriveStatus.CONFIRMED, beds=2) for _ in range(12)]
    first = register(drives[0]).registration
    client = world.sign_up(first)

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get("/api/v1/me/prescreen/bookings").status_code == 200
        return len(seen.captured_queries)

    queries()  # the first request of a session warms caches (content types, language)
    one = queries()
    for other in drives[1:]:
        register(
            other,
            full_name=first.donor.full_name,
            date_of_birth=first.donor.date_of_birth,
            sex=first.donor.sex,
            phone=first.donor.phone,
        )
    assert Registration.objects.filter(donor=first.donor).count() == 12
    assert queries() == one

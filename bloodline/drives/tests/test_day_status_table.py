"""The registration's status through the day as a table (decision 0058): each row a drive
status, what happened to the person there, and the status that follows. The rule's order is
the table's: cancelled, then donated (a complete collection only), deferred, arrived, and
did not come once the drive has ended."""

from __future__ import annotations

from typing import Any

import pytest

from bloodline.drives import actions
from bloodline.drives.day_status import with_day_status
from bloodline.drives.models import DayStatus, DriveStatus, Registration

pytestmark = pytest.mark.django_db

B, A, D, G, N, C = (
    DayStatus.BOOKED,
    DayStatus.ARRIVED,
    DayStatus.DEFERRED,
    DayStatus.DONATED,
    DayStatus.NO_SHOW,
    DayStatus.CANCELLED,
)
# (drive status at the end, what happened, expected status)
TABLE = [
    (DriveStatus.CONFIRMED, "nothing", B),
    (DriveStatus.RUNNING, "nothing", B),
    (DriveStatus.RUNNING, "in_flow", A),
    (DriveStatus.RUNNING, "left", A),
    (DriveStatus.RUNNING, "deferred", D),
    (DriveStatus.RUNNING, "collected", G),
    (DriveStatus.RUNNING, "stopped_short", A),  # an incomplete collection is not a donation
    (DriveStatus.RUNNING, "cancelled", C),
    (DriveStatus.CLOSED, "nothing", N),
    (DriveStatus.CLOSED, "left", A),
    (DriveStatus.CLOSED, "deferred", D),
    (DriveStatus.CLOSED, "cancelled", C),
    (DriveStatus.CANCELLED, "nothing", C),
]


@pytest.mark.parametrize(("status", "happened", "expected"), TABLE)
def test_the_status_follows_the_day(
    make_drive: Any,
    register: Any,
    present: Any,
    collect: Any,
    users: Any,
    status: str,
    happened: str,
    expected: str,
) -> None:
    admin = users["establishment_admin"]
    start = DriveStatus.CONFIRMED if status != DriveStatus.RUNNING else DriveStatus.RUNNING
    if status == DriveStatus.CLOSED:
        start = DriveStatus.RUNNING
    drive = make_drive(start)
    registration = register(drive).registration
    if happened == "cancelled":
        actions.cancel_registration(by=users["unit_organiser"], registration=registration)
    elif happened in ("in_flow", "left", "deferred"):
        step = {"in_flow": "vitals", "left": "left", "deferred": "deferred"}[happened]
        present(drive, registration, step=step, decision="defer" if step == "deferred" else "")
    elif happened in ("collected", "stopped_short"):
        donation = collect(drive, registration.donor)
        if happened == "stopped_short":
            type(donation).objects.filter(pk=donation.pk).update(
                outcome="incomplete", incomplete_reason="poor_flow", volume_ml=120
            )
        present(drive, registration, step="post_care", decision="accept", donation=donation)
    if status in (DriveStatus.CLOSED, DriveStatus.CANCELLED):
        drive.refresh_from_db()
        reason = "Mưa bão" if status == DriveStatus.CANCELLED else ""
        actions.change_status(by=admin, drive=drive, status=status, reason=reason)
    found = with_day_status(Registration.objects.filter(pk=registration.pk)).get()
    assert found.day_status_label == DayStatus(expected).label
    assert getattr(found, "day_status") == expected  # noqa: B009 (an annotation)

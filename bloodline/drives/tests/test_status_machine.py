"""A drive's status moves only along DRIVE_TRANSITIONS, in the action and in the database."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bloodline.audit.models import AuditEvent
from bloodline.drives import actions
from bloodline.drives.models import DRIVE_TRANSITIONS, Drive, DriveStatus

STATUSES = list(DriveStatus)


@pytest.mark.parametrize(("current", "wanted"), list(itertools.product(STATUSES, STATUSES)))
def test_each_status_change_is_allowed_exactly_when_the_table_says(
    make_drive, users, current, wanted
):
    drive = make_drive(current)
    # Reconciled → closed is in the table for the database guard, but only reopen_drive
    # takes that step, with a reason (decision 0022).
    reopening = (current, wanted) == (DriveStatus.RECONCILED, DriveStatus.CLOSED)
    allowed = wanted in DRIVE_TRANSITIONS[current] and not reopening
    try:
        actions.change_status(
            by=users["establishment_admin"], drive=drive, status=wanted, reason="Mưa bão"
        )
    except ValidationError as refused:
        assert not allowed, refused.messages
        assert refused.message_dict["status"] == [
            "A reconciled drive is reopened with a reason, not changed."
            if reopening
            else f"A drive that is {DriveStatus(current).label} cannot become "
            f"{DriveStatus(wanted).label}."
        ]
    else:
        assert allowed
    drive.refresh_from_db()
    assert drive.status == (wanted if allowed else current)


def test_cancelling_needs_a_reason_people_can_be_told(make_drive, users):
    drive = make_drive(DriveStatus.CONFIRMED)
    with pytest.raises(ValidationError) as refused:
        actions.change_status(
            by=users["establishment_admin"], drive=drive, status="cancelled", reason="  "
        )
    assert refused.value.message_dict["reason"] == [
        "Say why the drive is cancelled, so the people registered can be told."
    ]
    drive.refresh_from_db()
    assert drive.status == DriveStatus.CONFIRMED


def test_a_cancelled_drive_keeps_its_registrations(make_drive, register, users):
    drive = make_drive(DriveStatus.CONFIRMED)
    booked = register(drive).registration
    actions.change_status(
        by=users["establishment_admin"], drive=drive, status="cancelled", reason="Bão số 3"
    )
    booked.refresh_from_db()
    assert booked.cancelled_at is None and drive.registrations.count() == 1
    drive.refresh_from_db()
    assert drive.cancel_reason == "Bão số 3"


def test_status_changes_are_audited_with_the_reason(make_drive, users):
    drive = make_drive(DriveStatus.CANCELLED)
    events = AuditEvent.objects.filter(object_id=str(drive.uuid), action="drive.status")
    assert [(e.changes["status"], e.reason) for e in events] == [
        (["proposed", "cancelled"], "Mưa bão")
    ]


def test_the_database_refuses_a_cancelled_drive_without_a_reason(make_drive):
    drive = make_drive()
    with pytest.raises(IntegrityError), transaction.atomic():
        Drive.objects.filter(pk=drive.pk).update(status="cancelled")


@pytest.mark.parametrize(
    ("current", "wanted"),
    [("proposed", "reconciled"), ("confirmed", "closed"), ("closed", "running")],
)
def test_the_database_refuses_a_status_change_outside_the_table(make_drive, current, wanted):
    drive = make_drive(current)
    with pytest.raises(IntegrityError), transaction.atomic():
        Drive.objects.filter(pk=drive.pk).update(status=wanted)
    drive.refresh_from_db()
    assert drive.status == current


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(STATUSES), max_size=6))
def test_any_sequence_of_requests_walks_the_table_and_nothing_else(make_drive, users, wanted):
    drive = make_drive()
    expected = DriveStatus.PROPOSED
    for status in wanted:
        try:
            actions.change_status(
                by=users["establishment_admin"], drive=drive, status=status, reason="Lý do"
            )
        except ValidationError:
            assert status not in DRIVE_TRANSITIONS[expected]
        else:
            assert status in DRIVE_TRANSITIONS[expected]
            expected = status
        drive.refresh_from_db()
        assert drive.status == expected

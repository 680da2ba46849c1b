"""Closing and reconciling a drive: open presentations block closing, no-shows are confirmed,
and a reconciled drive's description changes only with a reason, audited as a correction."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bloodline.audit.models import AuditEvent
from bloodline.donors.models import Donor
from bloodline.drives import actions, reconciliation
from bloodline.drives.models import DriveStatus, VoidedDin
from bloodline.drives.tests.conftest import typed


def test_a_drive_with_people_still_in_the_flow_cannot_close(make_drive, register, present, users):
    drive = make_drive(DriveStatus.RUNNING)
    present(drive, register(drive).registration, step="physician")
    with pytest.raises(ValidationError, match="still in the day's flow"):
        actions.change_status(by=users["establishment_admin"], drive=drive, status="closed")
    drive.refresh_from_db()
    assert drive.status == DriveStatus.RUNNING


def test_marking_them_as_left_resolves_them_and_lets_the_drive_close(
    make_drive, register, present, users
):
    admin = users["establishment_admin"]
    drive = make_drive(DriveStatus.RUNNING)
    open_one = present(drive, register(drive).registration, step="vitals")
    left = actions.mark_left(by=admin, drive=drive, presentation=open_one, reason="Went home")
    assert (left.step, left.version) == ("left", 2)
    event = AuditEvent.objects.get(action="presentation.left")
    assert event.reason == "Went home" and event.changes == {"step": ["vitals", "left"]}
    closed = actions.change_status(by=admin, drive=drive, status="closed")
    assert closed.status == DriveStatus.CLOSED
    history = AuditEvent.objects.filter(action="drive.status").latest("pk")
    assert history.changes["figures"][1]["arrived"] == 1


def test_marking_as_left_needs_a_reason(make_drive, register, present, users):
    drive = make_drive(DriveStatus.RUNNING)
    open_one = present(drive, register(drive).registration, step="vitals")
    with pytest.raises(ValidationError):
        actions.mark_left(
            by=users["establishment_admin"], drive=drive, presentation=open_one, reason=" "
        )


def test_only_people_in_the_flow_can_be_marked_as_left(make_drive, register, present, users):
    drive = make_drive(DriveStatus.RUNNING)
    done = present(drive, register(drive).registration, step="done")
    with pytest.raises(ValidationError):
        actions.mark_left(
            by=users["establishment_admin"], drive=drive, presentation=done, reason="x"
        )


def test_station_staff_cannot_mark_people_as_left(make_drive, register, present, users):
    drive = make_drive(DriveStatus.RUNNING)
    open_one = present(drive, register(drive).registration, step="vitals")
    with pytest.raises(PermissionDenied):
        actions.mark_left(by=users["drive_nurse"], drive=drive, presentation=open_one, reason="x")


def test_reconciling_asks_to_confirm_the_no_shows(make_drive, register, users):
    admin = users["establishment_admin"]
    drive = make_drive(DriveStatus.RUNNING)
    register(drive)
    drive = actions.change_status(by=admin, drive=drive, status="closed")
    with pytest.raises(ValidationError, match="did not come"):
        actions.change_status(by=admin, drive=drive, status="reconciled")
    done = actions.change_status(by=admin, drive=drive, status="reconciled", confirm_no_shows=True)
    assert done.status == DriveStatus.RECONCILED


@pytest.fixture
def reconciled(make_drive):
    return make_drive(DriveStatus.RECONCILED, expected_units=40)


def test_a_reconciled_drive_is_not_corrected_without_a_reason(reconciled, users):
    with pytest.raises(ValidationError, match="reconciled"):
        actions.correct_drive(
            by=users["establishment_admin"], drive=reconciled, changes={"expected_units": 45}
        )
    reconciled.refresh_from_db()
    assert reconciled.expected_units == 40


def test_a_reconciled_drive_is_corrected_with_a_reason_and_audited(reconciled, users):
    drive = actions.correct_drive(
        by=users["establishment_admin"],
        drive=reconciled,
        changes={"expected_units": 45},
        reason="Typo in the plan",
    )
    assert drive.expected_units == 45
    event = AuditEvent.objects.get(action="drive.correct")
    assert event.reason == "Typo in the plan"
    assert event.changes == {"expected_units": [40, 45]}


def test_a_closed_drive_is_corrected_without_a_reason(make_drive, users):
    drive = make_drive(DriveStatus.CLOSED)
    drive = actions.correct_drive(
        by=users["establishment_admin"], drive=drive, changes={"venue": "Nhà văn hoá"}
    )
    assert drive.venue == "Nhà văn hoá"


def test_a_reconciled_drive_cannot_be_edited_like_a_planned_one(reconciled, users):
    with pytest.raises(ValidationError):
        actions.update_drive(
            by=users["establishment_admin"],
            drive=reconciled,
            version=reconciled.version,
            changes={"title": "New"},
            reason="x",
        )


def test_a_number_is_voided_with_a_reason(make_drive, printed, users):
    drive = make_drive(DriveStatus.RUNNING)
    printed(drive, 1, 10)
    voided = actions.void_din(
        by=users["establishment_admin"], drive=drive, din=" A9999 26 000007 X", reason="Torn"
    )
    assert voided.din == "A999926000007"
    assert reconciliation.is_voided("A999926000007")
    assert AuditEvent.objects.get(action="din.void").reason == "Torn"
    with pytest.raises(ValidationError, match="already voided"):
        actions.void_din(
            by=users["establishment_admin"], drive=drive, din=typed("A999926000007"), reason="x"
        )


def test_a_number_used_for_a_donation_cannot_be_voided(make_drive, printed, collect, users):
    drive = make_drive(DriveStatus.RUNNING)
    printed(drive, 1, 10)
    collect(drive, Donor.objects.create(full_name="Y"), din="A99992600000800")
    with pytest.raises(ValidationError, match="already used"):
        actions.void_din(
            by=users["establishment_admin"], drive=drive, din=typed("A999926000008"), reason="x"
        )
    assert not VoidedDin.objects.exists()


def test_voiding_needs_a_reason_and_a_valid_number(make_drive, printed, users):
    drive = make_drive(DriveStatus.RUNNING)
    printed(drive, 1, 10)
    admin = users["establishment_admin"]
    with pytest.raises(ValidationError):
        actions.void_din(by=admin, drive=drive, din=typed("A999926000009"), reason="")
    with pytest.raises(ValidationError):
        actions.void_din(by=admin, drive=drive, din="A9999260000094", reason="bad check")
    assert not VoidedDin.objects.exists()

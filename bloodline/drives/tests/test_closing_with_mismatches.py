"""A drive closes only when its reconciliation shows no open mismatch, or each one is resolved
with a reason by a person other than the one who closes (issue 10, "Why" 5; decision 0022)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bloodline.audit.models import AuditEvent
from bloodline.donors.models import Donor
from bloodline.drives import actions, reconciliation
from bloodline.drives.models import DriveStatus, MismatchKind, MismatchResolution


@pytest.fixture
def stray(make_drive, collect):
    """A running drive with a donation recorded for someone who never checked in."""
    drive = make_drive(DriveStatus.RUNNING)
    donation = collect(drive, Donor.objects.create(full_name="Trần Văn Lạc"))
    return drive, donation


def test_a_donation_without_a_presentation_stops_the_drive_closing(stray, users):
    drive, _donation = stray
    with pytest.raises(ValidationError) as refused:
        actions.change_status(by=users["establishment_admin"], drive=drive, status="closed")
    assert refused.value.message_dict["status"] == [
        "1 mismatch of the reconciliation is open. Put it right, or have it resolved with a "
        "reason, before closing."
    ]
    drive.refresh_from_db()
    assert drive.status == DriveStatus.RUNNING


def test_a_mismatch_resolved_by_a_second_person_lets_the_drive_close(stray, users, second_admin):
    drive, donation = stray
    resolution = actions.resolve_mismatch(
        by=second_admin,
        drive=drive,
        kind=MismatchKind.DONATION_WITHOUT_PRESENTATION,
        subject=str(donation.uuid),
        reason="Checked in on paper; the form is in the drive folder.",
    )
    assert reconciliation.reconcile(drive).mismatches == 0
    assert reconciliation.reconcile(drive).resolved == 1
    closed = actions.change_status(by=users["establishment_admin"], drive=drive, status="closed")
    assert closed.status == DriveStatus.CLOSED
    event = AuditEvent.objects.get(action="drive.resolve_mismatch")
    assert event.reason == resolution.reason
    assert event.changes["subject"] == [None, str(donation.uuid)]


def test_the_person_who_resolved_a_mismatch_cannot_close_the_drive(stray, second_admin):
    drive, donation = stray
    actions.resolve_mismatch(
        by=second_admin,
        drive=drive,
        kind=MismatchKind.DONATION_WITHOUT_PRESENTATION,
        subject=str(donation.uuid),
        reason="Paper check-in",
    )
    with pytest.raises(ValidationError, match="another person closes"):
        actions.change_status(by=second_admin, drive=drive, status="closed")


def test_resolving_needs_a_reason_and_an_open_mismatch(stray, users, make_drive):
    drive, donation = stray
    admin = users["establishment_admin"]
    kind = MismatchKind.DONATION_WITHOUT_PRESENTATION
    with pytest.raises(ValidationError, match="Say why"):
        actions.resolve_mismatch(
            by=admin, drive=drive, kind=kind, subject=str(donation.uuid), reason="  "
        )
    with pytest.raises(ValidationError, match="not open"):
        actions.resolve_mismatch(
            by=admin,
            drive=drive,
            kind=MismatchKind.VOIDED_BUT_USED,
            subject=str(donation.uuid),
            reason="x",
        )
    actions.resolve_mismatch(
        by=admin, drive=drive, kind=kind, subject=str(donation.uuid), reason="x"
    )
    with pytest.raises(ValidationError, match="not open"):
        actions.resolve_mismatch(
            by=admin, drive=drive, kind=kind, subject=str(donation.uuid), reason="again"
        )
    assert MismatchResolution.objects.count() == 1


def test_people_accepted_but_not_collected_stop_the_drive_closing(
    make_drive, register, present, users, second_admin
):
    drive = make_drive(DriveStatus.RUNNING)
    accepted = present(drive, register(drive).registration, step="done", decision="accept")
    with pytest.raises(ValidationError, match="1 mismatch"):
        actions.change_status(by=users["establishment_admin"], drive=drive, status="closed")
    actions.resolve_mismatch(
        by=second_admin,
        drive=drive,
        kind=MismatchKind.ACCEPTED_NOT_COLLECTED,
        subject=str(accepted.uuid),
        reason="Vein collapsed before the needle went in",
    )
    actions.change_status(by=users["establishment_admin"], drive=drive, status="closed")


def test_the_page_lists_open_mismatches_and_resolves_them(english, stray, second_admin):
    drive, donation = stray
    page = english("establishment_admin").get(f"/drives/{drive.uuid}/reconcile/").content.decode()
    assert 'id="open-mismatches"' in page and donation.din in page
    from django.test import Client

    client = Client()
    client.force_login(second_admin)
    client.cookies["django_language"] = "en"
    client.post(
        f"/drives/{drive.uuid}/reconcile/resolve/",
        {"kind": "donation_without_presentation", "subject": str(donation.uuid), "reason": "Paper"},
    )
    page = client.get(f"/drives/{drive.uuid}/reconcile/").content.decode()
    assert "No open mismatch." in page
    assert 'id="resolved"' in page and "Paper" in page

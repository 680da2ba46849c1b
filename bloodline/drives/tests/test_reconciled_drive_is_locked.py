"""Closing means closed: once a drive is reconciled its records refuse every write — from the
actions with a message, from any other writer by a database trigger — until it is reopened
with a reason (issue 10, "Why" 5; decision 0022). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bloodline.audit.models import AuditEvent
from bloodline.collection.actions import record_donation
from bloodline.collection.models import Donation
from bloodline.donors.models import Donor
from bloodline.drives import actions
from bloodline.drives.models import (
    DriveStatus,
    LabelSet,
    MismatchKind,
    MismatchResolution,
    Registration,
    VoidedDin,
)
from bloodline.drives.tests.conftest import typed
from bloodline.screening.models import Presentation

LOCKED = "This drive is reconciled and its records are locked; reopen it first."


@pytest.fixture
def day(make_drive, register, present, collect, printed, users) -> dict[str, Any]:
    """A reconciled drive: one donor collected with label 1, label 2 voided."""
    admin = users["establishment_admin"]
    drive = make_drive(DriveStatus.RUNNING)
    printed(drive, 1, 2)
    registration = register(drive).registration
    presentation = present(drive, registration, step="done", decision="accept")
    donation = collect(drive, registration.donor, din="A999926000001")
    actions.void_din(by=admin, drive=drive, din=typed("A999926000002"), reason="Torn")
    actions.change_status(by=admin, drive=drive, status="closed")
    actions.change_status(by=admin, drive=drive, status="reconciled")
    drive.refresh_from_db()
    return {
        "drive": drive,
        "registration": registration,
        "presentation": presentation,
        "donation": donation,
    }


def counts() -> tuple[int, ...]:
    return (
        Donation.objects.count(),
        Presentation.objects.count(),
        Registration.objects.count(),
        VoidedDin.objects.count(),
        LabelSet.objects.count(),
        MismatchResolution.objects.count(),
    )


def test_the_actions_refuse_with_a_message_and_write_nothing(day, users, present):
    admin, drive = users["establishment_admin"], day["drive"]
    before, events = counts(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        actions.void_din(by=admin, drive=drive, din=typed("A999926000001"), reason="x")
    assert refused.value.message_dict["status"] == [LOCKED]
    walk_in = Presentation(drive=drive, donor=day["registration"].donor, uuid=day["donation"].uuid)
    with pytest.raises(ValidationError, match="reopen it first"):
        actions.mark_left(by=admin, drive=drive, presentation=walk_in, reason="Gone")
    with pytest.raises(ValidationError, match="reopen it first"):
        actions.resolve_mismatch(
            by=admin, drive=drive, kind=MismatchKind.MISSING_DIN, subject="x", reason="x"
        )
    with pytest.raises(ValidationError) as refused:
        record_donation(
            by=admin,
            din="A999926000009",
            donor=Donor.objects.create(full_name="Muộn"),
            establishment=drive.establishment,
            collected_at=timezone.now(),
            donation_type="whole_blood",
            volume_ml=350,
            bag_volume_ml=350,
            drive=drive,
        )
    assert refused.value.message_dict["drive"] == [LOCKED]
    assert counts() == before
    assert AuditEvent.objects.count() == events


def _insert_voided(day: dict[str, Any], admin: Any) -> None:
    VoidedDin.objects.create(
        din="A999926000003",
        drive=day["drive"],
        reason="x",
        voided_by=admin,
        voided_at=timezone.now(),
    )


def _insert_label_set(day: dict[str, Any], admin: Any) -> None:
    LabelSet.objects.create(
        drive=day["drive"],
        fin="A9999",
        year=26,
        first=50,
        last=60,
        printed_by=admin,
        printed_at=timezone.now(),
    )


def _insert_donation(day: dict[str, Any], admin: Any) -> None:
    old = day["donation"]
    Donation.objects.create(
        din="A999926000077",
        donor=old.donor,
        establishment=old.establishment,
        collected_at=old.collected_at,
        donation_type="whole_blood",
        volume_ml=350,
        bag_volume_ml=350,
        credited_to=old.credited_to,
        drive=day["drive"],
    )


def _save_changed(donation: Donation) -> None:
    donation.collection_problems = "Bag leaked"
    donation.save()


WRITES = {
    "a donation's volume changed": lambda day, admin: Donation.objects.filter(
        pk=day["donation"].pk
    ).update(volume_ml=200),
    "a donation saved through the model": lambda day, admin: _save_changed(day["donation"]),
    "a donation added": _insert_donation,
    "a donation deleted": lambda day, admin: Donation.objects.filter(
        pk=day["donation"].pk
    ).delete(),
    "a presentation's decision changed": lambda day, admin: Presentation.objects.filter(
        pk=day["presentation"].pk
    ).update(decision="defer"),
    "a registration cancelled": lambda day, admin: Registration.objects.filter(
        pk=day["registration"].pk
    ).update(cancelled_at=timezone.now()),
    "a number voided": _insert_voided,
    "a void removed": lambda day, admin: VoidedDin.objects.all().delete(),
    "a label set added": _insert_label_set,
    "a donation moved onto the drive": lambda day, admin: Donation.objects.filter(
        pk=day["donation"].pk
    ).update(drive=None),
}


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_the_database_refuses_every_write_to_its_records(day, users, write):
    before = counts()
    with pytest.raises(IntegrityError, match="reconciled drive"), transaction.atomic():
        WRITES[write](day, users["establishment_admin"])
    assert counts() == before
    day["donation"].refresh_from_db()
    assert day["donation"].volume_ml == 350 and day["donation"].drive == day["drive"]


def test_a_donor_merge_still_moves_the_records_to_the_surviving_donor(day):
    keep = Donor.objects.create(full_name="Bản ghi giữ lại")
    for model in (Donation, Presentation, Registration):
        assert model.objects.filter(drive=day["drive"]).update(donor=keep) == 1
    day["donation"].refresh_from_db()
    assert day["donation"].donor == keep


def test_reopening_needs_a_reason_is_audited_and_unlocks_the_records(day, users):
    admin, drive = users["establishment_admin"], day["drive"]
    with pytest.raises(ValidationError, match="Say why"):
        actions.reopen_drive(by=admin, drive=drive, reason=" ")
    drive.refresh_from_db()
    assert drive.status == DriveStatus.RECONCILED
    reopened = actions.reopen_drive(by=admin, drive=drive, reason="Lab found a swapped label")
    assert reopened.status == DriveStatus.CLOSED
    event = AuditEvent.objects.get(action="drive.reopen")
    assert event.reason == "Lab found a swapped label"
    assert event.changes["status"] == ["reconciled", "closed"]
    Donation.objects.filter(pk=day["donation"].pk).update(volume_ml=340)
    with pytest.raises(ValidationError, match="Only a reconciled drive"):
        actions.reopen_drive(by=admin, drive=reopened, reason="again")


def test_a_reconciled_drive_changes_status_only_by_reopening(day, users):
    with pytest.raises(ValidationError, match="reopened with a reason"):
        actions.change_status(by=users["establishment_admin"], drive=day["drive"], status="closed")


def test_the_page_offers_reopening_and_no_more_voiding(english, day):
    client = english("establishment_admin")
    url = f"/drives/{day['drive'].uuid}/reconcile/"
    page = client.get(url).content.decode()
    assert 'id="reopen"' in page and "/reconcile/void/" not in page
    client.post(f"{url}reopen/", {"reason": "Donation entered at the wrong drive"})
    day["drive"].refresh_from_db()
    assert day["drive"].status == DriveStatus.CLOSED


def test_collection_times_are_compared_in_the_drives_own_time_zone(day):
    # 20:00 UTC on the drive's last day is already the next morning in Vietnam.
    late = dt.datetime.combine(day["drive"].ends_on, dt.time(20, 0), tzinfo=dt.UTC)
    from bloodline.collection.actions import drive_errors

    errors = drive_errors(day["drive"], day["drive"].establishment, late)
    assert "collected_at" in errors

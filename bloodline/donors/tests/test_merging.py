"""Merging a duplicate record into the one kept: everything moves, the duplicate stays
pointing at the kept record, one audited transaction, refused in the bad cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bloodline.audit.models import AuditEvent
from bloodline.demo.factories import collection as factories
from bloodline.donors import actions
from bloodline.donors.models import Consent, Donor, IdentityDocument
from bloodline.drives import actions as drive_actions
from bloodline.drives.models import DriveStatus, Registration
from bloodline.screening.models import Deferral, Presentation

REASON = "Cùng số điện thoại và ngày sinh; đã gọi xác nhận"


@pytest.fixture
def pair(make_donor):
    keep = make_donor(full_name="Hoàng Thị Lan", date_of_birth=dt.date(1991, 4, 4), sex="F")
    duplicate = make_donor(full_name="HOANG THI LAN", date_of_birth=dt.date(1991, 4, 4), sex="F")
    return keep, duplicate


def _book(demo, users, drive, donor, slot_index=0):
    slot = list(drive.slots.all())[slot_index]
    return drive_actions.register(
        by=users["unit_organiser"],
        drive=drive,
        slot=slot,
        donor=donor,
        mobilised_by=demo.nodes["vn_garment"],
    )


def test_it_moves_everything_to_the_kept_record(demo, users, nurse, make_drive, pair):
    keep, duplicate = pair
    first, second = (
        make_drive(DriveStatus.CONFIRMED),
        make_drive(DriveStatus.CONFIRMED, starts_on=timezone.localdate() + dt.timedelta(days=40)),
    )
    _book(demo, users, first, keep)
    registration = _book(demo, users, second, duplicate)
    document = actions.add_identity_document(
        by=nurse, donor=duplicate, kind="passport", number="B1234567", issuing_country="VN"
    )
    consent = actions.record_consent(
        by=nurse, donor=duplicate, purpose="research", text_version="1"
    )
    donation = factories.donations(
        [duplicate],
        credited_to=demo.nodes["vn_garment"],
        establishment=demo.nodes["vn_centre"],
        at=timezone.now() - dt.timedelta(days=200),
    )[0]
    presentation = Presentation.objects.create(
        drive=second, donor=duplicate, arrived_at=timezone.now(), checked_in_by=nurse
    )
    deferral = Deferral.objects.create(
        donor=duplicate, code="low_hb", reason="Hb thấp", starts_on=timezone.localdate()
    )
    events_before = AuditEvent.objects.count()

    kept = actions.merge_donors(by=nurse, keep=keep, duplicate=duplicate, reason=REASON)

    for row in (registration, document, consent, donation, presentation, deferral):
        row.refresh_from_db()
        assert row.donor_id == keep.pk, row
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept and kept.version == keep.version + 1
    assert Donor.objects.active().filter(pk=duplicate.pk).count() == 0
    assert AuditEvent.objects.count() == events_before + 2
    merge = AuditEvent.objects.get(action="donor.merge")
    assert merge.object_id == str(keep.uuid) and merge.reason == REASON
    assert merge.changes["merged"] == [None, str(duplicate.uuid)]
    assert merge.changes["collection.donation"] == [None, [str(donation.uuid)]]
    assert merge.changes["drives.registration"] == [None, [str(registration.uuid)]]
    assert "Lan" not in str(merge.changes) and "B1234567" not in str(merge.changes)
    assert AuditEvent.objects.get(action="donor.merged_into").object_id == str(duplicate.uuid)


def test_consents_in_force_on_both_records_keep_the_newer(nurse, pair):
    keep, duplicate = pair
    older = actions.record_consent(by=nurse, donor=keep, purpose="contact_sms", text_version="1")
    newer = actions.record_consent(
        by=nurse, donor=duplicate, purpose="contact_sms", text_version="2"
    )
    actions.merge_donors(by=nurse, keep=keep, duplicate=duplicate, reason=REASON)
    older.refresh_from_db()
    assert older.superseded_by == newer and not older.in_force
    assert list(Consent.objects.filter(donor=keep, withdrawn_at__isnull=True)) == [newer]


def test_it_refuses_when_both_records_are_registered_for_the_same_drive(
    demo, users, nurse, make_drive, pair
):
    keep, duplicate = pair
    drive = make_drive(DriveStatus.CONFIRMED)
    _book(demo, users, drive, keep)
    _book(demo, users, drive, duplicate, slot_index=1)
    with pytest.raises(ValidationError) as exc:
        actions.merge_donors(by=nurse, keep=keep, duplicate=duplicate, reason=REASON)
    assert "same drive" in exc.value.messages[0]
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert Registration.objects.filter(donor=duplicate).count() == 1
    assert not AuditEvent.objects.filter(action__startswith="donor.merge").exists()


def test_it_refuses_without_a_reason(nurse, pair):
    with pytest.raises(ValidationError) as exc:
        actions.merge_donors(by=nurse, keep=pair[0], duplicate=pair[1], reason="  ")
    assert list(exc.value.message_dict) == ["reason"]


def test_it_refuses_to_merge_a_record_into_itself(nurse, pair):
    with pytest.raises(ValidationError) as exc:
        actions.merge_donors(by=nurse, keep=pair[0], duplicate=pair[0], reason=REASON)
    assert list(exc.value.message_dict) == ["duplicate"]


def test_it_refuses_to_merge_into_a_merged_record(nurse, pair, make_donor):
    keep, duplicate = pair
    third = make_donor()
    actions.merge_donors(by=nurse, keep=keep, duplicate=duplicate, reason=REASON)
    with pytest.raises(ValidationError) as exc:
        actions.merge_donors(by=nurse, keep=duplicate, duplicate=third, reason=REASON)
    assert list(exc.value.message_dict) == ["keep"]
    with pytest.raises(ValidationError) as exc:
        actions.merge_donors(by=nurse, keep=third, duplicate=duplicate, reason=REASON)
    assert list(exc.value.message_dict) == ["duplicate"]


def test_a_merged_record_can_no_longer_be_edited(nurse, pair):
    keep, duplicate = pair
    actions.merge_donors(by=nurse, keep=keep, duplicate=duplicate, reason=REASON)
    duplicate.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.update_donor(
            by=nurse, donor=duplicate, version=duplicate.version, changes={"address": "x"}
        )
    with pytest.raises(ValidationError):
        actions.add_identity_document(
            by=nurse, donor=duplicate, kind="passport", number="Z1234567", issuing_country="VN"
        )
    assert not IdentityDocument.objects.exists()


def test_earlier_duplicates_follow_to_the_kept_record(nurse, pair, make_donor):
    keep, duplicate = pair
    older = make_donor()
    actions.merge_donors(by=nurse, keep=duplicate, duplicate=older, reason=REASON)
    actions.merge_donors(by=nurse, keep=keep, duplicate=duplicate, reason=REASON)
    older.refresh_from_db()
    assert older.merged_into == keep

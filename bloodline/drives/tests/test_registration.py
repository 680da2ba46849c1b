"""Booking people into slots: the credit, full slots, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bloodline.audit.models import AuditEvent
from bloodline.donors.models import Donor
from bloodline.drives import actions
from bloodline.drives.models import Channel, DriveStatus, Registration


def test_the_persons_unit_is_credited_by_default(demo, make_drive, register):
    result = register(make_drive(DriveStatus.CONFIRMED))
    registration = result.registration
    assert registration.mobilised_by == demo.nodes["vn_garment"]
    assert registration.donor.affiliation == demo.nodes["vn_garment"]
    assert registration.channel == Channel.ORGANISER
    assert registration.registered_by.username == "unit_organiser"
    assert registration.slot.booked == 1


def test_an_explicit_mobilising_organisation_gets_the_credit(demo, make_drive, register):
    union = demo.nodes["vn_garment_union"]
    result = register(make_drive(), mobilised_by=union)
    assert result.registration.mobilised_by == union
    assert result.registration.donor.affiliation == demo.nodes["vn_garment"]


def test_a_committee_credits_any_unit_of_its_district(demo, make_drive, register):
    commune = demo.nodes["vn_dong_c3"]
    result = register(make_drive(), by="district_committee", unit=commune)
    assert result.registration.mobilised_by == commune


def test_credit_outside_the_organisers_scope_is_refused(demo, make_drive, register):
    drive = make_drive()
    with pytest.raises(ValidationError) as refused:
        register(drive, mobilised_by=demo.nodes["vn_seafood"])
    assert refused.value.message_dict["mobilised_by"] == [
        "You can only credit organisations in your own part of the tree."
    ]
    assert not Registration.objects.exists()


def test_it_refuses_a_full_slot_and_writes_nothing(make_drive, register):
    drive = make_drive()
    register(drive)
    register(drive)
    donors = Donor.objects.count()
    with pytest.raises(ValidationError) as refused:
        register(drive, full_name="Trần Thị Mai")
    assert refused.value.message_dict["slot"] == ["The slot at 07:00 is full. Choose another slot."]
    assert drive.slots.first().booked == 2
    assert Donor.objects.count() == donors  # the new person was not left behind
    assert register(drive, 1, full_name="Trần Thị Mai").registration.slot.booked == 1


def test_a_slot_of_another_drive_is_refused(users, make_drive, demo):
    drive, other = make_drive(), make_drive()
    with pytest.raises(ValidationError) as refused:
        actions.register_person(
            by=users["unit_organiser"],
            drive=drive,
            slot=other.slots.first(),
            full_name="Lê Văn Nam",
            date_of_birth=dt.date(1995, 5, 5),
            unit=demo.nodes["vn_garment"],
        )
    assert refused.value.message_dict["slot"] == ["This slot belongs to another drive."]
    assert other.slots.first().booked == 0


@pytest.mark.parametrize(
    "status", [DriveStatus.CLOSED, DriveStatus.RECONCILED, DriveStatus.CANCELLED]
)
def test_a_drive_that_is_over_or_cancelled_takes_no_registrations(make_drive, register, status):
    drive = make_drive(status)
    with pytest.raises(ValidationError) as refused:
        register(drive)
    assert refused.value.messages == [
        f"This drive is {DriveStatus(status).label} and takes no registrations."
    ]


@pytest.mark.parametrize("status", [DriveStatus.PROPOSED, DriveStatus.RUNNING])
def test_proposed_and_running_drives_take_registrations(make_drive, register, status):
    assert register(make_drive(status)).registration.pk


def test_a_person_is_registered_once_per_drive(make_drive, register):
    drive = make_drive()
    register(drive, full_name="Phạm Minh Hùng", date_of_birth=dt.date(1988, 3, 3))
    with pytest.raises(ValidationError) as refused:
        register(drive, 1, full_name="Phạm Minh Hùng", date_of_birth=dt.date(1988, 3, 3))
    assert refused.value.message_dict["full_name"] == [
        "Phạm Minh Hùng is already registered for this drive."
    ]
    assert [s.booked for s in drive.slots.all()] == [1, 0, 0, 0]


def test_cancelling_frees_the_seat_and_keeps_the_registration(make_drive, register, users):
    drive = make_drive()
    booked = register(drive).registration
    actions.cancel_registration(by=users["unit_organiser"], registration=booked, reason="Ốm")
    booked.refresh_from_db()
    assert booked.cancelled_at is not None
    assert drive.slots.first().booked == 0
    with pytest.raises(ValidationError):
        actions.cancel_registration(by=users["unit_organiser"], registration=booked)
    assert drive.slots.first().booked == 0
    again = register(drive, full_name=booked.donor.full_name, phone=booked.donor.phone)
    assert again.registration.donor == booked.donor


def test_only_the_crediting_organiser_or_the_establishment_cancels(make_drive, register, users):
    drive = make_drive()
    booked = register(drive).registration
    with pytest.raises(PermissionDenied):
        actions.cancel_registration(by=users["cn_committee"], registration=booked)
    actions.cancel_registration(by=users["establishment_admin"], registration=booked)


def test_registration_is_audited_without_the_persons_details(make_drive, register):
    registration = register(make_drive(), full_name="Đỗ Thu Lan").registration
    event = AuditEvent.objects.get(object_id=str(registration.uuid))
    assert event.action == "registration.create"
    assert event.changes["donor"] == [None, str(registration.donor.uuid)]
    assert "Đỗ Thu Lan" not in str(event.changes) + event.object_label

"""Changing a planned drive: its slots follow its hours until someone registers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bloodline.audit.models import AuditEvent
from bloodline.drives import actions
from bloodline.drives.models import DriveStatus
from bloodline.lib.locking import StaleEdit


def _update(drive, users, person="establishment_admin", **changes):
    hosts = changes.pop("hosts", None)
    return actions.update_drive(
        by=users[person], drive=drive, version=drive.version, changes=changes, hosts=hosts
    )


def test_new_hours_make_new_slots_while_nobody_is_registered(make_drive, users):
    drive = make_drive()
    drive = _update(drive, users, opens_at=dt.time(8), closes_at=dt.time(11), slot_minutes=60)
    local = [s.starts_at.astimezone(drive.time_zone()).time() for s in drive.slots.all()]
    assert local == [dt.time(8), dt.time(9), dt.time(10)]
    assert drive.version == 2


def test_it_refuses_to_move_the_hours_once_people_have_registered(make_drive, register, users):
    drive = make_drive()
    register(drive)
    with pytest.raises(ValidationError) as refused:
        _update(drive, users, opens_at=dt.time(8))
    assert "can no longer change" in refused.value.message_dict["opens_at"][0]
    drive.refresh_from_db()
    assert drive.opens_at == dt.time(7) and drive.slots.count() == 4


def test_more_beds_give_every_slot_more_places_even_after_registrations(
    make_drive, register, users
):
    drive = make_drive()
    register(drive)
    drive = _update(drive, users, beds=5)
    assert {s.capacity for s in drive.slots.all()} == {5}
    assert drive.slots.first().booked == 1


def test_fewer_beds_than_people_booked_in_a_slot_is_refused(make_drive, register, users):
    drive = make_drive()
    register(drive)
    register(drive)
    with pytest.raises(ValidationError) as refused:
        _update(drive, users, beds=1)
    assert refused.value.message_dict["beds"] == [
        "Some slots already have more people booked than 1 bed."
    ]
    assert {s.capacity for s in drive.slots.all()} == {2}


@pytest.mark.parametrize("status", [DriveStatus.RUNNING, DriveStatus.CLOSED, DriveStatus.CANCELLED])
def test_a_drive_that_has_started_or_ended_can_no_longer_be_edited(make_drive, users, status):
    drive = make_drive(status)
    with pytest.raises(ValidationError) as refused:
        _update(drive, users, title="Khác")
    assert "can no longer be changed" in refused.value.messages[0]


def test_an_edit_on_an_old_version_is_refused(make_drive, users):
    drive = make_drive()
    _update(drive, users, title="Lần một")
    with pytest.raises(StaleEdit):
        actions.update_drive(
            by=users["establishment_admin"], drive=drive, version=1, changes={"title": "Lần hai"}
        )


def test_an_edit_is_audited_with_old_and_new_values(demo, make_drive, users):
    drive = make_drive()
    garment, school = demo.nodes["vn_garment"], demo.nodes["vn_dong_school"]
    actions.update_drive(
        by=users["establishment_admin"],
        drive=drive,
        version=drive.version,
        changes={"title": "Ngày hội mới"},
        hosts=[garment, school],
        reason="Trường cùng tham gia",
    )
    event = AuditEvent.objects.get(object_id=str(drive.uuid), action="drive.update")
    assert event.changes["title"] == ["Ngày hội hiến máu May Đông Giang", "Ngày hội mới"]
    assert event.changes["hosts"][1] == sorted([str(garment.uuid), str(school.uuid)])
    assert event.reason == "Trường cùng tham gia"


def test_people_without_drive_management_cannot_edit(make_drive, users):
    drive = make_drive()
    for person in ("drive_nurse", "unit_organiser"):
        with pytest.raises(PermissionDenied):
            _update(drive, users, person=person, title="x")

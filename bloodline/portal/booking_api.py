"""The donor's booking endpoints under /api/v1/me (decision 0057): drives open for booking,
their free slots, the donor's own bookings and waiting-list entries. The same access
(``booking_access``) and actions (``booking_service``) as the pages; someone else's booking
answers 404; refusals answer 422 with the translated message at its field."""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from bloodline.accounts.models import User
from bloodline.drives.models import Drive, Registration, Slot, WaitlistEntry
from bloodline.lib.api_schemas import LocalTime
from bloodline.portal import booking_access, booking_find, booking_service

router = Router(tags=["donor booking"])


class OpenDriveOut(Schema):
    uuid: UUID
    title: str
    venue: str
    address: str
    starts_on: dt.date
    ends_on: dt.date
    opens_at: LocalTime
    closes_at: LocalTime
    latitude: float | None
    longitude: float | None
    km: float | None = None


class FreeSlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    free: int


class DriveDetailOut(OpenDriveOut):
    slots: list[FreeSlotOut]


class BookingOut(Schema):
    uuid: UUID
    drive: OpenDriveOut
    slot: FreeSlotOut


class EntryOut(Schema):
    uuid: UUID
    drive: OpenDriveOut
    slot: FreeSlotOut
    status: str
    hold_until: dt.datetime | None


class PersonIn(Schema):
    full_name: str
    date_of_birth: dt.date
    sex: str
    phone: str


class BookIn(Schema):
    drive: UUID
    slot: dt.datetime
    person: PersonIn | None = None


class SlotIn(Schema):
    drive: UUID
    slot: dt.datetime


class BookingMoveIn(Schema):
    slot: dt.datetime
    drive: UUID | None = None


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _drive_out(drive: Drive, km: float | None = None) -> dict[str, Any]:
    return {
        "uuid": drive.uuid,
        "title": drive.title,
        "venue": drive.venue,
        "address": drive.address,
        "starts_on": drive.starts_on,
        "ends_on": drive.ends_on,
        "opens_at": drive.opens_at,
        "closes_at": drive.closes_at,
        "latitude": float(drive.latitude) if drive.latitude is not None else None,
        "longitude": float(drive.longitude) if drive.longitude is not None else None,
        "km": km,
    }


def _slot_out(slot: Slot) -> dict[str, Any]:
    return {"starts_at": slot.starts_at, "ends_at": slot.ends_at, "free": slot.free}


def _booking_out(registration: Registration) -> dict[str, Any]:
    registration.slot.refresh_from_db(fields=["booked"])
    return {
        "uuid": registration.uuid,
        "drive": _drive_out(registration.drive),
        "slot": _slot_out(registration.slot),
    }


def _entry_out(entry: WaitlistEntry) -> dict[str, Any]:
    return {
        "uuid": entry.uuid,
        "drive": _drive_out(entry.drive),
        "slot": _slot_out(entry.slot),
        "status": entry.status,
        "hold_until": entry.hold_until,
    }


def _slot(drive: Drive, starts_at: dt.datetime) -> Slot:
    if starts_at.tzinfo is None:  # a wall-clock time at the establishment
        starts_at = starts_at.replace(tzinfo=drive.time_zone())
    found = booking_access.get_slot(drive, starts_at)
    if found is None:
        raise ValidationError({"slot": [_("No slot of this drive starts at this time.")]})
    return found


@router.get("/drives", response=list[OpenDriveOut])
def list_drives(
    request: HttpRequest, area: str = "", latitude: str = "", longitude: str = ""
) -> list[dict[str, Any]]:
    """Drives open for booking, by date, or nearest first when a position is given."""
    shown, _area = booking_find.in_area(booking_access.open_drives(), area)
    here = booking_find.read_position(latitude, longitude)
    return [_drive_out(f.drive, f.km) for f in booking_find.nearest_first(shown, here)]


@router.get("/drives/{public_id}", response=DriveDetailOut)
def drive_detail(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    drive = booking_access.get_drive(public_id)
    now = dt.datetime.now(dt.UTC)
    slots = [_slot_out(s) for s in drive.slots.all() if s.starts_at > now]
    return _drive_out(drive) | {"slots": slots}


@router.get("/bookings", response=list[BookingOut])
def list_bookings(request: HttpRequest) -> list[dict[str, Any]]:
    return [_booking_out(r) for r in booking_access.own_bookings(request.user)]


@router.post("/bookings", response={201: BookingOut})
def book(request: HttpRequest, payload: BookIn) -> Status[dict[str, Any]]:
    drive = booking_access.get_drive(payload.drive)
    booking_access.require_account(request.user)
    person = payload.person
    registration = booking_service.book(
        by=_user(request),
        drive=drive,
        slot=_slot(drive, payload.slot),
        person=booking_service.Person(
            person.full_name, person.date_of_birth, person.sex, person.phone
        )
        if person is not None
        else None,
    )
    return Status(201, _booking_out(registration))


@router.post("/bookings/{public_id}/cancel", response=BookingOut)
def cancel(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    registration = booking_access.get_own_booking(request.user, public_id)
    booking_service.cancel(by=_user(request), registration=registration)
    return _booking_out(registration)


@router.post("/bookings/{public_id}/move", response=BookingOut)
def move(request: HttpRequest, public_id: UUID, payload: BookingMoveIn) -> dict[str, Any]:
    registration = booking_access.get_own_booking(request.user, public_id)
    drive = booking_access.get_drive(payload.drive) if payload.drive else registration.drive
    moved = booking_service.reschedule(
        by=_user(request), registration=registration, drive=drive, slot=_slot(drive, payload.slot)
    )
    return _booking_out(moved)


@router.get("/waitlist", response=list[EntryOut])
def list_waitlist(request: HttpRequest) -> list[dict[str, Any]]:
    return [_entry_out(e) for e in booking_access.own_waitlist(request.user)]


@router.post("/waitlist", response={201: EntryOut})
def join_waitlist(request: HttpRequest, payload: SlotIn) -> Status[dict[str, Any]]:
    drive = booking_access.get_drive(payload.drive)
    booking_access.require_account(request.user)
    entry = booking_service.join_waitlist(
        by=_user(request), drive=drive, slot=_slot(drive, payload.slot)
    )
    return Status(201, _entry_out(entry))


@router.post("/waitlist/{public_id}/accept", response=BookingOut)
def accept_offer(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    entry = booking_access.get_own_entry(request.user, public_id)
    return _booking_out(booking_service.accept_offer(by=_user(request), entry=entry))


@router.post("/waitlist/{public_id}/leave", response=EntryOut)
def leave_waitlist(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    entry = booking_access.get_own_entry(request.user, public_id)
    return _entry_out(booking_service.leave_waitlist(by=_user(request), entry=entry))

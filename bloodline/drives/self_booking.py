"""A donor booking for themself from the portal (issue 13 §2, decision 0057): book, move to
another slot, cancel, and the waiting list of a full slot.

These are the organiser's booking rules (``registrations.book_seat``, ``end_registration``)
behind a different door: every action takes ``by=`` the donor's user and checks with
``donors.self_service.require_self`` that the record is theirs; staff grants never widen it.
Each sends its message through the outbox in the same transaction. Whether the donor may give
on the drive's day is the portal's question to the eligibility engine, asked before these run
(the engine lives in screening, above this app).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.donors.models import Donor
from bloodline.donors.self_service import require_self
from bloodline.drives import booking_messages, waitlist_offers
from bloodline.drives.models import (
    Channel,
    Drive,
    Registration,
    Slot,
    WaitlistEntry,
    WaitStatus,
)
from bloodline.drives.registrations import book_seat, end_registration, reaches
from bloodline.organisations.models import Organisation


def credit(drive: Drive, donor: Donor) -> Organisation:
    """Who is credited with a donor's own booking: their unit when the drive collects for it,
    else the collecting establishment (nobody else mobilised them)."""
    unit = donor.affiliation
    if unit is not None and reaches(drive, unit):
        return unit
    return drive.establishment


def refuse_past(slot: Slot) -> None:
    if slot.starts_at <= timezone.now():
        raise ValidationError({"slot": [_("This slot has already begun. Choose a later one.")]})


def _book(
    by: User, drive: Drive, slot: Slot, donor: Donor, *, held: WaitlistEntry | None = None
) -> Registration:
    registration = book_seat(
        by=by,
        drive=drive,
        slot=slot,
        donor=donor,
        mobilised_by=credit(drive, donor),
        channel=Channel.ONLINE,
        held=held is not None,
    )
    # Booked now: any place they waited for at this drive is no longer theirs to wait for.
    others = WaitlistEntry.objects.filter(
        drive=drive, donor=donor, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]
    )
    for entry in others.exclude(pk=held.pk) if held is not None else others:
        _end_entry(by, entry, WaitStatus.LEFT)
    return registration


@transaction.atomic
def book(*, by: User, drive: Drive, slot: Slot, donor: Donor) -> Registration:
    """Book the donor into ``slot``. A full slot raises a ``ValidationError`` at ``slot``
    with code ``full``: the page offers the waiting list."""
    require_self(by, donor)
    refuse_past(slot)
    registration = _book(by, drive, slot, donor)
    booking_messages.confirmed(registration, by=by)
    return registration


def _own(by: User, registration: Registration) -> None:
    require_self(by, registration.donor)
    if registration.cancelled_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: [_("This booking is already cancelled.")]})


@transaction.atomic
def cancel(*, by: User, registration: Registration) -> Registration:
    """Cancel the donor's booking; its seat goes to the slot's waiting list, if anyone waits."""
    _own(by, registration)
    end_registration(by=by, registration=registration)
    booking_messages.cancelled(registration, by=by)
    return registration


@transaction.atomic
def reschedule(*, by: User, registration: Registration, drive: Drive, slot: Slot) -> Registration:
    """Move the booking to ``slot`` (of the same or another drive) in one transaction: the old
    one is cancelled only if the new one is made, so the donor never holds two bookings at
    once, nor none."""
    _own(by, registration)
    if slot.pk == registration.slot_id:
        raise ValidationError({"slot": [_("You are already booked in this slot.")]})
    refuse_past(slot)
    end_registration(by=by, registration=registration, reason="rescheduled")
    moved = _book(by, drive, slot, registration.donor)
    booking_messages.changed(moved, by=by)
    return moved


def _end_entry(by: User, entry: WaitlistEntry, status: str) -> bool:
    """End an open entry as ``status``; a held seat passes to the next donor."""
    was = entry.status
    ended = WaitlistEntry.objects.filter(
        pk=entry.pk, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]
    ).update(status=status)
    if not ended:
        return False
    entry.status = status
    record(by=by, action="waitlist.end", obj=entry, changes={"status": [was, status]})
    if was == WaitStatus.OFFERED:
        waitlist_offers.pass_on(entry)
    return True


@transaction.atomic
def join_waitlist(*, by: User, drive: Drive, slot: Slot, donor: Donor) -> WaitlistEntry:
    """Put the donor on the waiting list of a full slot."""
    require_self(by, donor)
    refuse_past(slot)
    if not drive.takes_registrations or slot.drive_id != drive.pk:
        raise ValidationError({"slot": [_("This drive takes no bookings.")]})
    slot.refresh_from_db(fields=["booked"])  # the caller's copy may be old
    if slot.free > 0:
        raise ValidationError({"slot": [_("This slot has free places: book one instead.")]})
    if Registration.objects.filter(drive=drive, donor=donor, cancelled_at__isnull=True).exists():
        raise ValidationError({"slot": [_("You are already booked for this drive.")]})
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(drive=drive, slot=slot, donor=donor)
    except IntegrityError as exc:
        raise ValidationError(
            {"slot": [_("You are already on the waiting list for this slot.")]}
        ) from exc
    record(by=by, action="waitlist.join", obj=entry, changes={"slot": [None, str(slot)]})
    return entry


@transaction.atomic
def leave_waitlist(*, by: User, entry: WaitlistEntry) -> WaitlistEntry:
    require_self(by, entry.donor)
    if not _end_entry(by, entry, WaitStatus.LEFT):
        raise ValidationError({NON_FIELD_ERRORS: [_("You are no longer on this waiting list.")]})
    return entry


def stale_offer() -> ValidationError:
    return ValidationError(
        {
            NON_FIELD_ERRORS: [
                ValidationError(
                    _(
                        "This offer is no longer open: the time to accept it has passed or "
                        "the place was given to someone else. You can join the waiting list "
                        "again or choose another slot."
                    ),
                    code="stale",
                )
            ]
        }
    )


@transaction.atomic
def accept_offer(*, by: User, entry: WaitlistEntry) -> Registration:
    """Turn the place held for the donor into their booking, if the hold has not run out."""
    require_self(by, entry.donor)
    now = timezone.now()
    # The expiry job and this accept race for the same row. This write (status unchanged)
    # succeeds only while the offer is open, and holds the row until commit (PostgreSQL's row
    # lock, SQLite's single writer), so the job cannot end the offer under us.
    still_open = WaitlistEntry.objects.filter(
        pk=entry.pk, status=WaitStatus.OFFERED, hold_until__gt=now
    ).update(status=WaitStatus.OFFERED)
    if not still_open:
        raise stale_offer()
    entry = WaitlistEntry.objects.select_related("drive", "slot", "donor").get(pk=entry.pk)
    registration = _book(by, entry.drive, entry.slot, entry.donor, held=entry)
    entry.status, entry.registration = WaitStatus.BOOKED, registration
    entry.save(update_fields=["status", "registration"])
    record(by=by, action="waitlist.accept", obj=entry, changes={"status": ["offered", "booked"]})
    booking_messages.confirmed(registration, by=by)
    return registration

"""The messages a booking sends through the outbox (issue 13 §6, decision 0057): confirmed,
changed, cancelled, the reminder the day before, a waiting-list place offered, the drive
cancelled. Each is queued in the caller's transaction (``notifications.outbox.enqueue``), so a
booking that rolls back sends nothing; each key names the event for this booking, so a retry
or a second worker pass queues it once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from bloodline.accounts.models import User
from bloodline.donors.models import Donor
from bloodline.drives.models import Drive, Registration, Slot, WaitlistEntry
from bloodline.drives.seats import local_time
from bloodline.lib.links import site_link
from bloodline.notifications.outbox import Outcome, cancel_keyed, enqueue


def portal_link(name: str = "portal:booking_mine") -> str:
    """An absolute link into the donor portal (a relative one is useless in a text)."""
    return site_link(reverse(name))


def withdraw_reminder(registration: Registration) -> int:
    """A cancelled booking's reminder the day before, if queued and not sent yet, is not sent."""
    return cancel_keyed(f"reminder:{registration.uuid}:", reason="booking_cancelled")


def context(donor: Donor, drive: Drive, slot: Slot) -> dict[str, Any]:
    """The placeholders of the booking events: facts, worded by the template's language."""
    return {
        "donor_name": donor.full_name,
        "drive_name": drive.title,
        "place": drive.venue,
        "date": slot.starts_at.astimezone(drive.time_zone()).date(),
        "time": local_time(slot, drive),
        "link": portal_link(),
    }


def tell(event: str, registration: Registration, *, by: User, key: str) -> Outcome:
    drive, donor = registration.drive, registration.donor
    return enqueue(
        event,
        to_donor=donor,
        context=context(donor, drive, registration.slot),
        key=key,
        establishment=drive.establishment,
        by=by,
    )


def confirmed(registration: Registration, *, by: User) -> Outcome:
    return tell("booking_confirmed", registration, by=by, key=f"booked:{registration.uuid}")


def changed(registration: Registration, *, by: User) -> Outcome:
    """Sent for the new registration a reschedule made (its key is the new one's)."""
    return tell("booking_changed", registration, by=by, key=f"moved:{registration.uuid}")


def cancelled(registration: Registration, *, by: User) -> Outcome:
    return tell("booking_cancelled", registration, by=by, key=f"cancelled:{registration.uuid}")


def reminder(registration: Registration, *, by: User, day: dt.date) -> Outcome:
    return tell(
        "reminder_day_before", registration, by=by, key=f"reminder:{registration.uuid}:{day}"
    )


def offer(entry: WaitlistEntry, *, by: User) -> Outcome:
    drive, slot = entry.drive, entry.slot
    assert entry.hold_until is not None and entry.offered_at is not None
    hold = entry.hold_until.astimezone(drive.time_zone())
    values = context(entry.donor, drive, slot) | {
        "hold_until": f"{hold:%Y-%m-%d %H:%M}",
        "link": portal_link(),
    }
    return enqueue(
        "waitlist_offer",
        to_donor=entry.donor,
        context=values,
        key=f"offer:{entry.uuid}:{entry.offered_at.isoformat()}",
        establishment=drive.establishment,
        by=by,
    )


def drive_cancelled(drive: Drive, *, by: User) -> int:
    """Everyone still booked on the cancelled drive is told; returns how many were queued."""
    queued = 0
    booked = Registration.objects.filter(drive=drive, cancelled_at__isnull=True).select_related(
        "donor", "slot"
    )
    for registration in booked:
        values = context(registration.donor, drive, registration.slot)
        values.pop("time")
        outcome = enqueue(
            "drive_cancelled",
            to_donor=registration.donor,
            context=values,
            key=f"drive-cancelled:{registration.uuid}",
            establishment=drive.establishment,
            by=by,
        )
        queued += outcome.status == "queued"
    return queued

"""Offering a freed place to the next donor on a slot's waiting list (decision 0057).

When a seat of a full slot frees (a cancellation, a reschedule, an offer that expired), it is
taken again at once for the first donor waiting — counted in ``booked``, so no one else can
book it — and they are messaged. Both steps are conditional updates checked by row count (an
entry moves from waiting to offered once; a seat is taken only below capacity), so two
cancellations at once offer two different donors, and an offer and a direct booking never
share a seat. Everything runs in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bloodline.accounts.system import system_actor
from bloodline.audit.record import record
from bloodline.donors.models import Donor
from bloodline.drives import booking_messages
from bloodline.drives.models import Drive, Slot, WaitlistEntry, WaitStatus
from bloodline.drives.seats import free_seat, try_take_seat
from bloodline.notifications.models import Channel, Message
from bloodline.notifications.worker import postpone_until

# How many waiting donors one freed seat is tried on before giving up (each try that loses
# a race to a concurrent offer moves to the next).
TRIES = 20
EXPIRY_BATCH = 200


def hold() -> dt.timedelta:
    return dt.timedelta(minutes=settings.WAITLIST_HOLD_MINUTES)


def hold_start(donor: Donor, drive: Drive, now: dt.datetime) -> dt.datetime:
    """When the hold starts: now, or, when the offer would be written during the quiet hours
    of the donor's zone (the outbox's rule, ``notifications.worker.postpone_until``), when
    those end, so a place freed at night is not lost before the text can be sent."""
    unit = donor.affiliation
    zone = (unit or drive.establishment).effective_time_zone()
    probe = Message(event="waitlist_offer", channel=Channel.SMS, time_zone=str(zone))
    return postpone_until(probe, now) or now


def offer_freed_seat(slot: Slot, drive: Drive) -> WaitlistEntry | None:
    """Hold the seat just freed in ``slot`` for the first donor waiting, and message them;
    None when nobody waits (the seat stays free) or the drive takes no more bookings."""
    if not drive.takes_registrations:
        return None
    waiting = WaitlistEntry.objects.filter(slot=slot, status=WaitStatus.WAITING).order_by(
        "created_at", "pk"
    )
    for entry in waiting.select_related("donor__affiliation")[:TRIES]:
        if not try_take_seat(slot.pk):
            return None  # someone booked the seat in the meantime
        now = timezone.now()
        until = hold_start(entry.donor, drive, now) + hold()
        offered = WaitlistEntry.objects.filter(pk=entry.pk, status=WaitStatus.WAITING).update(
            status=WaitStatus.OFFERED, offered_at=now, hold_until=until
        )
        if not offered:  # a concurrent cancellation offered this donor another seat
            free_seat(slot.pk)
            continue
        entry.status, entry.offered_at, entry.hold_until = WaitStatus.OFFERED, now, until
        entry.slot, entry.drive = slot, drive
        by = system_actor()
        record(
            by=by,
            action="waitlist.offer",
            obj=entry,
            changes={"status": ["waiting", "offered"], "hold_until": [None, until.isoformat()]},
        )
        booking_messages.offer(entry, by=by)
        return entry
    return None


def pass_on(entry: WaitlistEntry) -> None:
    """Release the seat ``entry`` held (its offer has ended) to the next donor in line."""
    free_seat(entry.slot_id)
    offer_freed_seat(entry.slot, entry.drive)


def expire_offers(now: dt.datetime | None = None) -> dict[str, int]:
    """Offers whose hold ran out: each ends as expired and its seat passes to the next donor
    (one transaction per offer). The job of the worker (``drives.apps``)."""
    now = now or timezone.now()
    due = list(
        WaitlistEntry.objects.filter(status=WaitStatus.OFFERED, hold_until__lte=now)
        .order_by("hold_until", "pk")
        .values_list("pk", flat=True)[:EXPIRY_BATCH]
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            ended = WaitlistEntry.objects.filter(
                pk=pk, status=WaitStatus.OFFERED, hold_until__lte=now
            ).update(status=WaitStatus.EXPIRED)
            if not ended:  # accepted at the last moment
                continue
            entry = WaitlistEntry.objects.select_related("slot", "drive").get(pk=pk)
            record(
                by=system_actor(),
                action="waitlist.expire",
                obj=entry,
                changes={"status": ["offered", "expired"]},
            )
            pass_on(entry)
            expired += 1
    return {"expired": expired}

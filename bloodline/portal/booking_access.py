"""What the booking pages and ``/api/v1/me`` booking endpoints may reach (decision 0057):
upcoming public drives for anyone, and a donor's OWN bookings and waiting-list entries,
through ``donors.self_service`` only. Someone else's booking answers 404, as if it did not
exist; a signed-in person without a donor account is refused (403) where a booking needs one.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from bloodline.donors.models import Donor, DonorAccount
from bloodline.donors.self_service import account_of, donor_of
from bloodline.drives.models import (
    Drive,
    DriveQuerySet,
    Registration,
    Slot,
    WaitlistEntry,
    WaitStatus,
)
from bloodline.organisations.access import AnyUser


def open_drives(today: dt.date | None = None) -> DriveQuerySet:
    """Drives a donor may book: public (confirmed or running) and not over."""
    today = today or timezone.localdate()
    return Drive.objects.public().upcoming(today).select_related("establishment")


def get_drive(public_id: uuid.UUID | str) -> Drive:
    drive = open_drives().filter(uuid=public_id).first()
    if drive is None:
        raise Http404
    return drive


def get_slot(drive: Drive, starts_at: dt.datetime | None) -> Slot | None:
    if starts_at is None:
        return None
    return drive.slots.filter(starts_at=starts_at).first()


def require_account(user: AnyUser) -> DonorAccount:
    """The person's donor account; 403 for anyone who did not sign up as a donor."""
    account = account_of(user)
    if account is None:
        raise PermissionDenied
    return account


def own_donor(user: AnyUser) -> Donor | None:
    require_account(user)
    return donor_of(user)


def own_bookings(user: AnyUser) -> QuerySet[Registration]:
    donor = own_donor(user)
    if donor is None:
        return Registration.objects.none()
    return (
        Registration.objects.filter(donor=donor, cancelled_at__isnull=True)
        .select_related("drive__establishment", "slot")
        .order_by("slot__starts_at")
    )


def own_waitlist(user: AnyUser) -> QuerySet[WaitlistEntry]:
    donor = own_donor(user)
    if donor is None:
        return WaitlistEntry.objects.none()
    return (
        WaitlistEntry.objects.filter(
            donor=donor, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]
        )
        .select_related("drive__establishment", "slot")
        .order_by("slot__starts_at")
    )


def get_own_booking(user: AnyUser, public_id: uuid.UUID | str) -> Registration:
    found = own_bookings(user).filter(uuid=public_id).first()
    if found is None:
        raise Http404
    return found


def get_own_entry(user: AnyUser, public_id: uuid.UUID | str) -> WaitlistEntry:
    """One of the donor's waiting-list entries, open or ended (an ended offer answers with
    its own message, not 404)."""
    donor = own_donor(user)
    found = (
        WaitlistEntry.objects.filter(donor=donor, uuid=public_id)
        .select_related("drive__establishment", "slot", "donor")
        .first()
        if donor is not None
        else None
    )
    if found is None:
        raise Http404
    return found

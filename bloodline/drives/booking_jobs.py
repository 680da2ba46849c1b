"""The worker's recurring booking jobs (decision 0057): the reminder the day before, and
waiting-list offers whose hold ran out. Registered by ``DrivesConfig.ready``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from bloodline.accounts.system import system_actor
from bloodline.drives import booking_messages, waitlist_offers
from bloodline.drives.models import REGISTRATION_STATUSES, Registration

REMINDERS = "booking_reminders"
# Daily in effect; run every hour so a worker started late in the day still reminds everyone
# before quiet hours. The key (booking + day) queues each reminder once however often it runs.
REMINDERS_EVERY = dt.timedelta(hours=1)
WAITLIST_EXPIRY = "waitlist_expiry"
WAITLIST_EXPIRY_EVERY = dt.timedelta(minutes=1)


def send_reminders(now: dt.datetime | None = None) -> dict[str, object]:
    """Queue the reminder for every booking whose slot is tomorrow in its drive's zone."""
    now = now or timezone.now()
    soon = (
        Registration.objects.filter(
            cancelled_at__isnull=True,
            drive__status__in=sorted(REGISTRATION_STATUSES),
            slot__starts_at__gt=now,
            slot__starts_at__lte=now + dt.timedelta(hours=48),
        )
        .select_related("drive__establishment", "slot", "donor")
        .order_by("slot__starts_at", "pk")
    )
    queued = 0
    by = system_actor()
    for registration in soon:
        zone = registration.drive.time_zone()
        tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
        if registration.slot.starts_at.astimezone(zone).date() != tomorrow:
            continue
        with transaction.atomic():
            outcome = booking_messages.reminder(registration, by=by, day=tomorrow)
        queued += outcome.status == "queued"
    return {"queued": queued}


def expire_offers() -> dict[str, object]:
    return dict(waitlist_offers.expire_offers())

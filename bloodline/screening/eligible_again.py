""" "You can give again from <date>" (issue 13 §6): the worker schedules the message for the
morning of the date the eligibility engine gives, after each donation and each deferral.

A worker job, not the recording action: the engine reads the donor's whole history, and the
collection station is the drive day's busiest step (B1). Every few minutes the job takes the
donations and deferrals recorded since its last run (their primary keys, kept in the job's
result), asks the engine for each donor's next date for whole blood under the rules of the
establishment that last collected from them, cancels the donor's reminder still waiting if
the date moved, and queues one for the new date (``outbox.enqueue(send_after=…)``); the
worker checks consent and quiet hours again when it is sent. A donor deferred permanently
or with no end date gets none. Rows are taken once they are a minute old, so a transaction
still open when the job runs is seen by the next run; re-reading a row queues nothing twice
(the key names the donor and the date).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from bloodline.accounts.system import system_actor
from bloodline.collection.models import Donation
from bloodline.donors.models import Donor
from bloodline.jobs import queue
from bloodline.jobs.models import Job
from bloodline.lib.links import DONOR_HOME, site_link
from bloodline.notifications import outbox
from bloodline.notifications.models import Event, Message, Status
from bloodline.organisations.models import Organisation
from bloodline.screening import lookup
from bloodline.screening.models import Deferral

KIND = "eligible_again"
EVERY = dt.timedelta(minutes=5)
SETTLE = dt.timedelta(minutes=1)  # rows younger than this wait for the next run
BATCH = 500  # donors a transaction
ROUNDS = 20  # batches a run, at most; the rest waits for the next run
FIRST_LOOKBACK = dt.timedelta(days=366)  # a first run starts from the last year's rows
SEND_AT = dt.time(9, 0)  # the local morning of the eligible date


def register() -> None:
    queue.register(KIND, run, every=EVERY)


def _marks() -> tuple[int, int]:
    """The last donation and deferral seen by an earlier run; on the first run, those just
    before the last year's."""
    last = (
        Job.objects.filter(kind=KIND, finished_at__isnull=False, result__has_key="donations")
        .order_by("-finished_at", "-pk")
        .values_list("result", flat=True)
        .first()
    )
    if last is not None:
        return int(last["donations"]), int(last["deferrals"])
    since = timezone.now() - FIRST_LOOKBACK
    before = (
        Donation.objects.filter(created_at__lt=since).aggregate(m=Max("pk"))["m"] or 0,
        Deferral.objects.filter(created_at__lt=since).aggregate(m=Max("pk"))["m"] or 0,
    )
    return before


def run() -> dict[str, Any]:
    """The job: schedule the reminders of the donors recorded since the last run."""
    donations, deferrals = _marks()
    ripe = timezone.now() - SETTLE
    queued = 0
    for _round in range(ROUNDS):
        new_donations = list(
            Donation.objects.filter(pk__gt=donations, created_at__lt=ripe)
            .order_by("pk")
            .values_list("pk", "donor_id")[:BATCH]
        )
        new_deferrals = list(
            Deferral.objects.filter(pk__gt=deferrals, created_at__lt=ripe)
            .order_by("pk")
            .values_list("pk", "donor_id")[:BATCH]
        )
        if not new_donations and not new_deferrals:
            break
        donors = {d for _pk, d in new_donations} | {d for _pk, d in new_deferrals}
        with transaction.atomic():
            queued += sum(schedule(donor) for donor in sorted(donors))
        donations = new_donations[-1][0] if new_donations else donations
        deferrals = new_deferrals[-1][0] if new_deferrals else deferrals
    return {"donations": donations, "deferrals": deferrals, "queued": queued}


def _place(donor: Donor) -> Organisation | None:
    """Whose rules judge the donor: the establishment that last collected from them, else
    the one whose drive last deferred them."""
    latest = Donation.objects.filter(donor=donor).order_by("-collected_at", "-pk").first()
    if latest is not None:
        return latest.establishment
    deferral = (
        Deferral.objects.filter(donor=donor, presentation__isnull=False)
        .select_related("presentation__drive__establishment")
        .order_by("-created_at", "-pk")
        .first()
    )
    return deferral.presentation.drive.establishment if deferral and deferral.presentation else None


def schedule(donor_id: int) -> bool:
    """Cancel the donor's waiting reminder if its date moved, and queue one for the date the
    engine gives now (in the future). True when a message was queued."""
    donor = Donor.objects.select_related("affiliation").filter(pk=donor_id).first()
    if donor is None or donor.erased_at is not None or donor.merged_into_id is not None:
        return False
    place = _place(donor)
    on = lookup.eligibility_at(donor, place).next_eligible_on if place is not None else None
    key = f"{KIND}:{donor.uuid}:{on.isoformat()}" if on else ""
    outbox.cancel_waiting(donor, Event.ELIGIBLE_AGAIN, keep=key, reason="date_moved")
    if place is None or on is None:
        return False
    zone = zoneinfo.ZoneInfo(place.effective_time_zone())
    if on <= timezone.localtime(timezone.now(), zone).date():
        return False  # eligible today already: nothing to announce
    outcome = outbox.enqueue(
        Event.ELIGIBLE_AGAIN,
        to_donor=donor,
        context={"donor_name": donor.full_name, "date": on, "link": site_link(DONOR_HOME)},
        key=key,
        establishment=place,
        send_after=dt.datetime.combine(on, SEND_AT, tzinfo=zone),
        by=system_actor(),
    )
    return outcome.status == "queued"


def waiting(donor: Donor) -> Message | None:
    """The donor's reminder waiting to be sent, if any (for pages and tests)."""
    return (
        Message.objects.filter(donor=donor, event=Event.ELIGIBLE_AGAIN, status=Status.QUEUED)
        .order_by("-pk")
        .first()
    )

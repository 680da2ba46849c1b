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
from bloodline.lib.links import donor_home_link
from bloodline.notifications import outbox
from bloodline.notifications.models import Event, Message, Status
from bloodline.organisations.models import Organisation
from bloodline.screening import lookup
from bloodline.screening.assessment import Collected
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
    last = queue.last_result(KIND, "donations")
    if last is not None:
        return int(str(last["donations"])), int(str(last["deferrals"]))
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
            queued += schedule(sorted(donors))
        donations = new_donations[-1][0] if new_donations else donations
        deferrals = new_deferrals[-1][0] if new_deferrals else deferrals
    return {"donations": donations, "deferrals": deferrals, "queued": queued}


def _places(ids: list[int]) -> tuple[dict[int, Organisation], dict[int, list[Collected]]]:
    """Whose rules judge each donor: the establishment that last collected from them, else
    the one whose drive last deferred them (three queries; two read only values, and each
    establishment is one object shared by its donors); and each donor's donations as the
    engine reads them, newest first, from the first of those queries."""
    chosen: dict[int, int] = {}
    history: dict[int, list[Collected]] = {pk: [] for pk in ids}
    latest = (
        Donation.objects.filter(donor_id__in=ids)
        .order_by("donor_id", "-collected_at", "-pk")
        .values_list(
            "donor_id",
            "establishment_id",
            "collected_at",
            "donation_type",
            "volume_ml",
            named=True,
        )
    )
    for donation in latest:
        chosen.setdefault(donation.donor_id, donation.establishment_id)
        history[donation.donor_id].append(donation)
    rest = [pk for pk in ids if pk not in chosen]
    deferred = (
        Deferral.objects.filter(donor_id__in=rest, presentation__isnull=False)
        .order_by("donor_id", "-created_at", "-pk")
        .values_list("donor_id", "presentation__drive__establishment_id")
    )
    for donor_id, establishment_id in deferred:
        chosen.setdefault(donor_id, establishment_id)
    establishments = Organisation.objects.in_bulk(set(chosen.values()))
    return {donor_id: establishments[pk] for donor_id, pk in chosen.items()}, history


def schedule(donor_ids: list[int]) -> int:
    """For each donor: cancel their waiting reminder if its date moved, and queue one for
    the date the engine gives now, if it is in the future. Returns how many were queued."""
    donors = list(
        Donor.objects.filter(
            pk__in=donor_ids, erased_at__isnull=True, merged_into__isnull=True
        ).select_related("affiliation", "registry", "account__user")
    )
    places, history = _places([d.pk for d in donors])
    judged = lookup.eligibility_of(donors, places, history=history)
    wanted, keys = [], {}
    days: dict[int, tuple[dt.date, zoneinfo.ZoneInfo]] = {}  # per place: today, its zone
    link = donor_home_link()
    for donor in donors:
        on = judged[donor.pk].next_eligible_on if donor.pk in judged else None
        place = places.get(donor.pk)
        keys[donor.pk] = f"{KIND}:{donor.uuid}:{on.isoformat()}" if on else ""
        if on is None or place is None:
            continue
        if place.pk not in days:
            days[place.pk] = lookup.today_at(place)
        today, zone = days[place.pk]
        if on <= today:
            continue  # eligible today already: nothing to announce
        wanted.append(
            outbox.Wanted(
                donor,
                {"donor_name": donor.full_name, "date": on, "link": link},
                keys[donor.pk],
                establishment=place,
                send_after=dt.datetime.combine(on, SEND_AT, tzinfo=zone),
            )
        )
    outbox.cancel_waiting_many(keys, Event.ELIGIBLE_AGAIN, reason="date_moved")
    return outbox.enqueue_many(Event.ELIGIBLE_AGAIN, wanted, by=system_actor())


def waiting(donor: Donor) -> Message | None:
    """The donor's reminder waiting to be sent, if any (for pages and tests)."""
    return (
        Message.objects.filter(donor=donor, event=Event.ELIGIBLE_AGAIN, status=Status.QUEUED)
        .order_by("-pk")
        .first()
    )

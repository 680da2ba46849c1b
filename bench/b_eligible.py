"""B-eligible (issue 13 "Speed", decision 0059): how fast "you can give again" reminders are
scheduled for donors of the generated registry.

The reminders are scheduled by the worker after each donation and deferral
(``screening.eligible_again``), never by a sweep of the whole registry; the issue's figure
("the nightly sweep over 2 M donors enqueues its messages in under 5 minutes") is read as
the rate at which the job judges donors and queues their messages, times T1's 2 M donors.
``measure`` gives ``donors`` generated donors who gave recently an SMS consent, runs the
job's ``schedule`` over them in its batches, checks that one message was queued per donor
who has a date ahead, and rolls everything back so the other benchmarks see the generated
data unchanged.

The generated donations end on ``generate.LAST_DAY``, long before today, so every donor would
be eligible already and nothing would be queued: a rate that skips the writing of messages.
The job runs minutes after a donation, so before timing, each chosen donor's donations are
moved forward together (their spacing kept) until the last falls on one of the days of the
rule set's whole-blood interval before today, spread evenly over them. Donors whose last
donation was apheresis, who reached the age limit or who are deferred still get no message,
as they would not in a real run.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

T1_DONORS = 2_000_000  # QUALITY.md, tier T1
GOAL_MINUTES = 5  # the issue: 2 M donors in under 5 minutes


class _Rollback(Exception):
    pass


def _interval_days(today: dt.date) -> int:
    """Days of the whole-blood after whole-blood interval of the generated data's rule set
    (the shortest, when it differs by sex): read from the rules, not repeated here."""
    from bench.generate import RULE_SET
    from bloodline.jurisdictions.loader import registry
    from bloodline.screening.calendar import add_period

    rules = registry.get(RULE_SET, today)
    periods = [
        i.period for i in rules.intervals if i.before == "whole_blood" and i.after == "whole_blood"
    ]
    return min((add_period(today, p.value, p.unit) - today).days for p in periods)


def _bring_forward(ids: list[int]) -> None:
    """Move each donor's donations forward by whole days so that their last one falls on a
    day of the whole-blood interval before today (donor i of n on day 1 + i × span / n
    before today); one update per distinct shift."""
    from django.db.models import F, Max
    from django.utils import timezone

    from bloodline.collection.models import Donation

    today = timezone.localdate()
    span = _interval_days(today)
    last = dict(
        Donation.objects.filter(donor_id__in=ids)
        .values("donor_id")
        .annotate(last=Max("collected_at"))
        .values_list("donor_id", "last")
    )
    shifts: dict[int, list[int]] = {}
    for i, pk in enumerate(ids):
        target = today - dt.timedelta(days=1 + i * (span - 1) // max(1, len(ids)))
        shifts.setdefault((target - timezone.localdate(last[pk])).days, []).append(pk)
    for days, group in shifts.items():
        Donation.objects.filter(donor_id__in=group).update(
            collected_at=F("collected_at") + dt.timedelta(days=days)
        )


def measure(donors: int = 2000) -> dict[str, Any]:
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from bloodline.collection.models import Donation
    from bloodline.donors.models import Consent
    from bloodline.lib.links import donor_home_link
    from bloodline.notifications.models import Event, Message
    from bloodline.screening import eligible_again

    recent = (
        Donation.objects.filter(donor__erased_at__isnull=True, donor__merged_into__isnull=True)
        .values("donor_id")
        .annotate(last=Max("collected_at"))
        .order_by("-last")
        .values_list("donor_id", flat=True)[:donors]
    )
    ids = sorted(recent)
    donor_home_link()  # the URLconf is imported once per worker, not per run: not timed
    figures: dict[str, Any] = {}
    try:
        with transaction.atomic():
            now = timezone.now()
            Consent.objects.bulk_create(
                Consent(donor_id=pk, purpose="contact_sms", text_version="bench", given_at=now)
                for pk in ids
            )
            _bring_forward(ids)
            started, queued = time.perf_counter(), 0
            for at in range(0, len(ids), eligible_again.BATCH):
                queued += eligible_again.schedule(ids[at : at + eligible_again.BATCH])
            seconds = time.perf_counter() - started
            made = Message.objects.filter(event=Event.ELIGIBLE_AGAIN, donor_id__in=ids).count()
            per_s = len(ids) / seconds if seconds else 0.0
            figures = {
                "donors": len(ids),
                "queued": queued,
                "queued_once": made == queued,
                "donors_per_s": round(per_s),
                "t1_minutes": round(T1_DONORS / per_s / 60, 1) if per_s else None,
                "goal_minutes": GOAL_MINUTES,
            }
            raise _Rollback
    except _Rollback:
        pass
    return figures


def markdown_row(f: dict[str, Any], goal: str) -> str:
    once = "one each" if f["queued_once"] else "NOT one each"
    return (
        f"| eligible again | donors judged and reminded/s ({f['donors']:,} donors, "
        f"{f['queued']:,} reminders, {once}; 2 M donors ≈ {f['t1_minutes']} min) | "
        f"{f['donors_per_s']:,} | — | — | {goal} |"
    )

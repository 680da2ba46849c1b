""" "Your test results are ready" (issue 13 §6): sent when every required test of a
donation's sample has an acceptable result that counts (imported, or entered and verified),
and only by establishments that show donors their results (``ResultRelease``, decision 0056).

A reactive or unacceptable result is never announced by a message: a donor is told of it in
person, by the blood service's physician (the lab's look-back and notification work), so a
panel that is not complete sends nothing. A worker job, every few minutes, looks at the
results entered or verified since its last run (a time kept in the job's result; rows younger
than a minute wait for the next run), once per donation (the key names it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from bloodline.accounts.system import system_actor
from bloodline.jobs import queue
from bloodline.lab import panel
from bloodline.lab.models import Sample, TestResult
from bloodline.lib.links import site_link
from bloodline.notifications import outbox
from bloodline.notifications.models import Event
from bloodline.portal.account_models import ResultRelease

KIND = "result_ready"
EVERY = dt.timedelta(minutes=5)
SETTLE = dt.timedelta(minutes=1)
BATCH = 500  # samples a run
FIRST_LOOKBACK = dt.timedelta(days=30)  # a first run looks at the last month's results


def register() -> None:
    queue.register(KIND, run, every=EVERY)


def run() -> dict[str, Any]:
    """The job: tell the donors whose sample was completed since the last run."""
    last = queue.last_result(KIND, "until")
    since = (
        dt.datetime.fromisoformat(str(last["until"]))
        if last is not None
        else timezone.now() - FIRST_LOOKBACK
    )
    until = timezone.now() - SETTLE
    changed = (
        TestResult.objects.filter(
            Q(entered_at__gt=since, entered_at__lte=until)
            | Q(verified_at__gt=since, verified_at__lte=until)
        )
        .values_list("sample_id", flat=True)
        .distinct()
    )
    releasing = ResultRelease.objects.filter(to_donors=True).values("establishment_id")
    samples = list(
        Sample.objects.filter(pk__in=changed, donation__establishment_id__in=releasing)
        .select_related(
            "donation__donor__affiliation",
            "donation__donor__registry",
            "donation__donor__account__user",
            "donation__establishment",
        )
        .prefetch_related("results", "required_tests")
        .order_by("pk")
    )
    queued = 0
    for at in range(0, len(samples), BATCH):
        queued += tell(samples[at : at + BATCH])
    return {"until": until.isoformat(), "samples": len(samples), "queued": queued}


def tell(samples: list[Sample]) -> int:
    """Queue the message for each sample whose panel is complete; returns how many."""
    wanted = []
    for sample in samples:
        if not panel.evaluate(sample).complete:
            continue  # pending, awaiting verification, or a result a physician must give
        donation = sample.donation
        wanted.append(
            outbox.Wanted(
                donation.donor,
                {
                    "donor_name": donation.donor.full_name,
                    "link": site_link(reverse("portal:home")),
                },
                f"{KIND}:{donation.uuid}",
                establishment=donation.establishment,
            )
        )
    return outbox.enqueue_many(Event.RESULT_READY, wanted, by=system_actor())

"""The database as a job queue (CONVENTIONS.md 8): enqueue work for later, let one worker
claim it, record its result. Several workers may run at once; each job is claimed once.

On PostgreSQL a worker locks the next due row with ``SELECT … FOR UPDATE SKIP LOCKED``, so
workers never wait on each other. SQLite has no row locks: there the claim is a conditional
``UPDATE … WHERE claimed_at IS NULL`` and the worker owns the job only if it changed a row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from django.db import connection, transaction
from django.utils import timezone

from bloodline.inventory import actions
from bloodline.inventory.models import Job

logger = logging.getLogger(__name__)

EXPIRY_SWEEP = "expiry_sweep"
# How often the expiry sweep runs: the stock page and allocation re-check expiry on their own,
# the sweep only records it, so a quarter of an hour is close enough.
SWEEP_EVERY = dt.timedelta(minutes=15)
# A job claimed this long ago and not finished belongs to a worker that died; it is closed
# as abandoned, so the next sweep is scheduled again.
LEASE = dt.timedelta(hours=1)


def enqueue(kind: str, run_after: dt.datetime | None = None) -> Job:
    return Job.objects.create(kind=kind, run_after=run_after or timezone.now())


def pending(kind: str) -> bool:
    """Whether a job of this kind is waiting or running."""
    return Job.objects.filter(kind=kind, finished_at__isnull=True).exists()


def due_ids(kind: str, now: dt.datetime, limit: int = 10) -> list[int]:
    """The next due, unclaimed jobs of this kind, oldest first (read without locking)."""
    return list(
        Job.objects.filter(
            kind=kind, claimed_at__isnull=True, finished_at__isnull=True, run_after__lte=now
        )
        .order_by("run_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def claim(kind: str, worker: str, now: dt.datetime | None = None) -> Job | None:
    """The next due job of this kind, now claimed by ``worker``; None when there is none or
    another worker took each candidate first."""
    now = now or timezone.now()
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = (
                Job.objects.select_for_update(skip_locked=True)
                .filter(
                    kind=kind,
                    claimed_at__isnull=True,
                    finished_at__isnull=True,
                    run_after__lte=now,
                )
                .order_by("run_after", "pk")
                .first()
            )
            if job is None:
                return None
            job.claimed_at, job.claimed_by = now, worker
            job.save(update_fields=["claimed_at", "claimed_by"])
            return job
    for pk in due_ids(kind, now):
        taken = Job.objects.filter(pk=pk, claimed_at__isnull=True).update(
            claimed_at=now, claimed_by=worker
        )
        if taken == 1:
            return Job.objects.get(pk=pk)
    return None


def finish(job: Job, result: Mapping[str, object]) -> Job:
    job.finished_at, job.result = timezone.now(), dict(result)
    job.save(update_fields=["finished_at", "result"])
    return job


def close_abandoned(kind: str, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return Job.objects.filter(
        kind=kind, finished_at__isnull=True, claimed_at__lt=now - LEASE
    ).update(finished_at=now, result={"abandoned": True})


def _sweep() -> dict[str, object]:
    return {"expired": actions.sweep_expired()}


HANDLERS = {EXPIRY_SWEEP: _sweep}


def run_due(worker: str) -> list[Job]:
    """Run every due expiry sweep, each followed by the next one ``SWEEP_EVERY`` later; a
    sweep is enqueued first if none is waiting. Returns the jobs this worker ran."""
    close_abandoned(EXPIRY_SWEEP)
    if not pending(EXPIRY_SWEEP):
        enqueue(EXPIRY_SWEEP)
    done = []
    while (job := claim(EXPIRY_SWEEP, worker)) is not None:
        try:
            result = HANDLERS[job.kind]()
        except Exception as exc:  # the worker keeps running; the failure is kept on the job
            logger.exception("job %s failed", job.pk)
            result = {"error": str(exc)}
        finish(job, result)
        if not pending(EXPIRY_SWEEP):
            assert job.finished_at is not None
            enqueue(EXPIRY_SWEEP, job.finished_at + SWEEP_EVERY)
        done.append(job)
    return done

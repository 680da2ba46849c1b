"""The database as a job queue (CONVENTIONS.md 8): enqueue work for later, let one worker
claim it, record its result. Several workers may run at once; each job is claimed once.

Any app enqueues into it. An app with recurring work registers a handler for its kind
(``register``, from its ``AppConfig.ready``); the queue never imports the apps above it
(decision 0023).

On PostgreSQL a worker locks the next due row with ``SELECT … FOR UPDATE SKIP LOCKED``, so
workers never wait on each other. SQLite has no row locks: there the claim is a conditional
``UPDATE … WHERE claimed_at IS NULL`` and the worker owns the job only if it changed a row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping

from django.db import connection, transaction
from django.utils import timezone

from bloodline.jobs.models import Job

logger = logging.getLogger(__name__)

Handler = Callable[[], Mapping[str, object]]
# What runs a job of each kind, and how long after one finishes the next is due.
HANDLERS: dict[str, Handler] = {}
EVERY: dict[str, dt.timedelta] = {}
# A job claimed this long ago and not finished belongs to a worker that died; it is closed
# as abandoned, so the next sweep is scheduled again.
LEASE = dt.timedelta(hours=1)


def enqueue(kind: str, run_after: dt.datetime | None = None) -> Job:
    return Job.objects.create(kind=kind, run_after=run_after or timezone.now())


def last_result(kind: str, having: str) -> Mapping[str, object] | None:
    """The result of the last finished job of ``kind`` that has the key ``having``: where a
    recurring job left off (a failed run keeps only its error)."""
    return (
        Job.objects.filter(kind=kind, finished_at__isnull=False, result__has_key=having)
        .order_by("-finished_at", "-pk")
        .values_list("result", flat=True)
        .first()
    )


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


def register(kind: str, handler: Handler, *, every: dt.timedelta) -> None:
    """Run ``handler`` for jobs of ``kind``, again ``every`` after each one finished."""
    HANDLERS[kind] = handler
    EVERY[kind] = every


def run_due(worker: str) -> list[Job]:
    """Run every due job of each registered kind, each followed by the next one its period
    later; one is enqueued first if none is waiting. Returns the jobs this worker ran."""
    done = []
    for kind in sorted(HANDLERS):
        done.extend(_run_kind(kind, worker))
    return done


def _run_kind(kind: str, worker: str) -> list[Job]:
    close_abandoned(kind)
    if not pending(kind):
        enqueue(kind)
    done = []
    while (job := claim(kind, worker)) is not None:
        try:
            result = HANDLERS[job.kind]()
        except Exception as exc:  # the worker keeps running; the failure is kept on the job
            logger.exception("job %s failed", job.pk)
            result = {"error": str(exc)}
        finish(job, result)
        if not pending(kind):
            assert job.finished_at is not None
            enqueue(kind, job.finished_at + EVERY[kind])
        done.append(job)
    return done

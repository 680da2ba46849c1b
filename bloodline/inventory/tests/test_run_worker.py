"""The ``run_worker`` command: runs the due expiry sweep and schedules the next one."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from bloodline.inventory import sweep
from bloodline.inventory.status import Status
from bloodline.jobs import queue as jobs
from bloodline.jobs.models import Job


def _run_once() -> str:
    out = io.StringIO()
    call_command("run_worker", "--once", "--name", "test-worker", stdout=out)
    return out.getvalue()


def test_once_runs_the_due_sweep_and_schedules_the_next(centre, travel) -> None:
    red, _plasma = centre.stocked()
    now = travel(dt.timedelta(days=60))
    due = jobs.enqueue(sweep.EXPIRY_SWEEP, now - dt.timedelta(minutes=1))
    output = _run_once()
    due.refresh_from_db()
    assert due.finished_at is not None and due.claimed_by == "test-worker"
    assert due.result == {"expired": 1}
    assert "expiry_sweep" in output
    red.refresh_from_db()
    assert red.status == Status.EXPIRED
    [following] = Job.objects.filter(kind=sweep.EXPIRY_SWEEP, finished_at__isnull=True)
    assert following.run_after == due.finished_at + sweep.SWEEP_EVERY


def test_a_worker_started_with_nothing_queued_sweeps_at_once(db) -> None:
    _run_once()
    assert Job.objects.filter(kind=sweep.EXPIRY_SWEEP, finished_at__isnull=False).count() == 1
    assert Job.objects.filter(kind=sweep.EXPIRY_SWEEP, finished_at__isnull=True).count() == 1


def test_one_sweep_waits_at_a_time(db) -> None:
    _run_once()
    _run_once()  # the next sweep is not due yet: nothing runs, nothing is added
    assert Job.objects.filter(kind=sweep.EXPIRY_SWEEP).count() == 2
    assert Job.objects.filter(kind=sweep.EXPIRY_SWEEP, finished_at__isnull=True).count() == 1


def test_a_failing_sweep_is_recorded_and_the_next_still_scheduled(db, monkeypatch) -> None:
    def broken() -> dict[str, object]:
        raise RuntimeError("database went away")

    monkeypatch.setitem(jobs.HANDLERS, sweep.EXPIRY_SWEEP, broken)
    _run_once()
    failed = Job.objects.get(kind=sweep.EXPIRY_SWEEP, finished_at__isnull=False)
    assert failed.result == {"error": "database went away"}
    following = Job.objects.get(kind=sweep.EXPIRY_SWEEP, finished_at__isnull=True)
    assert following.run_after > timezone.now()

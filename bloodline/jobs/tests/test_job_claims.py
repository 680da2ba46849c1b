"""Jobs claimed from the database: each job goes to one worker only (CONVENTIONS.md 8)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from bloodline.jobs import queue as jobs
from bloodline.jobs.models import Job


def test_two_claims_of_the_same_job_only_one_wins(db) -> None:
    job = jobs.enqueue("expiry_sweep")
    first = jobs.claim("expiry_sweep", "worker-a")
    second = jobs.claim("expiry_sweep", "worker-b")
    assert first is not None and first.pk == job.pk and first.claimed_by == "worker-a"
    assert second is None


def test_a_worker_that_read_the_job_too_late_does_not_take_it(db, monkeypatch) -> None:
    job = jobs.enqueue("expiry_sweep")
    # Both workers saw the job as due before either claimed it.
    monkeypatch.setattr(jobs, "due_ids", lambda kind, now, limit=10: [job.pk])
    winners = [jobs.claim("expiry_sweep", name) for name in ("worker-a", "worker-b")]
    assert [w.claimed_by if w else None for w in winners] == ["worker-a", None]
    assert Job.objects.get(pk=job.pk).claimed_by == "worker-a"


def test_a_job_is_not_claimed_before_its_time(db) -> None:
    jobs.enqueue("expiry_sweep", timezone.now() + dt.timedelta(minutes=5))
    assert jobs.claim("expiry_sweep", "worker-a") is None


def test_the_oldest_due_job_is_claimed_first(db) -> None:
    later = jobs.enqueue("expiry_sweep", timezone.now() - dt.timedelta(minutes=1))
    earlier = jobs.enqueue("expiry_sweep", timezone.now() - dt.timedelta(minutes=10))
    assert jobs.claim("expiry_sweep", "w").pk == earlier.pk
    assert jobs.claim("expiry_sweep", "w").pk == later.pk


def test_finishing_keeps_the_result(db) -> None:
    jobs.enqueue("expiry_sweep")
    claimed = jobs.claim("expiry_sweep", "w")
    assert claimed is not None
    job = jobs.finish(claimed, {"expired": 3})
    job.refresh_from_db()
    assert job.finished_at is not None and job.result == {"expired": 3}
    assert not jobs.pending("expiry_sweep")


def test_a_job_abandoned_by_a_dead_worker_is_closed(db) -> None:
    long_ago = timezone.now() - jobs.LEASE - dt.timedelta(minutes=1)
    jobs.enqueue("expiry_sweep", long_ago)
    jobs.claim("expiry_sweep", "dead-worker", now=long_ago)
    assert jobs.close_abandoned("expiry_sweep") == 1
    assert not jobs.pending("expiry_sweep")


@pytest.mark.postgres_only
def test_workers_racing_for_one_job_on_postgresql(flushable_audit) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SKIP LOCKED is its path; SQLite is tested above")
    job = jobs.enqueue("expiry_sweep")
    won: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work(name: str) -> None:
        try:
            start.wait()
            claimed = jobs.claim("expiry_sweep", name)
            if claimed is not None:
                with lock:
                    won.append(name)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    assert Job.objects.get(pk=job.pk).claimed_by == won[0]

"""The job queue moved from inventory to this app (decision 0023): on a database that still
has the inventory table, migrating keeps every job and its fields."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

LAST_WITH_INVENTORY_JOB = ("inventory", "0004_lookback_hold")
BEFORE: list[tuple[str, str | None]] = [LAST_WITH_INVENTORY_JOB, ("jobs", None)]


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


def test_it_keeps_the_jobs_of_a_database_from_before_the_move(flushable_audit: None) -> None:
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        assert "inventory_job" in _tables() and "jobs_job" not in _tables()
        run_after = timezone.now() - dt.timedelta(minutes=5)
        old = executor.loader.project_state([LAST_WITH_INVENTORY_JOB]).apps.get_model(
            "inventory", "Job"
        )
        kept = old.objects.create(
            kind="expiry_sweep", run_after=run_after, claimed_by="w1", result={"expired": 2}
        )

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        assert "jobs_job" in _tables() and "inventory_job" not in _tables()
        from bloodline.jobs.models import Job

        job = Job.objects.get(pk=kept.pk)
        assert (job.kind, job.claimed_by, job.result) == ("expiry_sweep", "w1", {"expired": 2})
        assert job.run_after == run_after
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

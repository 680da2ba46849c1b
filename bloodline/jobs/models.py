from __future__ import annotations

from django.db import models


class Job(models.Model):
    """A unit of background work (the expiry sweep…), claimed by a worker process; the
    database is the queue, so no broker is needed (CONVENTIONS.md 8). Any app enqueues into
    it; the table came from ``inventory`` (decision 0023) and kept its rows."""

    kind = models.CharField(max_length=40)
    run_after = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "finished_at", "run_after"], name="job_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.run_after:%Y-%m-%d %H:%M}"

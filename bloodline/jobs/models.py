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


class IdempotentRequest(models.Model):
    """A write sent to the API and the answer it got, kept for a short window so the same
    request sent again (a double click, a retry, two tabs) gets the same answer instead of
    doing the work twice (decision 0035). ``key`` is the client's Idempotency-Key header, or a
    fingerprint of the request itself; unique per caller, so a second, concurrent copy waits
    for the first and is then answered from here."""

    caller = models.CharField(max_length=64)  # the signed-in user's primary key
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    created_at = models.DateTimeField()
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="idempotent_request_once")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotent_request_age_idx")]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"

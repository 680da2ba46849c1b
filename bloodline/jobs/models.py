from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


class Task(models.Model):
    """A long piece of work someone asked for — a registration workbook checked or applied, a
    drive's label sheet drawn — run by the worker instead of inside their request. It carries
    what it needs (parameters, the uploaded file), how far it got (``done`` of ``total``, and a
    ``stage`` code the page words in the reader's language) and what came of it: a result, a
    file to download, or the message that says why it failed. Only its owner sees it
    (decision 0044); the uploaded and produced files are cleared after a retention period."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    # The language the owner asked in: the worker answers (messages, files) in it.
    language = models.CharField(max_length=16, blank=True)
    params = models.JSONField(default=dict, blank=True)
    upload = models.BinaryField(default=b"", blank=True)
    upload_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    stage = models.CharField(max_length=40, blank=True)
    result = models.JSONField(default=dict, blank=True)
    output = models.BinaryField(default=b"", blank=True)
    output_name = models.CharField(max_length=255, blank=True)
    output_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    # When the uploaded and produced files were cleared (the retention sweep).
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"], name="task_queue_idx"),
            models.Index(fields=["finished_at"], name="task_finished_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="task_status_known",
            ),
            # A task is finished exactly when it is done or failed; it started if it ran.
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=["done", "failed"], finished_at__isnull=False)
                    | models.Q(status__in=["queued", "running"], finished_at__isnull=True)
                ),
                name="task_finished_when_over",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="running", started_at__isnull=True),
                name="task_running_has_started",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("tasks:detail", kwargs={"public_id": self.uuid})

    @property
    def is_over(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0

"""Tasks: long work someone asked for, run by the worker while their page shows a progress bar
(decision 0044). A registration workbook, a drive's label sheet: started from a request
(``start``), claimed by one worker (``run_next``), followed on ``/tasks/<uuid>/``.

An app registers a handler per kind from its ``AppConfig.ready`` (the jobs app never imports
the apps above it, decision 0023). A handler gets the task and a ``Progress``; it sets
``task.result`` (e.g. ``{"result_url": …}``) or ``task.output``/``output_name``/
``output_type`` (a file to download), or raises ``ValidationError``, whose translated message
is shown to the owner. Any other exception fails the task with a generic message and is
logged without its text (which may carry personal data).

The handler runs in the language the owner asked in. It must not lock or write its own task
row: the runner writes the outcome after the handler returned, and ``Progress`` writes the
counts meanwhile.

Progress is written at most every ``Progress.EVERY`` seconds. Inside the handler's own
transaction it goes through a second, autocommitting connection, so the owner's page sees it
before that transaction commits. On PostgreSQL that always works (the row is not locked by
anyone; a short ``lock_timeout`` guards against a handler that breaks the rule above). SQLite
has one writer at a time: while the handler's write transaction is open the second connection
cannot write, the count is kept and written at the next chance, and the page sees the stage
reached before the write began and then the end.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from bloodline.jobs.models import Task

logger = logging.getLogger(__name__)

Status = Task.Status


class Progress:
    """How far a running task got: ``total(n)``, ``advance(k)``, ``stage(code)``."""

    EVERY = 0.5  # seconds between writes; the page polls every second

    def __init__(self, task: Task, *, every: float | None = None) -> None:
        self._task = task
        self._every = self.EVERY if every is None else every
        self._written = 0.0
        self._dirty = False
        self._side: BaseDatabaseWrapper | None = None

    def total(self, n: int) -> None:
        self._task.total = max(0, int(n))
        self._task.done = min(self._task.done, self._task.total)
        self._changed()

    def advance(self, k: int = 1) -> None:
        done = self._task.done + k
        self._task.done = min(done, self._task.total) if self._task.total else done
        self._changed()

    def stage(self, code: str) -> None:
        self._task.stage = code
        self._changed()

    def flush(self) -> None:
        """Write now, whatever the time since the last write."""
        if self._dirty:
            self._write()

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None

    def _changed(self) -> None:
        self._dirty = True
        if time.monotonic() - self._written >= self._every:
            self._write()

    def _write(self) -> None:
        task = self._task
        values = {"done": task.done, "total": task.total, "stage": task.stage}
        try:
            if connection.in_atomic_block:
                self._write_aside(values)
            else:
                Task.objects.filter(pk=task.pk).update(**values)
        except DatabaseError:
            # SQLite while the handler holds the write lock, or a lock we will not wait for:
            # the counts are kept and written at the next chance.
            logger.debug("progress of task %s not written yet", task.uuid)
            return
        self._written, self._dirty = time.monotonic(), False

    def _write_aside(self, values: Mapping[str, Any]) -> None:
        side = self._side or self._connect()
        table = side.ops.quote_name(Task._meta.db_table)
        columns = ", ".join(f"{side.ops.quote_name(name)} = %s" for name in values)
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {columns} WHERE id = %s",  # noqa: S608 (names are ours)
                [*values.values(), self._task.pk],
            )

    def _connect(self) -> BaseDatabaseWrapper:
        main = connections[DEFAULT_DB_ALIAS]
        config = copy.deepcopy(main.settings_dict)
        if main.vendor == "sqlite":
            # Do not wait for the handler's own write lock: it is not released before the end.
            config["OPTIONS"] = {**config.get("OPTIONS", {}), "timeout": 0.05}
        side = load_backend(config["ENGINE"]).DatabaseWrapper(config, DEFAULT_DB_ALIAS)
        if side.vendor == "postgresql":
            with side.cursor() as cursor:
                cursor.execute("SET lock_timeout = '200ms'")
        self._side = side
        return side


Handler = Callable[[Task, Progress], None]


@dataclass(frozen=True)
class Kind:
    handler: Handler
    title: str | Promise = ""
    # stage code -> words (lazily translated), shown on the task page
    stages: Mapping[str, str | Promise] = field(default_factory=dict)


KINDS: dict[str, Kind] = {}


def register(
    kind: str,
    handler: Handler,
    *,
    title: str | Promise = "",
    stages: Mapping[str, str | Promise] | None = None,
) -> None:
    """Run ``handler`` for tasks of ``kind``. ``title`` heads the task page; ``stages`` words
    the stage codes the handler reports."""
    KINDS[kind] = Kind(handler=handler, title=title, stages=dict(stages or {}))


def start(
    kind: str,
    *,
    by: Any,
    params: Mapping[str, Any] | None = None,
    upload: bytes = b"",
    upload_name: str = "",
) -> Task:
    """Queue a task of ``kind`` for ``by``; the worker runs it. Its page is
    ``task.get_absolute_url()``."""
    if kind not in KINDS:
        raise ValueError(f"no task handler is registered for {kind!r}")
    return Task.objects.create(
        kind=kind,
        owner=by,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        params=dict(params or {}),
        upload=bytes(upload),
        upload_name=upload_name[:255],
    )


def claim(worker: str) -> Task | None:
    """The oldest queued task, now running for ``worker``; None when there is none or others
    took each candidate first. SKIP LOCKED on PostgreSQL; a conditional UPDATE on SQLite."""
    now = timezone.now()
    queued = Task.objects.filter(status=Status.QUEUED, kind__in=list(KINDS)).order_by(
        "created_at", "pk"
    )
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            task = queued.select_for_update(skip_locked=True).only("pk").first()
            if task is None:
                return None
            Task.objects.filter(pk=task.pk).update(
                status=Status.RUNNING, started_at=now, claimed_by=worker
            )
            return Task.objects.get(pk=task.pk)
    for pk in queued.values_list("pk", flat=True)[:10]:
        taken = Task.objects.filter(pk=pk, status=Status.QUEUED).update(
            status=Status.RUNNING, started_at=now, claimed_by=worker
        )
        if taken == 1:
            return Task.objects.get(pk=pk)
    return None


def run_next(worker: str) -> Task | None:
    """Claim the next queued task and run it to its end; None when nothing was waiting."""
    task = claim(worker)
    if task is None:
        return None
    run(task)
    return task


def run_pending(worker: str = "test") -> list[Task]:
    """Run every queued task in this process (tests, ``run_worker --once``)."""
    ran = []
    while (task := run_next(worker)) is not None:
        ran.append(task)
    return ran


def run(task: Task) -> Task:
    """Run a claimed task's handler and write its outcome."""
    progress = Progress(task)
    try:
        with translation.override(task.language or settings.LANGUAGE_CODE):
            try:
                KINDS[task.kind].handler(task, progress)
            except ValidationError as exc:
                _fail(task, " ".join(str(m) for m in exc.messages))
            except Exception as exc:  # the worker keeps running; the owner is told
                _log_failure(task, exc)
                _fail(task, _("Something went wrong and nothing was saved. Please try again."))
            else:
                task.status = Status.DONE
                if task.total:
                    task.done = task.total
    finally:
        progress.close()
    task.finished_at = timezone.now()
    task.save(
        update_fields=[
            "status", "done", "total", "stage", "result", "output", "output_name",
            "output_type", "error", "finished_at",
        ]
    )  # fmt: skip
    return task


def _fail(task: Task, message: str) -> None:
    task.status, task.error = Status.FAILED, message
    task.result, task.output, task.output_name, task.output_type = {}, b"", "", ""


def _log_failure(task: Task, exc: BaseException) -> None:
    """Where it failed, never the exception's text: it may name a donor."""
    frames = "; ".join(
        f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(exc.__traceback__)
    )
    logger.error("task %s (%s) failed: %s at %s", task.uuid, task.kind, type(exc).__name__, frames)


# Retention -----------------------------------------------------------------------------------

RETENTION_SWEEP = "task_retention"
SWEEP_EVERY = dt.timedelta(hours=1)
# A task running this long belongs to a worker that died (same lease as jobs, queue.LEASE).
LEASE = dt.timedelta(hours=1)


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Clear the files of tasks finished longer ago than ``TASK_RETENTION_DAYS``, and fail
    the tasks a dead worker left running."""
    now = now or timezone.now()
    kept = dt.timedelta(days=settings.TASK_RETENTION_DAYS)
    cleared = Task.objects.filter(finished_at__lt=now - kept, cleared_at__isnull=True).update(
        upload=b"", output=b"", cleared_at=now
    )
    abandoned = 0
    for task in Task.objects.filter(status=Status.RUNNING, started_at__lt=now - LEASE).defer(
        "upload", "output"
    ):
        with translation.override(task.language or settings.LANGUAGE_CODE):
            message = _("The work was interrupted and nothing was saved. Please start it again.")
        abandoned += Task.objects.filter(pk=task.pk, status=Status.RUNNING).update(
            status=Status.FAILED, error=message, finished_at=now
        )
    return {"cleared": cleared, "abandoned": abandoned}

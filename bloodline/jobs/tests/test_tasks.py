"""Tasks run by the worker with their progress (decision 0044): claimed once, their counts
visible to the owner's page while they run, their failures told in words and logged without
personal data, their files cleared after the retention."""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bloodline.accounts.models import User
from bloodline.jobs import tasks
from bloodline.jobs.models import Task


def _counting(task: Task, progress: tasks.Progress) -> None:
    rows = task.params["rows"]
    progress.stage("counting")
    progress.total(rows)
    for _row in range(rows):
        progress.advance()
    task.result = {"counted": rows, "result_url": "/me/"}
    task.output, task.output_name, task.output_type = b"1,2,3", "counts.csv", "text/csv"


def _refusing(task: Task, progress: tasks.Progress) -> None:
    progress.total(10)
    progress.advance(4)
    # Any message from the catalogues: the worker renders it in the owner's language.
    raise ValidationError(_("This Idempotency-Key was already used for another request."))


def _crashing(task: Task, progress: tasks.Progress) -> None:
    raise RuntimeError("duplicate key (national_id)=(079123456789) for Nguyễn Văn An")


@pytest.fixture
def kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind, handler in [("count", _counting), ("refuse", _refusing), ("crash", _crashing)]:
        monkeypatch.setitem(tasks.KINDS, kind, tasks.Kind(handler=handler))


@pytest.fixture
def owner(db: None) -> User:
    return User.objects.create_user(username="organiser", full_name="Trần Thị Bình")


def test_a_task_runs_to_its_result_and_file(kinds: None, owner: User) -> None:
    task = tasks.start("count", by=owner, params={"rows": 25}, upload=b"x", upload_name="a.xlsx")
    assert task.status == Task.Status.QUEUED and task.language == "en"
    [ran] = tasks.run_pending()
    task.refresh_from_db()
    assert ran.pk == task.pk
    assert (task.status, task.done, task.total, task.stage) == ("done", 25, 25, "counting")
    assert task.result == {"counted": 25, "result_url": "/me/"}
    assert bytes(task.output) == b"1,2,3" and task.output_name == "counts.csv"
    assert task.started_at and task.finished_at and task.claimed_by == "test"
    assert tasks.run_pending() == []


def test_a_refused_task_fails_with_its_message_in_the_owners_language(
    kinds: None, owner: User
) -> None:
    from django.utils import translation

    with translation.override("fr"):
        task = tasks.start("refuse", by=owner)
    tasks.run_pending()
    task.refresh_from_db()
    assert task.status == Task.Status.FAILED
    assert task.language == "fr"
    assert task.error == "Cette Idempotency-Key a déjà servi pour une autre requête."
    assert task.result == {} and bytes(task.output) == b""


def test_a_crash_fails_with_a_general_message_and_is_logged_without_its_text(
    kinds: None, owner: User, caplog: pytest.LogCaptureFixture
) -> None:
    task = tasks.start("crash", by=owner)
    with caplog.at_level(logging.ERROR, logger="bloodline.jobs.tasks"):
        tasks.run_pending()
    task.refresh_from_db()
    assert task.status == Task.Status.FAILED
    assert task.error == "Something went wrong and nothing was saved. Please try again."
    logged = caplog.text
    assert "RuntimeError" in logged and str(task.uuid) in logged
    assert "079123456789" not in logged and "Nguyễn" not in logged


def test_an_unknown_kind_cannot_be_started(owner: User) -> None:
    with pytest.raises(ValueError, match="no task handler"):
        tasks.start("no-such-kind", by=owner)
    assert not Task.objects.exists()


def test_two_claims_of_one_task_only_one_wins(kinds: None, owner: User) -> None:
    task = tasks.start("count", by=owner, params={"rows": 1})
    first = tasks.claim("worker-a")
    second = tasks.claim("worker-b")
    assert first is not None and first.pk == task.pk and first.claimed_by == "worker-a"
    assert second is None


def test_the_oldest_task_is_claimed_first(kinds: None, owner: User) -> None:
    later = tasks.start("count", by=owner, params={"rows": 1})
    earlier = tasks.start("count", by=owner, params={"rows": 1})
    Task.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    claimed = tasks.claim("w")
    assert claimed is not None and claimed.pk == earlier.pk
    again = tasks.claim("w")
    assert again is not None and again.pk == later.pk


def test_the_worker_command_runs_waiting_tasks(kinds: None, owner: User) -> None:
    task = tasks.start("count", by=owner, params={"rows": 3})
    out = io.StringIO()
    call_command("run_worker", "--once", "--name", "w1", stdout=out)
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.claimed_by == "w1"
    assert f"task count {task.uuid}: done" in out.getvalue()


def test_files_are_cleared_after_the_retention(kinds: None, owner: User, settings) -> None:
    settings.TASK_RETENTION_DAYS = 7
    old = tasks.start("count", by=owner, params={"rows": 1}, upload=b"workbook")
    recent = tasks.start("count", by=owner, params={"rows": 1}, upload=b"workbook")
    tasks.run_pending()
    Task.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    assert tasks.sweep() == {"cleared": 1, "abandoned": 0}
    old.refresh_from_db()
    recent.refresh_from_db()
    assert bytes(old.upload) == b"" and bytes(old.output) == b"" and old.cleared_at
    assert bytes(recent.upload) == b"workbook" and bytes(recent.output) == b"1,2,3"
    assert old.result == {"counted": 1, "result_url": "/me/"}  # the outcome stays


def test_a_task_left_running_by_a_dead_worker_fails(kinds: None, owner: User) -> None:
    task = tasks.start("count", by=owner, params={"rows": 1})
    tasks.claim("dead-worker")
    Task.objects.filter(pk=task.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    assert tasks.sweep()["abandoned"] == 1
    task.refresh_from_db()
    assert task.status == Task.Status.FAILED and task.finished_at
    assert "interrupted" in task.error


# With real transactions: the worker in a thread, the owner's page in the test's connection.


@pytest.fixture
def paused(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, threading.Event]]:
    """A handler that reports progress inside its own write transaction, then waits."""
    events = {"reached": threading.Event(), "go_on": threading.Event()}

    def handler(task: Task, progress: tasks.Progress) -> None:
        progress.stage("reading")
        progress.total(4)
        progress.flush()
        with transaction.atomic():
            User.objects.create_user(username="written-by-the-task", full_name="T")
            progress.stage("writing")
            progress.advance(3)
            progress.flush()
            events["reached"].set()
            assert events["go_on"].wait(10)
        task.result = {"ok": True}

    monkeypatch.setitem(tasks.KINDS, "paused", tasks.Kind(handler=handler))
    yield events
    events["go_on"].set()


def _run_in_thread() -> threading.Thread:
    def work() -> None:
        try:
            tasks.run_next("thread-worker")
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_progress_is_visible_to_the_page_while_the_handler_runs(
    flushable_audit: None, paused: dict[str, threading.Event]
) -> None:
    owner = User.objects.create_user(username="organiser", full_name="Trần Thị Bình")
    task = tasks.start("paused", by=owner)
    thread = _run_in_thread()
    try:
        assert paused["reached"].wait(10)
        seen = Task.objects.get(pk=task.pk)
        assert seen.status == Task.Status.RUNNING and seen.total == 4
        if connection.vendor == "postgresql":
            # Written beside the handler's open transaction, which nobody sees yet.
            assert (seen.done, seen.stage) == (3, "writing")
            assert not User.objects.filter(username="written-by-the-task").exists()
        else:
            # SQLite has one writer: the stage reached before the write transaction shows.
            assert (seen.done, seen.stage) == (0, "reading")
    finally:
        paused["go_on"].set()
        thread.join(20)
    seen = Task.objects.get(pk=task.pk)
    assert (seen.status, seen.done, seen.stage, seen.result) == ("done", 4, "writing", {"ok": True})
    assert User.objects.filter(username="written-by-the-task").exists()


def test_progress_is_written_at_most_twice_a_second(flushable_audit: None, kinds: None) -> None:
    owner = User.objects.create_user(username="organiser", full_name="Trần Thị Bình")
    task = tasks.start("count", by=owner, params={"rows": 1})
    progress = tasks.Progress(task, every=60)
    progress.total(100)  # the first change is written at once
    for _row in range(50):
        progress.advance()
    assert (Task.objects.get(pk=task.pk).total, Task.objects.get(pk=task.pk).done) == (100, 0)
    progress.flush()
    assert Task.objects.get(pk=task.pk).done == 50
    progress.close()


@pytest.mark.postgres_only
def test_workers_racing_for_one_task_on_postgresql(flushable_audit: None, kinds: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SKIP LOCKED is its path; SQLite is tested above")
    owner = User.objects.create_user(username="organiser", full_name="Trần Thị Bình")
    tasks.start("count", by=owner, params={"rows": 2})
    won: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work(name: str) -> None:
        try:
            start.wait()
            if tasks.run_next(name) is not None:
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
    assert Task.objects.get().claimed_by == won[0]

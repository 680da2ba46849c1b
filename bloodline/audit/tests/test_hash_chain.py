"""The audit trail is a hash chain: an edit, a deletion or a reordering made by someone who
lifted the append-only triggers is found by ``verify_audit`` (decision 0032)."""

from __future__ import annotations

import io
import itertools
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bloodline.accounts.system import system_actor
from bloodline.audit import guards
from bloodline.audit.chain import link, verify
from bloodline.audit.models import AuditEvent, ChainHead
from bloodline.audit.record import record, record_alone


def _events(n: int = 5) -> list[AuditEvent]:
    actor = system_actor()
    made = []
    for i in range(n):
        with transaction.atomic():
            made.append(
                record(by=actor, action="user.update", obj=actor, changes={"n": [i, i + 1]})
            )
    return made


def _in_threads(step: Any, threads: int = 3, steps: int = 10) -> list[BaseException]:
    """Run ``step(i)`` ``steps`` times in each of ``threads`` threads at once, each on its own
    connection; the errors they raised."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            for i in range(steps):
                step(i)
        except BaseException as exc:  # reported to the caller
            errors.append(exc)
        finally:
            connection.close()

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return errors


def _tamper(*sql: tuple[str, list[Any]]) -> None:
    guards.remove(connection)
    try:
        with connection.cursor() as cursor:
            for statement, params in sql:
                cursor.execute(statement, params)
    finally:
        guards.install(connection)


def _command() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_each_event_links_to_the_one_before_it():
    events = _events()
    stored = list(AuditEvent.objects.order_by("id"))
    assert [e.pk for e in stored][-5:] == [e.pk for e in events]
    for before, after in itertools.pairwise(stored):
        assert after.prev_hash == before.hash
    for event in stored:
        assert event.hash == link(event.prev_hash, event.canonical())
    head = ChainHead.objects.get(chain="main")
    assert (head.last_id, head.last_hash) == (stored[-1].pk, stored[-1].hash)
    assert verify().ok
    out, _ = _command()
    assert "audit trail intact" in out


@pytest.mark.django_db
def test_an_edited_event_is_named():
    events = _events()
    _tamper(("UPDATE audit_auditevent SET reason = 'tampered' WHERE id = %s", [events[2].pk]))
    result = verify()
    (broken,) = result.breaks
    assert (broken.chain, broken.event_id, broken.problem) == ("main", events[2].pk, "edited")
    with pytest.raises(CommandError):
        _command()


@pytest.mark.django_db
def test_an_edited_change_value_is_named():
    events = _events()
    _tamper(
        ("UPDATE audit_auditevent SET changes = %s WHERE id = %s", ['{"n": [0, 99]}', events[0].pk])
    )
    (broken,) = verify().breaks
    assert (broken.event_id, broken.problem) == (events[0].pk, "edited")


@pytest.mark.django_db
def test_a_deleted_event_is_named_by_the_one_after_it():
    events = _events()
    _tamper(("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk]))
    (broken,) = verify().breaks
    assert (broken.event_id, broken.problem) == (events[3].pk, "missing")


@pytest.mark.django_db
def test_a_deleted_last_event_is_named():
    events = _events()
    _tamper(("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk]))
    (broken,) = verify().breaks
    assert (broken.event_id, broken.problem) == (events[-1].pk, "missing")


@pytest.mark.django_db
def test_reordered_events_are_named():
    events = _events()
    a, b = events[1].pk, events[2].pk
    _tamper(
        ("UPDATE audit_auditevent SET id = -1 WHERE id = %s", [a]),
        ("UPDATE audit_auditevent SET id = %s WHERE id = %s", [a, b]),
        ("UPDATE audit_auditevent SET id = %s WHERE id = -1", [b]),
    )
    (broken,) = verify().breaks
    assert (broken.event_id, broken.problem) == (a, "reordered")
    with pytest.raises(CommandError):
        _command()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_share_a_predecessor(flushable_audit):
    actor = system_actor()

    def write(i: int) -> None:
        with transaction.atomic():
            record(by=actor, action="user.update", obj=actor, changes={"n": [i, i]})

    errors = _in_threads(write)
    if connection.vendor == "postgresql":
        assert not errors
    prevs = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prevs) == len(set(prevs))
    assert verify().ok


@pytest.mark.django_db
def test_events_cannot_be_bulk_inserted_past_the_chain():
    with pytest.raises(TypeError):
        AuditEvent.objects.bulk_create([AuditEvent(actor_label="x", action="x")])


@pytest.mark.django_db(transaction=True)
def test_an_event_outside_any_transaction_links_in_one_statement(flushable_audit):
    """A logged read (decision 0050): on PostgreSQL one statement, hashed by the database
    exactly as ``link`` hashes it, including text outside ASCII; threads reading at once
    never share a predecessor; writes in transactions link after them as before."""
    actor = system_actor()
    with transaction.atomic():
        record(by=actor, action="user.update", obj=actor, changes={"n": [0, 1]})
    with CaptureQueriesContext(connection) as one:
        alone = record_alone(
            by=actor, action="donor.read", obj=actor, changes={"đọc": [None, "trạm"]}
        )
    if connection.vendor == "postgresql":
        assert len(one) == 1, [q["sql"][:60] for q in one]
    stored = AuditEvent.objects.get(pk=alone.pk)
    assert stored.hash == alone.hash == link(stored.prev_hash, stored.canonical())
    assert stored.changes == {"đọc": [None, "trạm"]}

    def read(i: int) -> None:
        record_alone(by=actor, action="donor.read", obj=actor, changes={"n": [None, i]})

    errors = _in_threads(read)
    if connection.vendor == "postgresql":
        assert not errors
    with transaction.atomic():
        record(by=actor, action="user.update", obj=actor, changes={"n": [1, 2]})
    prevs = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prevs) == len(set(prevs))
    head = ChainHead.objects.get(chain="main")
    assert head.last_id == max(AuditEvent.objects.values_list("pk", flat=True))
    assert verify().ok

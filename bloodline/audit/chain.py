"""The audit hash chain (decision 0032): appending an event and verifying every chain.

Each event stores ``prev_hash`` (the hash of the event before it in its chain, ``""`` for the
first) and ``hash`` = SHA-256 of ``prev_hash`` followed by the event's canonical JSON (which
includes its id). An edit, a deletion or a reordering of rows — possible only for someone who
can lift the append-only triggers — breaks a link that ``verify()`` names.

One chain (``main``) holds every event for now; the ``chain`` column lets a later split (per
establishment) keep old events where they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import connections, router, transaction
from django.db.models import F, Model

from bloodline.audit.models import AuditEvent, ChainHead, canonical

MAIN = "main"
Problem = Literal["edited", "missing", "reordered"]


def link(prev_hash: str, text: str) -> str:
    """The hash of an event whose canonical text is ``text`` and whose predecessor's hash is
    ``prev_hash``."""
    return hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()


def _advance(db: str, key: str) -> tuple[str, int]:
    """Lock the chain's head and count the new event in one statement: the head's last id
    and hash, and on PostgreSQL the new event's id (taken while the head is locked). The
    head is created on a chain's first event."""
    connection = connections[db]
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    new_id = (
        ", nextval(pg_get_serial_sequence('audit_auditevent', 'id'))"
        if connection.vendor == "postgresql"
        else ""
    )
    sql = (
        f"UPDATE {table} SET length = length + 1 WHERE chain = %s "  # noqa: S608 - our table
        f"RETURNING last_id, last_hash{new_id}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
        if row is None:
            ChainHead.objects.using(db).get_or_create(chain=key)
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if new_id:
            return row[1], int(row[2])
        # SQLite: the UPDATE of the head already holds the database's write lock.
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM audit_auditevent")
        return row[1], max(int(cursor.fetchone()[0]), int(row[0])) + 1


def hold(using: str | None = None) -> None:
    """Take the main chain's head lock now, at the start of an action that locks other rows
    after it has recorded (allocation picks unit after unit). Taking the head first keeps the
    lock order the same in every such transaction, so two of them queue instead of
    deadlocking (one holding the head and waiting for a unit the other holds). Must run
    inside the action's transaction."""
    db = using or router.db_for_write(AuditEvent)
    if not connections[db].in_atomic_block:
        raise RuntimeError("the chain head is held inside the action's transaction")
    ChainHead.objects.using(db).get_or_create(chain=MAIN)
    ChainHead.objects.using(db).filter(chain=MAIN).update(length=F("length"))


def append(event: AuditEvent, *args: Any, **kwargs: Any) -> None:
    """Insert ``event`` at the end of its chain. The head row is locked by an UPDATE (a row
    lock on PostgreSQL, the write lock on SQLite) until the surrounding transaction ends, so
    concurrent writers link one after the other, never to the same predecessor."""
    db = kwargs.get("using") or router.db_for_write(AuditEvent)
    # Three statements (lock and count, insert, move the head), no savepoint of its own:
    # the event belongs to the action's transaction and fails with it (every logged read
    # pays this, decision 0046).
    with transaction.atomic(using=db, savepoint=False):
        key = event.chain or MAIN
        event.chain = key
        last_hash, event.pk = _advance(db, key)
        # Hash what the database will give back: JSON as stored, the time in UTC.
        event.changes = json.loads(json.dumps(event.changes))
        event.occurred_at = event.occurred_at.astimezone(dt.UTC)
        event.prev_hash = last_hash
        event.hash = link(last_hash, canonical(event))
        Model.save(event, force_insert=True, using=db)
        ChainHead.objects.using(db).filter(chain=key).update(last_id=event.pk, last_hash=event.hash)


# The canonical text of an event appended in one statement carries this in place of its id,
# which the database replaces once it has numbered the event under the head's lock. No id
# is negative, and a change's value is always a list: the text cannot hold it elsewhere.
_ID_MARK = '"id":-9191919191919191919'
_COLUMNS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "changes",
    "reason",
    "request_id",
    "chain",
)
# Lock the head, number the event, hash it, move the head and insert the event: one
# statement, so an event outside any transaction (a logged read) is one round trip and
# holds the head only while the statement runs. The hash is SHA-256 of the predecessor's
# hash, a newline and the canonical text, exactly as ``link`` computes it.
_ALONE = (
    "WITH prev AS (SELECT last_hash FROM audit_chainhead WHERE chain = %(chain)s FOR UPDATE), "
    "ev AS (SELECT nextval(pg_get_serial_sequence('audit_auditevent', 'id')) AS id, "
    "last_hash AS prev_hash FROM prev), "
    "hashed AS (SELECT id, prev_hash, encode(sha256(convert_to(prev_hash || E'\\n' || "
    "replace(%(text)s, %(mark)s, '\"id\":' || id::text), 'UTF8')), 'hex') AS hash FROM ev), "
    "moved AS (UPDATE audit_chainhead AS h SET length = h.length + 1, last_id = hashed.id, "
    "last_hash = hashed.hash FROM hashed WHERE h.chain = %(chain)s) "
    "INSERT INTO audit_auditevent (id, occurred_at, actor_id, actor_label, action, object_type, "
    "object_id, object_label, changes, reason, request_id, chain, prev_hash, hash) "
    "SELECT id, %(occurred_at)s, %(actor_id)s, %(actor_label)s, %(action)s, %(object_type)s, "
    "%(object_id)s, %(object_label)s, %(changes)s::jsonb, %(reason)s, %(request_id)s, "
    "%(chain)s, prev_hash, hash FROM hashed RETURNING id, prev_hash, hash"
)


def append_alone(event: AuditEvent) -> bool:
    """Append ``event`` in one statement of its own (PostgreSQL, outside any transaction, on
    a UTF-8 database whose chain has begun); ``False`` when it cannot, and the caller then
    appends it in a transaction of its own with ``save()``."""
    db = router.db_for_write(AuditEvent)
    connection = connections[db]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    connection.ensure_connection()
    if connection.connection.info.encoding.lower() not in ("utf8", "utf-8"):
        return False
    event.chain = event.chain or MAIN
    event.changes = json.loads(json.dumps(event.changes))
    event.occurred_at = event.occurred_at.astimezone(dt.UTC)
    event.pk = None
    text = canonical(event).replace('"id":null', _ID_MARK, 1)
    values = {name: getattr(event, name) for name in _COLUMNS}
    values["changes"] = json.dumps(event.changes)
    with connection.cursor() as cursor:
        cursor.execute(_ALONE, {**values, "text": text, "mark": _ID_MARK})
        row = cursor.fetchone()
    if row is None:  # the chain's first event: its head is made by the usual append
        return False
    event.pk, event.prev_hash, event.hash = int(row[0]), row[1], row[2]
    return True


@dataclass(frozen=True)
class Break:
    """The first broken link of a chain."""

    chain: str
    event_id: int
    problem: Problem
    detail: str

    def __str__(self) -> str:
        return f"chain {self.chain}: event {self.event_id} {self.problem} — {self.detail}"


@dataclass(frozen=True)
class Verification:
    """What ``verify()`` found: events checked per chain and the first break of each."""

    checked: dict[str, int] = field(default_factory=dict)
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def _verify_chain(key: str, db: str) -> tuple[int, Break | None]:
    events = AuditEvent.objects.using(db).filter(chain=key).order_by("id")
    prev_hash, count = "", 0
    for event in events.iterator(chunk_size=2000):
        count += 1
        if event.prev_hash != prev_hash:
            other = (
                AuditEvent.objects.using(db)
                .filter(chain=key, hash=event.prev_hash)
                .exclude(pk=event.pk)
                .values_list("pk", flat=True)
                .first()
            )
            if other is not None and event.prev_hash:
                return count, Break(
                    key,
                    event.pk,
                    "reordered",
                    f"it follows event {other}, which is not the event before it",
                )
            return count, Break(
                key,
                event.pk,
                "missing",
                "the event it follows is not in the trail (deleted, or edited and rehashed)",
            )
        if link(event.prev_hash, canonical(event)) != event.hash:
            return count, Break(key, event.pk, "edited", "its content no longer matches its hash")
        prev_hash = event.hash
    head = ChainHead.objects.using(db).filter(chain=key).first()
    if head is not None and head.last_hash != prev_hash:
        return count, Break(
            key,
            head.last_id,
            "missing",
            "the last event of the chain is not in the trail (deleted at the end)",
        )
    return count, None


def verify(using: str = "default") -> Verification:
    """Recompute every chain. The backup/restore drill calls this after a restore."""
    keys = set(AuditEvent.objects.using(using).values_list("chain", flat=True).distinct())
    keys |= set(ChainHead.objects.using(using).values_list("chain", flat=True))
    result = Verification()
    for key in sorted(keys):
        count, broken = _verify_chain(key, using)
        result.checked[key] = count
        if broken is not None:
            result.breaks.append(broken)
    return result

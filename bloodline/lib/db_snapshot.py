"""Test support: build a fixture's rows once per test process, then copy them in (decision 0046).

The demo programme (``seed()``) costs about a thousand ORM queries — half a second — and some
1,500 tests ask for it. ``Snapshot.take`` runs the builder for real the first time, inside the
test's transaction, and records what it changed: every row it inserted or updated, read back
table by table. Later tests get the same rows with one ``executemany`` per table and a copy
of the builder's result (model instances with the same keys), instead of the thousand queries.

The copy is only used when it is the same as building would be:

- the database holds none of the recorded keys and every row the builder updated still reads
  as it did before (so the audit chain head, say, links the copied events exactly);
- the clock is the real one (a test that fakes time builds for real, at its own time) and the
  recording is less than ``MAX_AGE`` old, so dates such as "today" and "a year ago" agree;
- the copy goes in inside a savepoint; any database error rolls it back and the builder runs.

Anything else falls back to running the builder, which is always correct, only slower.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

# A recording older than this is taken again: the rows carry the time they were made.
MAX_AGE = 120.0
# How far ``timezone.now()`` may be from the real clock before we assume a faked one.
CLOCK_SLACK = dt.timedelta(seconds=2)
# PostgreSQL type oids whose values come back as Python objects but go in as JSON.
_JSON_OIDS = {114, 3802}

Row = tuple[Any, ...]


@dataclass
class _Table:
    name: str
    columns: list[str]
    pk: str
    json_columns: set[int]
    inserted: list[Row]
    updated: list[tuple[Row, Row]]  # (before, after)


@dataclass
class _Recording:
    tables: list[_Table]
    result: Any
    taken: float  # time.monotonic()
    day: dt.date
    generation: int


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


_Read = tuple[list[str], str | None, set[int], dict[Any, Row]]


def _read_all() -> dict[str, _Read]:
    """Every table's rows by primary key (a table without a one-column key: by position)."""
    found: dict[str, _Read] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            keys = connection.introspection.get_primary_key_columns(cursor, table) or []
            cursor.execute(f"SELECT * FROM {_quote(table)}")  # noqa: S608 - introspected names
            columns = [d[0] for d in cursor.description]
            json_columns = {
                i
                for i, d in enumerate(cursor.description)
                if getattr(d, "type_code", None) in _JSON_OIDS
            }
            rows = cursor.fetchall()
            if len(keys) != 1:
                found[table] = (
                    columns,
                    None,
                    json_columns,
                    {i: tuple(r) for i, r in enumerate(rows)},
                )
                continue
            at = columns.index(keys[0])
            found[table] = (columns, keys[0], json_columns, {r[at]: tuple(r) for r in rows})
    return found


def _diff(before: dict[str, Any], after: dict[str, Any]) -> list[_Table] | None:
    """What the builder changed, or None if it did something a copy cannot repeat (deleted a
    row, touched a table without a one-column primary key)."""
    tables = []
    for name, (columns, pk, json_columns, rows) in after.items():
        old = before.get(name, (columns, pk, json_columns, {}))[3]
        if rows == old:
            continue
        if pk is None or old.keys() - rows.keys():
            return None
        inserted = [rows[k] for k in rows.keys() - old.keys()]
        updated = [(old[k], rows[k]) for k in rows.keys() & old.keys() if old[k] != rows[k]]
        tables.append(_Table(name, columns, pk, json_columns, inserted, updated))
    return tables


def _real_clock() -> bool:
    return abs(timezone.now() - dt.datetime.now(dt.UTC)) <= CLOCK_SLACK


def _adapt(table: _Table, row: Row) -> Row:
    if not table.json_columns:
        return row
    from psycopg.types.json import Jsonb

    def value(i: int, v: Any) -> Any:
        if i not in table.json_columns or v is None:
            return v
        # Django reads JSON columns as text and decodes them itself; psycopg may have too.
        return Jsonb(json.loads(v) if isinstance(v, str) else v)

    return tuple(value(i, v) for i, v in enumerate(row))


class Snapshot:
    """One recorded builder per key, for this process."""

    def __init__(self) -> None:
        self._recordings: dict[Hashable, _Recording] = {}
        self._generation = 0

    def take(self, key: Hashable, build: Callable[[], Any]) -> tuple[Any, int | None]:
        """The builder's result and the generation of the rows it stands for (None when the
        builder ran without being recorded). Must run inside a transaction or autocommit."""
        recording = self._recordings.get(key)
        day = timezone.localdate()
        if not _real_clock():
            return build(), None
        if recording and time.monotonic() - recording.taken < MAX_AGE and recording.day == day:
            if self._copy_in(recording):
                return copy.deepcopy(recording.result), recording.generation
            return build(), None
        return self._record(key, build, day)

    def _record(
        self, key: Hashable, build: Callable[[], Any], day: dt.date
    ) -> tuple[Any, int | None]:
        before = _read_all()
        result = build()
        tables = _diff(before, _read_all())
        if tables is None:
            self._recordings.pop(key, None)
            return result, None
        self._generation += 1
        self._recordings[key] = _Recording(
            tables, copy.deepcopy(result), time.monotonic(), day, self._generation
        )
        return result, self._generation

    def _copy_in(self, recording: _Recording) -> bool:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for table in recording.tables:
                    if not self._unchanged(cursor, table):
                        raise _Differs
                for table in recording.tables:
                    self._write(cursor, table)
        except (_Differs, DatabaseError):
            return False
        return True

    @staticmethod
    def _unchanged(cursor: Any, table: _Table) -> bool:
        """None of the recorded keys is taken and every updated row reads as before."""
        name, pk = _quote(table.name), _quote(table.pk)
        at = table.columns.index(table.pk)
        keys = [r[at] for r in table.inserted]
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT 1 FROM {name} WHERE {pk} IN ({marks}) LIMIT 1", chunk)  # noqa: S608
            if cursor.fetchone():
                return False
        for before, _after in table.updated:
            cursor.execute(f"SELECT * FROM {name} WHERE {pk} = %s", [before[at]])  # noqa: S608
            now = cursor.fetchone()
            if now is None or tuple(now) != before:
                return False
        return True

    @staticmethod
    def _write(cursor: Any, table: _Table) -> None:
        name, pk = _quote(table.name), _quote(table.pk)
        columns = ", ".join(_quote(c) for c in table.columns)
        marks = ", ".join(["%s"] * len(table.columns))
        if table.inserted:
            cursor.executemany(
                f"INSERT INTO {name} ({columns}) VALUES ({marks})",  # noqa: S608
                [_adapt(table, r) for r in table.inserted],
            )
        at = table.columns.index(table.pk)
        sets = ", ".join(f"{_quote(c)} = %s" for c in table.columns)
        for _before, after in table.updated:
            cursor.execute(
                f"UPDATE {name} SET {sets} WHERE {pk} = %s",  # noqa: S608
                [*_adapt(table, after), after[at]],
            )
        if connection.vendor == "postgresql" and table.inserted:
            # Keys went in explicitly: move the key sequence past them (never back).
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [table.name, table.pk],
            )
            (sequence,) = cursor.fetchone()
            if sequence:
                cursor.execute(
                    f"SELECT setval(%s, GREATEST((SELECT MAX({pk}) FROM {name}),"  # noqa: S608
                    f" (SELECT last_value FROM {sequence})))",
                    [sequence],
                )


class _Differs(Exception):
    pass


snapshots = Snapshot()

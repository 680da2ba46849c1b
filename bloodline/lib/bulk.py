"""Inserting many rows at once: PostgreSQL ``COPY``, ``bulk_create`` elsewhere.

Both paths compute each column the way a save does (``pre_save`` then ``get_db_prep_save``):
blind indexes are digested and encrypted fields encrypted (decision 0033), ``auto_now_add``
times set. A bulk path that skipped them would leave numbers and phones unfindable.

On PostgreSQL the primary keys are taken from the table's sequence first, so the caller knows
them (``COPY`` returns nothing) and can refer to the new rows at once; the rows go in with
``COPY … FROM STDIN`` in the caller's transaction.
"""

from __future__ import annotations

import operator
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from types import TracebackType
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models

from bloodline.lib.crypto import BlindIndexField

BATCH = 1000


def _reserve_ids(model: type[models.Model], n: int) -> list[int]:
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, n],
        )
        return [row[0] for row in cursor.fetchall()]


# Field classes whose database value on PostgreSQL is the Python value ``pre_save`` gives
# (psycopg adapts it), so their ``get_db_prep_save`` is skipped, the costliest step of a
# bulk load. Exact classes only: a subclass (an encrypted field…) may prepare its value.
# A blind index is its digest, a plain string, once ``pre_save`` computed it.
_AS_IS = (
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DateTimeField,
    models.ForeignKey,
    models.IntegerField,
    models.PositiveBigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.TextField,
    models.UUIDField,
    BlindIndexField,
)


def _prepare(field: Any) -> Callable[[models.Model], Any]:
    if type(field) in _AS_IS:
        return lambda obj: field.pre_save(obj, True)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection=connection)


def _copy(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    fields = list(model._meta.concrete_fields)
    for obj, pk in zip(objects, _reserve_ids(model, len(objects)), strict=True):
        obj.pk = pk
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    prepared = [_prepare(f) for f in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objects:
            copy.write_row([prepare(obj) for prepare in prepared])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert(model: type[models.Model], objects: Sequence[Any]) -> None:
    """Insert ``objects`` (unsaved instances of ``model``) and set their primary keys. Must run
    inside the caller's transaction; nothing is committed here."""
    if not objects:
        return
    if connection.vendor == "postgresql":
        _copy(model, objects)
    else:
        model._default_manager.bulk_create(objects, batch_size=BATCH)


class AnyOf(models.lookups.In):
    """``field IN (values)`` for many values: on PostgreSQL ``field = ANY(%s)`` with the values
    as ONE array parameter, instead of one placeholder per value that Django joins and psycopg
    splits again (a fifth of a registry import's query time for 2,000 DINs). Same rows, same
    index; elsewhere the ordinary ``IN``. Used as an expression: ``filter(AnyOf(F("din"), dins))``.
    """

    lookup_name = "any_of"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        if self.rhs_is_direct_value():
            values = [v for v in self.rhs if v is not None]
            if not values:
                raise EmptyResultSet
            lhs, params = self.process_lhs(compiler, connection)
            return f"{lhs} = ANY(%s)", [*params, values]
        return self.as_sql(compiler, connection)


_MISSING = object()
# ``pre_save`` of these classes, on a new row, gives the attribute as set (base ``Field``),
# or the time for ``auto_now``/``auto_now_add``, or the blind index: handled in ``_column``.
_PLAIN_PRE_SAVE = models.Field.pre_save


def _column(field: Any, now: Any) -> Callable[[dict[str, Any]], Any]:
    """How one column of a new row is computed from ``{attname: value}``, as a save of a new
    instance computes it: the value given or the field's default, ``auto_now(_add)`` times,
    blind indexes from their source, then ``get_db_prep_save`` (which encrypts)."""
    attname = field.attname
    if isinstance(field, BlindIndexField):
        source, digest = field.source, field.digest
        return lambda row: digest(row.get(source) or "")
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = field.get_db_prep_save(now, connection=connection)
        return lambda row: value
    if type(field).pre_save is not _PLAIN_PRE_SAVE and not isinstance(
        field, models.DateField | models.DateTimeField
    ):
        raise TypeError(f"{field} computes its value on save: insert instances instead.")
    default = field.get_default
    if type(field) in _AS_IS:

        def as_is(row: dict[str, Any]) -> Any:
            value = row.get(attname, _MISSING)
            return default() if value is _MISSING else value

        return as_is

    def prepared(row: dict[str, Any]) -> Any:
        value = row.get(attname, _MISSING)
        if value is _MISSING:
            value = default()
        return field.get_db_prep_save(value, connection=connection)

    return prepared


def _per_row(field: Any) -> bool:
    """A column computed anew for each row: a blind index, a callable default, a time."""
    return (
        isinstance(field, BlindIndexField)
        or (field.has_default() and callable(field.default))
        or getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
    )


# uuid4 sets these bits of random bytes (RFC 4122 version 4, variant 10): as tables for
# ``bytes.translate``, applied to the 7th and 9th byte of every 16.
_VERSION_4 = bytes((b & 0x0F) | 0x40 for b in range(256))
_VARIANT = bytes((b & 0x3F) | 0x80 for b in range(256))


def uuid4_texts(n: int) -> list[str]:
    """``n`` random version 4 UUIDs, what ``uuid.uuid4()`` gives (16 bytes of ``os.urandom``
    with the version and variant bits set), as the 32 hex digits PostgreSQL reads: one
    ``urandom`` call and no ``UUID`` object per row."""
    data = bytearray(os.urandom(16 * n))
    data[6::16] = data[6::16].translate(_VERSION_4)
    data[8::16] = data[8::16].translate(_VARIANT)
    text = data.hex()
    return [text[i : i + 32] for i in range(0, 32 * n, 32)]


def _random_uuid(field: Any) -> bool:
    return isinstance(field, models.UUIDField) and field.default is uuid.uuid4


def _plan(
    fields: list[Any], given: set[str], now: Any
) -> tuple[
    list[Any],
    Callable[[dict[str, Any]], tuple[Any, ...]],
    list[Callable[..., Any]],
    int,
    tuple,
]:
    """For rows that all give the same attributes: the column order, one C-level getter of
    the values given as they are, the per-row computations, how many random UUID columns
    follow them (made in one go by ``uuid4_texts``), and the constant defaults."""
    plain, computed, uuids, constant = [], [], [], []
    for field in fields:
        column = _column(field, now)
        if field.attname in given and type(field) in _AS_IS:
            plain.append(field)
        elif field.attname not in given and _random_uuid(field):
            uuids.append(field)
        elif field.attname in given or _per_row(field):
            computed.append((field, column))
        else:  # a constant default: computed once, prepared once
            constant.append((field, column({})))
    order = plain + [f for f, _c in computed] + uuids + [f for f, _v in constant]
    names = [f.attname for f in plain]
    if len(names) == 1:
        only = names[0]
        get: Callable[[dict[str, Any]], tuple[Any, ...]] = lambda row: (row[only],)  # noqa: E731
    elif names:
        get = operator.itemgetter(*names)
    else:
        get = lambda row: ()  # noqa: E731
    return order, get, [c for _f, c in computed], len(uuids), tuple(v for _f, v in constant)


class Overlap:
    """Lets PostgreSQL write a COPY's rows while Python goes on (decision 0045, Speed).

    Inside ``with bulk.Overlap() as overlap:``, ``insert_values(…, overlap=overlap)`` sends
    every row and returns at once: the server may still be inserting them and updating the
    indexes while the caller reads and checks its next rows. The COPY is finished (and its
    error, if any, raised) before the next statement on the connection: any query through
    Django waits for it first (a connection execute wrapper), so a read never misses rows
    and nothing runs on the connection in the middle of a COPY. Leaving the block finishes
    the last COPY, or cancels it when the block raised. Same connection, same transaction:
    an error still rolls everything back.
    """

    def __init__(self) -> None:
        self._copy: ExitStack | None = None
        self._wrapper: Any = None

    def __enter__(self) -> Overlap:
        self._wrapper = connection.execute_wrapper(self._before_query)
        self._wrapper.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            copy, self._copy = self._copy, None
            if copy is not None:
                copy.__exit__(kind, error, trace)  # cancels the COPY when the block raised
        finally:
            self._wrapper.__exit__(kind, error, trace)

    def _before_query(self, execute: Callable[..., Any], *args: Any) -> Any:
        self.wait()
        return execute(*args)

    def wait(self) -> None:
        """Finish the COPY in flight: returns when the server has written its rows."""
        copy, self._copy = self._copy, None
        if copy is not None:
            copy.close()

    @property
    def pending(self) -> bool:
        """A COPY is in flight."""
        return self._copy is not None

    def _hold(self, copy: ExitStack) -> None:
        self._copy = copy


def insert_values(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    keys: bool = True,
    overlap: Overlap | None = None,
) -> list[int]:
    """Insert new rows given as ``{attname: value}`` without building model instances (the
    costliest part of a bulk load) and return their primary keys, in order (none when
    ``keys`` is False: the database numbers the rows itself, one round trip less). Every
    column not given is computed as a save of a new instance computes it: default,
    ``auto_now_add``, blind index, encryption. Must run inside the caller's transaction.
    With ``overlap`` (PostgreSQL), returns once the rows are sent: see ``Overlap``."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = [model(**row) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=BATCH)
        return [obj.pk for obj in objects] if keys else []
    from django.utils import timezone

    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    now = timezone.now()
    ids = _reserve_ids(model, len(rows)) if keys else []
    quote = connection.ops.quote_name
    given = rows[0].keys()
    if all(row.keys() == given for row in rows):
        order, get, computed, uuids, constant = _plan(fields, set(given), now)
        made = [uuid4_texts(len(rows)) for _ in range(uuids)]
        extra = zip(*made, strict=True) if made else iter(lambda: (), None)
        make = lambda row: (  # noqa: E731
            *get(row),
            *[c(row) for c in computed],
            *next(extra),
            *constant,
        )
    else:
        order, columns = fields, [_column(f, now) for f in fields]
        make = lambda row: tuple([c(row) for c in columns])  # noqa: E731
    names = ", ".join(quote(f.column) for f in ([pk, *order] if keys else order))
    statement = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    values: Iterable[tuple[Any, ...]]
    if keys:
        values = ((row_id, *make(row)) for row_id, row in zip(ids, rows, strict=True))
    else:
        values = map(make, rows)
    if overlap is not None and overlap.pending:
        # One COPY at a time: the rows are computed while the previous one is written.
        values = list(values)
        overlap.wait()
    # Otherwise computed as they are sent: the server inserts the first while the next
    # are computed.
    with ExitStack() as stack:
        copy = stack.enter_context(stack.enter_context(connection.cursor()).cursor.copy(statement))
        for value in values:
            copy.write_row(value)
        if overlap is not None:
            overlap._hold(stack.pop_all())  # finished by the next query or the block's end
    return ids

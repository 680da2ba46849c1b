"""Inserting many rows at once: PostgreSQL ``COPY``, ``bulk_create`` elsewhere.

Both paths compute each column the way a save does (``pre_save`` then ``get_db_prep_save``):
blind indexes are digested and encrypted fields encrypted (decision 0033), ``auto_now_add``
times set. A bulk path that skipped them would leave numbers and phones unfindable.

On PostgreSQL the primary keys are taken from the table's sequence first, so the caller knows
them (``COPY`` returns nothing) and can refer to the new rows at once; the rows go in with
``COPY … FROM STDIN`` in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

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

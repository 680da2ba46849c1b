"""Closing means closed (decision 0022): once a drive is reconciled, its records —
registrations, presentations, donations, voided numbers, pre-printed label sets and resolved
mismatches — refuse every insert, update and delete in the database, from any writer (raw
SQL, the admin, a careless bulk update). Reopening the drive (closing.reopen_drive) is the
only way to change them again. The actions refuse first, with a translated message; these
triggers are the floor under them.

One update passes: a donor merge, which moves a row to the surviving donor record and changes
nothing else (donors.actions.merge_donors). PostgreSQL compares the whole row minus
``donor_id``; SQLite compares the columns the table has when the triggers are installed.

Installed after every migrate and flush (post_migrate, see DrivesConfig.ready) rather than in
a migration, because SQLite drops a table's triggers whenever a migration rebuilds the table
(and the column list must follow the table). Idempotent.
"""

from __future__ import annotations

from typing import Any

LOCKED_TABLES = (
    "drives_registration",
    "drives_voideddin",
    "drives_labelset",
    "drives_mismatchresolution",
    "screening_presentation",
    "collection_donation",
)
OPERATIONS = ("insert", "update", "delete")
MESSAGE = "records of a reconciled drive are locked"
_RECONCILED = (
    "EXISTS (SELECT 1 FROM drives_drive d WHERE d.id = {row}.drive_id AND d.status = 'reconciled')"
)

POSTGRES_FUNCTION = f"""CREATE OR REPLACE FUNCTION reconciled_drive_lock() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'donor_id') = (to_jsonb(OLD) - 'donor_id') THEN
        RETURN NEW;
      END IF;
      IF (TG_OP <> 'INSERT' AND {_RECONCILED.format(row="OLD")})
         OR (TG_OP <> 'DELETE' AND {_RECONCILED.format(row="NEW")}) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$"""


def _postgres(table: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE TRIGGER {table}_reconciled
            BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION reconciled_drive_lock()"""
    ]


def _sqlite(table: str, columns: list[str]) -> list[str]:
    unchanged = " AND ".join(f'OLD."{c}" IS NEW."{c}"' for c in columns if c != "donor_id")
    raise_it = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    return [
        *(
            f"DROP TRIGGER IF EXISTS {table}_reconciled_{op}"
            for op in ("insert", "update", "delete")
        ),
        f"""CREATE TRIGGER {table}_reconciled_insert BEFORE INSERT ON {table}
            WHEN {_RECONCILED.format(row="NEW")} {raise_it}""",
        f"""CREATE TRIGGER {table}_reconciled_update BEFORE UPDATE ON {table}
            WHEN ({_RECONCILED.format(row="OLD")} OR {_RECONCILED.format(row="NEW")})
             AND NOT ({unchanged}) {raise_it}""",
        f"""CREATE TRIGGER {table}_reconciled_delete BEFORE DELETE ON {table}
            WHEN {_RECONCILED.format(row="OLD")} {raise_it}""",
    ]


def install_all(connection: Any) -> None:
    tables = set(connection.introspection.table_names())
    if "drives_drive" not in tables:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
        for table in LOCKED_TABLES:
            if table not in tables:
                continue
            if connection.vendor == "postgresql":
                statements = _postgres(table)
            else:
                described = connection.introspection.get_table_description(cursor, table)
                statements = _sqlite(table, [c.name for c in described])
            for sql in statements:
                cursor.execute(sql)


def remove_all(connection: Any) -> None:
    """For tests whose database Django empties afterwards (threads, live server) only."""
    with connection.cursor() as cursor:
        for table in LOCKED_TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_reconciled ON {table}")
            else:
                for op in OPERATIONS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_reconciled_{op}")

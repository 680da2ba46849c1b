"""Tables whose rows are never deleted (test results, unsafe donations): triggers refusing
DELETE (and TRUNCATE on PostgreSQL).

Installed after every migrate and every flush (post_migrate, see the apps' ``ready``), so
they are in place on every database. ``remove`` exists only for tests whose database Django
empties afterwards (live server, threads); production code never calls it.
"""

from __future__ import annotations

from typing import Any


def install(connection: Any, table: str) -> None:
    message = f"rows of {table} are never deleted"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""CREATE OR REPLACE FUNCTION {table}_kept() RETURNS trigger
                    LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation'; END $$"""
            )
            cursor.execute(
                f"""CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION {table}_kept()"""
            )
            cursor.execute(
                f"""CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION {table}_kept()"""
            )
        else:
            cursor.execute(
                f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
                    BEGIN SELECT RAISE(ABORT, '{message}'); END"""
            )


def remove(connection: Any, table: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {table}_kept()")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


KEPT = (
    "lab_testresult",
    "inventory_unsafedonation",
    "inventory_processingevent",
    "inventory_lookbackhold",
)


def install_all(connection: Any) -> None:
    tables = set(connection.introspection.table_names())
    for table in KEPT:
        if table in tables:
            install(connection, table)


def remove_all(connection: Any) -> None:
    for table in KEPT:
        remove(connection, table)

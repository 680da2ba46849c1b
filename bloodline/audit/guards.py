"""Database triggers that make the audit table append-only (QUALITY.md T4).

Installed by migration 0001. ``remove`` exists only so a test database that must be emptied
between browser tests can be; production code never calls it, and in production the
application's database role should also lack DELETE and TRUNCATE on the table.
"""

from __future__ import annotations

from typing import Any

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$""",
    """CREATE OR REPLACE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE
       ON audit_auditevent FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE OR REPLACE TRIGGER audit_event_no_truncate BEFORE TRUNCATE
       ON audit_auditevent FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
]


def install(connection: Any) -> None:
    statements = POSTGRES if connection.vendor == "postgresql" else SQLITE
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent")
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent")
            cursor.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")

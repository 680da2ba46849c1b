# Reopening a reconciled drive (decision 0022): the drive status guard of 0002 is replaced to
# allow reconciled → closed, which only closing.reopen_drive asks for (with a reason).
# The lock on a reconciled drive's records is bloodline.drives.locks, installed after every
# migrate and flush, because SQLite drops a table's triggers whenever a migration rebuilds it.
# The SQL is written out here so the migration keeps meaning what it meant when it ran.

from django.db import migrations

ALLOWED = [
    ("proposed", "confirmed"),
    ("proposed", "cancelled"),
    ("confirmed", "running"),
    ("confirmed", "cancelled"),
    ("running", "closed"),
    ("closed", "reconciled"),
    ("reconciled", "closed"),
]
_PAIRS = " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in ALLOWED)
STATUS_MESSAGE = "drive status change not allowed"


SQLITE_SQL = [
    "DROP TRIGGER IF EXISTS drive_status_transition",
    f"""CREATE TRIGGER drive_status_transition
        BEFORE UPDATE OF status ON drives_drive
        WHEN OLD.status <> NEW.status AND NOT ({_PAIRS})
        BEGIN SELECT RAISE(ABORT, '{STATUS_MESSAGE}'); END""",
]
POSTGRES_SQL = [
    f"""CREATE OR REPLACE FUNCTION drive_status_transition() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.status <> NEW.status AND NOT ({_PAIRS}) THEN
            RAISE EXCEPTION '{STATUS_MESSAGE}' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$""",
]


def add_guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_SQL if vendor == "postgresql" else SQLITE_SQL:
        schema_editor.execute(sql)


def drop_guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    old = [p for p in ALLOWED if p != ("reconciled", "closed")]
    pairs = " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in old)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"""CREATE OR REPLACE FUNCTION drive_status_transition() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                  IF OLD.status <> NEW.status AND NOT ({pairs}) THEN
                    RAISE EXCEPTION '{STATUS_MESSAGE}' USING ERRCODE = 'check_violation';
                  END IF;
                  RETURN NEW;
                END $$"""
        )
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS drive_status_transition")
    schema_editor.execute(
        f"""CREATE TRIGGER drive_status_transition
            BEFORE UPDATE OF status ON drives_drive
            WHEN OLD.status <> NEW.status AND NOT ({pairs})
            BEGIN SELECT RAISE(ABORT, '{STATUS_MESSAGE}'); END"""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("drives", "0004_label_sets_and_resolutions"),
    ]

    operations = [migrations.RunPython(add_guard, drop_guard)]

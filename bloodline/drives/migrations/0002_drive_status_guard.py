# A drive's status may only move along DRIVE_TRANSITIONS (models.py), even for writers that
# bypass the actions (raw SQL, a careless bulk update). The allowed pairs are written out here
# rather than imported, so this migration keeps meaning what it meant when it ran.

from django.db import migrations

ALLOWED = [
    ("proposed", "confirmed"),
    ("proposed", "cancelled"),
    ("confirmed", "running"),
    ("confirmed", "cancelled"),
    ("running", "closed"),
    ("closed", "reconciled"),
]
_PAIRS = " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in ALLOWED)
MESSAGE = "drive status change not allowed"

SQLITE_SQL = [
    f"""CREATE TRIGGER drive_status_transition
        BEFORE UPDATE OF status ON drives_drive
        WHEN OLD.status <> NEW.status AND NOT ({_PAIRS})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
POSTGRES_SQL = [
    f"""CREATE FUNCTION drive_status_transition() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.status <> NEW.status AND NOT ({_PAIRS}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER drive_status_transition
       BEFORE UPDATE OF status ON drives_drive
       FOR EACH ROW EXECUTE FUNCTION drive_status_transition()""",
]


def add_guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_SQL if vendor == "postgresql" else SQLITE_SQL:
        schema_editor.execute(sql)


def drop_guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS drive_status_transition ON drives_drive")
        schema_editor.execute("DROP FUNCTION IF EXISTS drive_status_transition()")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS drive_status_transition")


class Migration(migrations.Migration):
    dependencies = [
        ("drives", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_guard, drop_guard)]

# An order's status may only move along ORDER_TRANSITIONS (models.py, derived from the order
# state table ORDER_STEPS), even for writers that bypass the actions (raw SQL, a careless bulk
# update). The allowed pairs are written out here rather than imported, so this migration keeps
# meaning what it meant when it ran.

from django.db import migrations

ALLOWED = [
    ("placed", "dispatched"),
    ("placed", "cancelled"),
    ("dispatched", "received"),
]
_PAIRS = " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in ALLOWED)
MESSAGE = "order status change not allowed"

SQLITE_SQL = [
    f"""CREATE TRIGGER order_status_transition
        BEFORE UPDATE OF status ON distribution_order
        WHEN OLD.status <> NEW.status AND NOT ({_PAIRS})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
POSTGRES_SQL = [
    f"""CREATE FUNCTION order_status_transition() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.status <> NEW.status AND NOT ({_PAIRS}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER order_status_transition
       BEFORE UPDATE OF status ON distribution_order
       FOR EACH ROW EXECUTE FUNCTION order_status_transition()""",
]


def add_guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_SQL if vendor == "postgresql" else SQLITE_SQL:
        schema_editor.execute(sql)


def drop_guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS order_status_transition ON distribution_order")
        schema_editor.execute("DROP FUNCTION IF EXISTS order_status_transition()")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS order_status_transition")


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0004_allocation_rhd_guard"),
    ]

    operations = [migrations.RunPython(add_guard, drop_guard)]

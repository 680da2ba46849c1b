# Facts on a component that the database keeps even against writers that bypass the
# actions (raw SQL, a careless bulk update), safety.md §3:
# - release, unsafe, discard and transfusion are never undone;
# - a unit is issued only if it is released, checked into stock, not unsafe, not from an
#   unsafe donation, not discarded and unexpired at that moment (QUALITY T1);
# - an unsafe donation is never changed (deletion is refused by bloodline.lib.kept_rows).
# The SQL is written out here so the migration keeps meaning what it meant when it ran.

from django.db import migrations

LATCHES = ["released_at", "unsafe_at", "discarded_at", "transfused_at"]
UNDONE = " OR ".join(f"(OLD.{c} IS NOT NULL AND NEW.{c} IS NULL)" for c in LATCHES)
ISSUE_BAD = """(NEW.released_at IS NULL OR NEW.stocked_at IS NULL OR NEW.unsafe_at IS NOT NULL
     OR NEW.discarded_at IS NOT NULL OR NEW.expires_at <= {now}
     OR EXISTS (SELECT 1 FROM inventory_unsafedonation u WHERE u.donation_id = NEW.donation_id))"""
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

SQLITE_SQL = [
    f"""CREATE TRIGGER component_facts_kept BEFORE UPDATE ON inventory_component
        WHEN {UNDONE}
        BEGIN SELECT RAISE(ABORT, 'component facts are never undone'); END""",
    f"""CREATE TRIGGER component_issue_gate BEFORE UPDATE OF issued_at ON inventory_component
        WHEN OLD.issued_at IS NULL AND NEW.issued_at IS NOT NULL
         AND {ISSUE_BAD.format(now=SQLITE_NOW)}
        BEGIN SELECT RAISE(ABORT, 'component does not pass the issue gate'); END""",
    f"""CREATE TRIGGER component_issue_gate_insert BEFORE INSERT ON inventory_component
        WHEN NEW.issued_at IS NOT NULL AND {ISSUE_BAD.format(now=SQLITE_NOW)}
        BEGIN SELECT RAISE(ABORT, 'component does not pass the issue gate'); END""",
    """CREATE TRIGGER unsafe_donation_fixed BEFORE UPDATE ON inventory_unsafedonation
        BEGIN SELECT RAISE(ABORT, 'an unsafe donation is never removed'); END""",
]
POSTGRES_SQL = [
    f"""CREATE FUNCTION component_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND ({UNDONE}) THEN
            RAISE EXCEPTION 'component facts are never undone' USING ERRCODE = 'check_violation';
          END IF;
          IF NEW.issued_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.issued_at IS NULL)
             AND {ISSUE_BAD.format(now="clock_timestamp()")} THEN
            RAISE EXCEPTION 'component does not pass the issue gate'
              USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER component_guard BEFORE INSERT OR UPDATE ON inventory_component
       FOR EACH ROW EXECUTE FUNCTION component_guard()""",
    """CREATE FUNCTION unsafe_donation_kept() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'an unsafe donation is never removed' USING ERRCODE = 'check_violation';
        END $$""",
    """CREATE TRIGGER unsafe_donation_kept BEFORE UPDATE ON inventory_unsafedonation
       FOR EACH ROW EXECUTE FUNCTION unsafe_donation_kept()""",
]


def add_guards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_SQL if vendor == "postgresql" else SQLITE_SQL:
        schema_editor.execute(sql)


def drop_guards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS component_guard ON inventory_component")
        schema_editor.execute("DROP FUNCTION IF EXISTS component_guard()")
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS unsafe_donation_kept ON inventory_unsafedonation"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS unsafe_donation_kept()")
    else:
        for name in (
            "component_facts_kept",
            "component_issue_gate",
            "component_issue_gate_insert",
            "unsafe_donation_kept",
            "unsafe_donation_fixed",
        ):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(add_guards, drop_guards)]

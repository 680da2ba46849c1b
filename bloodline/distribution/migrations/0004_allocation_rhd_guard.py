# The part of components.md §5.4 the database can keep without the rule set's age limits, even
# against writers that bypass the actions (decision 0017). An allocation of an RhD-positive unit
# to an order line whose recipient is RhD-negative (or of unknown RhD type) is refused when:
# - red cells, whole blood or granulocytes: the line has no signed emergency release, and does
#   not accept them in shortage for a recipient of stated sex and age with neither anti-D nor
#   chronic transfusion [S63];
# - platelets: the line has no anti-D prophylaxis flag and its recipient may bear children as
#   far as the row alone tells (not declared otherwise, not a man, and of unknown age) [S65].
# The age limits themselves are rule data, applied by bloodline.distribution.compatibility;
# the guard is never stricter than the application, so it never refuses what the rules allow.
# The SQL is written out here so the migration keeps meaning what it meant when it ran.

from django.db import migrations

BAD = """EXISTS (
  SELECT 1 FROM distribution_orderline l, inventory_component c
   WHERE l.id = NEW.line_id AND c.id = NEW.component_id
     AND c.rhd = 'pos' AND l.rhd IN ('neg', '')
     AND (
       (l.component_kind IN ('red_cells', 'whole_blood', 'granulocytes')
        AND l.emergency_signed_at IS NULL
        AND NOT (l.allow_rhd_shortage AND l.recipient_sex <> '' AND l.recipient_age IS NOT NULL
                 AND NOT l.anti_d AND NOT l.chronically_transfused))
       OR
       (l.component_kind = 'platelets' AND NOT l.anti_d_prophylaxis
        AND NOT (COALESCE(NOT l.childbearing_potential, FALSE)
                 OR (l.childbearing_potential IS NULL
                     AND (l.recipient_sex = 'M' OR l.recipient_age IS NOT NULL))))
     ))"""
MESSAGE = "an RhD-positive unit may not be allocated to this RhD-negative recipient"

SQLITE_SQL = [
    f"""CREATE TRIGGER allocation_rhd_guard BEFORE INSERT ON distribution_allocation
        WHEN {BAD}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER allocation_rhd_guard_update
        BEFORE UPDATE OF line_id, component_id ON distribution_allocation
        WHEN {BAD}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
POSTGRES_SQL = [
    f"""CREATE FUNCTION allocation_rhd_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF {BAD} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER allocation_rhd_guard
       BEFORE INSERT OR UPDATE OF line_id, component_id ON distribution_allocation
       FOR EACH ROW EXECUTE FUNCTION allocation_rhd_guard()""",
]


def add_guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_SQL if vendor == "postgresql" else SQLITE_SQL:
        schema_editor.execute(sql)


def drop_guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS allocation_rhd_guard ON distribution_allocation"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS allocation_rhd_guard()")
    else:
        for name in ("allocation_rhd_guard", "allocation_rhd_guard_update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    # After inventory 0004: SQLite rebuilds inventory_component there, which it refuses to do
    # while a trigger on another table (this one) names it.
    dependencies = [("distribution", "0003_recipient_facts"), ("inventory", "0004_lookback_hold")]

    operations = [migrations.RunPython(add_guard, drop_guard)]

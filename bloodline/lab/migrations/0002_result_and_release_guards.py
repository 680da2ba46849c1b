# The database's own copy of two laboratory rules (safety.md §3, §5; QUALITY T1), for writers
# that bypass the actions:
# 1. Test results are append-only. The one update allowed is a verification filling
#    verified_at and verified_by once; nothing else changes. (Deletion is refused by the
#    triggers of bloodline.lib.kept_rows, re-installed after every migrate and flush.)
# 2. The release gate: a component may be released (released_at set, on insert or update)
#    only if its donation's sample has every required test with enough counting, current,
#    acceptable screening runs (different manufacturers / operators where required), no
#    counting unacceptable or unverified result, blood-group results that agree with the
#    unit's group and the donor's confirmed group, the donation not found unsafe, and the
#    donor not deferred on the day of release.
# The SQL is written out here so the migration keeps meaning what it meant when it ran.

from django.db import migrations

RESULT_COLUMNS = [
    "uuid",
    "sample_id",
    "test",
    "stage",
    "reading",
    "value",
    "acceptable",
    "manufacturer",
    "reagent_lot",
    "operator",
    "instrument",
    "external_id",
    "source",
    "batch_id",
    "entered_at",
    "entered_by_id",
    "corrects_id",
    "correction_reason",
]


def _unchanged(same: str) -> str:
    return " AND ".join(f"NEW.{c} {same} OLD.{c}" for c in RESULT_COLUMNS)


VERIFICATION_ONLY = (
    "OLD.verified_at IS NULL AND NEW.verified_at IS NOT NULL AND NEW.verified_by_id IS NOT NULL "
    "AND {unchanged}"
)

COUNTING = "(r.source = 'import' OR r.verified_at IS NOT NULL)"
CURRENT = "NOT EXISTS (SELECT 1 FROM lab_testresult c WHERE c.corrects_id = r.id)"
RUNS = """(SELECT {count} FROM lab_testresult r WHERE r.sample_id = s.id AND r.test = rt.code
           AND r.stage = 'screen' AND r.acceptable = TRUE AND {counting} AND {current})"""


def gate_violation(day: str) -> str:
    runs = {"counting": COUNTING, "current": CURRENT}
    return f"""(
    NOT EXISTS (SELECT 1 FROM lab_sample s WHERE s.donation_id = NEW.donation_id)
    OR NEW.unsafe_at IS NOT NULL
    OR EXISTS (SELECT 1 FROM inventory_unsafedonation u WHERE u.donation_id = NEW.donation_id)
    OR EXISTS (
      SELECT 1 FROM lab_requiredtest rt JOIN lab_sample s ON rt.sample_id = s.id
      WHERE s.donation_id = NEW.donation_id AND rt.required = TRUE AND (
        {RUNS.format(count="COUNT(*)", **runs)} < rt.runs_required
        OR (rt.distinct_manufacturers = TRUE
            AND {RUNS.format(count="COUNT(DISTINCT r.manufacturer)", **runs)} < rt.runs_required)
        OR (rt.distinct_operators = TRUE
            AND {RUNS.format(count="COUNT(DISTINCT r.operator)", **runs)} < rt.runs_required)))
    OR EXISTS (
      SELECT 1 FROM lab_testresult r JOIN lab_sample s ON r.sample_id = s.id
      WHERE s.donation_id = NEW.donation_id AND {CURRENT}
        AND ((r.acceptable = FALSE AND {COUNTING})
             OR (r.source = 'manual' AND r.verified_at IS NULL)
             OR (r.acceptable = TRUE AND {COUNTING}
                 AND ((r.test = 'abo' AND r.reading <> NEW.abo)
                      OR (r.test = 'rhd' AND r.reading <> NEW.rhd)))))
    OR EXISTS (
      SELECT 1 FROM collection_donation d JOIN donors_donor p ON p.id = d.donor_id
      WHERE d.id = NEW.donation_id AND p.abo_confirmed <> ''
        AND (p.abo_confirmed <> NEW.abo OR p.rhd_confirmed <> NEW.rhd))
    OR EXISTS (
      SELECT 1 FROM collection_donation d JOIN screening_deferral f ON f.donor_id = d.donor_id
      WHERE d.id = NEW.donation_id AND f.starts_on <= {day}
        AND (f.permanent = TRUE OR f.until IS NULL OR f.until > {day}))
    )"""


SQLITE_DAY = "date(NEW.released_at)"
POSTGRES_DAY = "(NEW.released_at AT TIME ZONE 'UTC')::date"
GATE_MESSAGE = "component does not pass the release gate"

SQLITE_SQL = [
    f"""CREATE TRIGGER result_append_only BEFORE UPDATE ON lab_testresult
        WHEN NOT ({VERIFICATION_ONLY.format(unchanged=_unchanged("IS"))})
        BEGIN SELECT RAISE(ABORT, 'test results are append-only'); END""",
    f"""CREATE TRIGGER component_release_gate BEFORE UPDATE OF released_at ON inventory_component
        WHEN OLD.released_at IS NULL AND NEW.released_at IS NOT NULL
         AND {gate_violation(SQLITE_DAY)}
        BEGIN SELECT RAISE(ABORT, '{GATE_MESSAGE}'); END""",
    f"""CREATE TRIGGER component_release_gate_insert BEFORE INSERT ON inventory_component
        WHEN NEW.released_at IS NOT NULL AND {gate_violation(SQLITE_DAY)}
        BEGIN SELECT RAISE(ABORT, '{GATE_MESSAGE}'); END""",
]
POSTGRES_SQL = [
    f"""CREATE FUNCTION result_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE'
             AND {VERIFICATION_ONLY.format(unchanged=_unchanged("IS NOT DISTINCT FROM"))} THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'test results are append-only' USING ERRCODE = 'check_violation';
        END $$""",
    """CREATE TRIGGER result_append_only BEFORE UPDATE ON lab_testresult
       FOR EACH ROW EXECUTE FUNCTION result_append_only()""",
    f"""CREATE FUNCTION component_release_gate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.released_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.released_at IS NULL)
             AND {gate_violation(POSTGRES_DAY)} THEN
            RAISE EXCEPTION '{GATE_MESSAGE}' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER component_release_gate BEFORE INSERT OR UPDATE ON inventory_component
       FOR EACH ROW EXECUTE FUNCTION component_release_gate()""",
]


def add_guards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_SQL if vendor == "postgresql" else SQLITE_SQL:
        schema_editor.execute(sql)


def drop_guards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS result_append_only ON lab_testresult")
        schema_editor.execute("DROP FUNCTION IF EXISTS result_append_only()")
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS component_release_gate ON inventory_component"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS component_release_gate()")
    else:
        for name in (
            "result_append_only",
            "component_release_gate",
            "component_release_gate_insert",
        ):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("lab", "0001_initial"),
        ("inventory", "0002_component_guards"),
        ("screening", "0002_station_steps"),
        ("donors", "0002_registry"),
    ]

    operations = [migrations.RunPython(add_guards, drop_guards)]

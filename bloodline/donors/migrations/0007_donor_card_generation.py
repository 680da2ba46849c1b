# The donor card's generation (decision 0054).
#
# SQLite would rebuild donors_donor to add a NOT NULL column with a default, and refuses while
# a trigger elsewhere names the table (the lab release gate reads donors_donor, see 0004);
# SQLite can add this column in place, so it does, and other databases add the field as usual.

from django.db import migrations, models

SQLITE_ADD = (
    'ALTER TABLE "donors_donor" ADD COLUMN "card_generation" integer unsigned NOT NULL '
    'DEFAULT 0 CHECK ("card_generation" >= 0)'
)


def _field():  # type: ignore[no-untyped-def]
    field = models.PositiveIntegerField(default=0, editable=False)
    field.set_attributes_from_name("card_generation")
    return field


def add_column(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_ADD)
    else:
        schema_editor.add_field(apps.get_model("donors", "Donor"), _field())


def drop_column(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('ALTER TABLE "donors_donor" DROP COLUMN "card_generation"')
    else:
        schema_editor.remove_field(apps.get_model("donors", "Donor"), _field())


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0006_lookup_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_column, drop_column)],
            state_operations=[
                migrations.AddField(
                    model_name="donor",
                    name="card_generation",
                    field=models.PositiveIntegerField(default=0, editable=False),
                ),
            ],
        ),
    ]

# The job queue moves from inventory to this app (decision 0023). Its table was created by
# inventory 0001 as ``inventory_job``: here the model only enters this app's state, on that
# same table, so no row is lost; 0002 then gives the table this app's name.
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("inventory", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Job",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=40)),
                        ("run_after", models.DateTimeField()),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("claimed_by", models.CharField(blank=True, max_length=100)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("result", models.JSONField(blank=True, default=dict)),
                    ],
                    options={
                        "db_table": "inventory_job",
                        "indexes": [models.Index(fields=["kind", "finished_at", "run_after"], name="job_due_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

# The job queue moved to the jobs app (decision 0023): inventory forgets the model; the
# table and its rows stay, now owned by jobs (jobs 0001 took them over).
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "0004_lookback_hold"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Job")],
            database_operations=[],
        ),
    ]

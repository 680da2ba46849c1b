from django.db import migrations

from bloodline.organisations import tally
from bloodline.screening.summaries import every_day_row


def backfill(apps, schema_editor):
    """Add up the day summaries already kept at every level of the tree (decision 0049)."""
    tally.rebuild(
        every_day_row(
            apps.get_model("collection", "DailyCredit"),
            apps.get_model("screening", "DailyScreening"),
            apps.get_model("screening", "DailyDeferralReason"),
        ),
        apps.get_model("organisations", "Organisation"),
        apps.get_model("organisations", "Tally"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("collection", "0008_distinct_donor_index"),
        ("organisations", "0002_tree_tally"),
        ("screening", "0004_presentation_summaries"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

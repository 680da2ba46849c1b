"""The periods of existing plans and rounds become tally windows (decision 0052): the worker
counts their distinct donors, and reports count live until it has."""

from django.db import migrations


def want_windows(apps, schema_editor):
    plan = apps.get_model("programmes", "Plan")
    round_ = apps.get_model("programmes", "Round")
    window = apps.get_model("organisations", "TallyWindow")
    periods = set(plan.objects.values_list("period_start", "period_end"))
    periods |= set(round_.objects.values_list("starts_on", "ends_on"))
    for start, end in sorted(periods):
        window.objects.get_or_create(start=start, end=end)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0001_initial"),
        ("organisations", "0003_tally_windows"),
    ]

    operations = [migrations.RunPython(want_windows, migrations.RunPython.noop)]

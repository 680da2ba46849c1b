"""The house templates: every event in the six languages on every channel (decision 0053).
The words are in house_templates_0002.json beside this file, frozen with this migration; a
later change of the house wording is a new migration."""

import json
from pathlib import Path

from django.db import migrations

CHANNELS = ("email", "sms", "zalo", "wechat")


def load(apps, schema_editor):
    Template = apps.get_model("notifications", "Template")
    texts = json.loads((Path(__file__).parent / "house_templates_0002.json").read_text("utf-8"))
    Template.objects.bulk_create(
        Template(
            establishment=None,
            event=event,
            language=language,
            channel=channel,
            subject=words["subject"],
            body=words["body"],
        )
        for language, events in texts.items()
        for event, words in events.items()
        for channel in CHANNELS
    )


def unload(apps, schema_editor):
    apps.get_model("notifications", "Template").objects.filter(establishment=None).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_outbox")]
    operations = [migrations.RunPython(load, unload)]

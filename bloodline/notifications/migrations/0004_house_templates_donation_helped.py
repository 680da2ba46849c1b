"""The house templates of the "your donation helped a patient" message in the six languages
on every channel (issue 13 §4). The words are in house_templates_0004.json beside this file,
frozen with this migration."""

import json
from pathlib import Path

from django.db import migrations

CHANNELS = ("email", "sms", "zalo", "wechat")
FILE = "house_templates_0004.json"


def load(apps, schema_editor):
    Template = apps.get_model("notifications", "Template")
    texts = json.loads((Path(__file__).parent / FILE).read_text("utf-8"))
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
    apps.get_model("notifications", "Template").objects.filter(
        establishment=None, event="donation_helped"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_donation_helped_and_switches")]
    operations = [migrations.RunPython(load, unload)]

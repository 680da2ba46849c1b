from __future__ import annotations

import django.utils.timezone
from django.db import migrations, models

# Database-level refusal of UPDATE, DELETE and TRUNCATE on audit rows, so even raw SQL or a
# bug in a later migration cannot rewrite history (QUALITY.md T4). The SQL lives in
# bloodline/audit/guards.py.


def add_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    from bloodline.audit import guards

    guards.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    from bloodline.audit import guards

    guards.remove(schema_editor.connection)


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("occurred_at", models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="when (UTC)")),
                ("actor_id", models.BigIntegerField(blank=True, editable=False, null=True, verbose_name="actor id")),
                ("actor_label", models.CharField(editable=False, max_length=150, verbose_name="actor")),
                ("action", models.CharField(editable=False, max_length=64, verbose_name="action")),
                ("object_type", models.CharField(editable=False, max_length=64, verbose_name="object type")),
                ("object_id", models.CharField(editable=False, max_length=64, verbose_name="object id")),
                ("object_label", models.CharField(blank=True, editable=False, max_length=300, verbose_name="object")),
                ("changes", models.JSONField(default=dict, editable=False, verbose_name="changes")),
                ("reason", models.TextField(blank=True, editable=False, verbose_name="reason")),
                ("request_id", models.CharField(blank=True, editable=False, max_length=64, verbose_name="request id")),
            ],
            options={
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
                "ordering": ["-id"],
                "indexes": [models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx")],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]

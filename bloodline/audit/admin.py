from __future__ import annotations

from django.contrib import admin

from bloodline.audit.models import AuditEvent
from bloodline.lib.admin import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[AuditEvent]):
    """Read-only: the trail is written by actions, never by hand."""

    list_display = ["occurred_at", "actor_label", "action", "object_type", "object_label"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor_label", "request_id"]

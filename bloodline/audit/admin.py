from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from bloodline.audit.models import AuditEvent
from bloodline.audit.record import diff, plain, record
from bloodline.lib.admin import ReadOnlyAdminMixin
from bloodline.lib.locking import Versioned, bump

ADD, CHANGE, DELETE = "admin.add", "admin.change", "admin.delete"


class AuditedAdminMixin:
    """For a regulated model the configuration site may change: every save and delete writes
    the same audit trail as the actions (decision 0032) — ``admin.add`` / ``admin.change`` /
    ``admin.delete`` with ``{field: [old, new]}`` (many-to-many fields as sorted ids), the
    admin user as ``by``, in the admin view's own transaction. ``record()`` masks personal
    identifiers. Put it first among the bases."""

    # Never copied into the trail: the password hash and bookkeeping.
    audit_exclude: tuple[str, ...] = ("password", "last_login", "version")

    def audit_object(self, obj: Any) -> models.Model:
        """The row the event is about (a membership's is its organisation's history)."""
        return obj

    def audit_snapshot(self, obj: Any) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field in obj._meta.concrete_fields:
            if field.primary_key or field.name in self.audit_exclude:
                continue
            values[field.name] = plain(getattr(obj, field.name))
        if obj.pk is not None:
            for m2m in obj._meta.many_to_many:
                if m2m.name not in self.audit_exclude:
                    pks = getattr(obj, m2m.name).values_list("pk", flat=True)
                    values[m2m.name] = sorted(str(pk) for pk in pks)
        return values

    def _before(self, obj: Any) -> dict[str, Any]:
        if obj.pk is None:
            return {}
        stored = type(obj)._default_manager.filter(pk=obj.pk).first()
        return {} if stored is None else self.audit_snapshot(stored)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            obj._audit_before = self._before(obj) if change else {}
            if change and isinstance(obj, Versioned):
                bump(obj)  # an open edit page then sees a stale version, not a silent overwrite
            super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Called after ``save_model`` with the many-to-many fields: one event for both."""
        with transaction.atomic():
            super().save_related(request, form, formsets, change)  # type: ignore[misc]
            obj = form.instance
            before = getattr(obj, "_audit_before", {})
            changes = diff(before, self.audit_snapshot(obj))
            if changes or not change:
                record(
                    by=request.user,
                    action=CHANGE if change else ADD,
                    obj=self.audit_object(obj),
                    changes=changes,
                )

    def _record_delete(self, request: HttpRequest, obj: Any) -> None:
        record(
            by=request.user,
            action=DELETE,
            obj=self.audit_object(obj),
            changes=diff(self.audit_snapshot(obj), {}),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._record_delete(request, obj)
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._record_delete(request, obj)
            super().delete_queryset(request, queryset)  # type: ignore[misc]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[AuditEvent]):
    """Read-only: the trail is written by actions, never by hand."""

    list_display = ["occurred_at", "actor_label", "action", "object_type", "object_label"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor_label", "request_id"]

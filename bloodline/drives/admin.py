"""Configuration-site views of drives. Read-only: drives, requests and registrations change
through the pages and the API, which check scope, keep slots consistent and write the audit
trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from bloodline.drives.models import Drive, DriveRequest, Registration, Slot
from bloodline.lib.admin import ReadOnlyAdminMixin


class SlotInline(admin.TabularInline[Slot, Drive]):
    model = Slot
    fields = ["starts_at", "ends_at", "capacity", "booked"]
    readonly_fields = ["starts_at", "ends_at", "capacity", "booked"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Drive)
class DriveAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Drive]):
    list_display = ["title", "starts_on", "ends_on", "status", "establishment", "venue"]
    list_filter = ["status", "starts_on"]
    search_fields = ["title", "venue", "establishment__name"]
    date_hierarchy = "starts_on"
    list_select_related = ["establishment"]
    inlines = [SlotInline]


@admin.register(DriveRequest)
class DriveRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[DriveRequest]):
    list_display = ["requested_by", "establishment", "option_1", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["venue", "requested_by__name", "establishment__name"]
    list_select_related = ["requested_by", "establishment"]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Registration]):
    list_display = ["drive", "slot", "mobilised_by", "channel", "cancelled_at", "created_at"]
    list_filter = ["channel"]
    search_fields = ["drive__title", "mobilised_by__name"]
    list_select_related = ["drive", "slot", "mobilised_by"]

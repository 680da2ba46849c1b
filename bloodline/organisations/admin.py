from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from bloodline.audit.admin import AuditedAdminMixin
from bloodline.audit.record import plain
from bloodline.lib.admin import ReadOnlyAdminMixin
from bloodline.organisations.models import Membership, Organisation


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Organisation]):
    """Read-only here: the tree is changed through the organisation pages, which check scope,
    validate placement and write the audit trail."""

    list_display = ["name", "kind", "official_code", "is_active", "jurisdiction", "time_zone"]
    list_filter = ["kind", "is_active", "jurisdiction"]
    search_fields = ["name", "official_code"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin[Membership]):
    list_display = ["user", "organisation", "role", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "organisation__name"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["organisation"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # end a membership with valid_to, so the record of who held it stays

    def audit_object(self, obj: Membership) -> Organisation:
        # Memberships are read on the organisation's history (decision 0004).
        return obj.organisation

    def audit_snapshot(self, obj: Membership) -> dict[str, Any]:
        # The keys the membership actions write, which the history words (presenter).
        return {
            "membership": str(obj.uuid),
            "user": obj.user.username if obj.user_id else None,
            "role": obj.role,
            "valid_from": plain(obj.valid_from),
            "valid_to": plain(obj.valid_to),
        }

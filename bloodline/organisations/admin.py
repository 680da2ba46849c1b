from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from bloodline.audit.record import record
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
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "organisation", "role", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "organisation__name"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["organisation"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # end a membership with valid_to, so the record of who held it stays

    def save_model(
        self, request: HttpRequest, obj: Membership, form: ModelForm[Membership], change: bool
    ) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                by=request.user,
                action="membership.update" if change else "membership.create",
                obj=obj.organisation,
                changes={
                    field: [None, str(form.cleaned_data.get(field))] for field in form.changed_data
                },
            )

from __future__ import annotations

from django.contrib import admin

from bloodline.lib.admin import ReadOnlyAdminMixin
from bloodline.programmes.models import Plan, Round, Target


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Plan]):
    """Read-only: plans change through their pages, which check scope and keep the history."""

    list_display = ["number", "title", "issuer", "status", "period_start", "period_end"]
    list_filter = ["status", "measure"]
    search_fields = ["number", "title"]


@admin.register(Round)
class RoundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Round]):
    list_display = ["name", "plan", "starts_on", "ends_on"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Target]):
    list_display = ["plan", "organisation", "round", "amount"]

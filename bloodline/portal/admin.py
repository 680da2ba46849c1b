"""The portal's settings in the configuration site (decision 0056)."""

from __future__ import annotations

from django.contrib import admin

from bloodline.audit.admin import AuditedAdminMixin
from bloodline.lib.admin import ReadOnlyAdminMixin
from bloodline.portal.account_models import ErasureRequest, ResultRelease


@admin.register(ResultRelease)
class ResultReleaseAdmin(AuditedAdminMixin, admin.ModelAdmin[ResultRelease]):
    """Whether an establishment shows donors their verified results (off by default)."""

    list_display = ["establishment", "to_donors"]
    raw_id_fields = ["establishment"]


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ErasureRequest]):
    """Donors' requests waiting for a decision; staff erase on the donor's page."""

    list_display = ["uuid", "status", "requested_at", "decided_at"]
    list_filter = ["status"]

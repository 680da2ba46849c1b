from __future__ import annotations

from django.contrib import admin

from bloodline.audit.admin import AuditedAdminMixin
from bloodline.donors.models import Consent, Donor, IdentityDocument
from bloodline.lib.admin import ReadOnlyAdminMixin


@admin.register(Donor)
class DonorAdmin(AuditedAdminMixin, admin.ModelAdmin[Donor]):
    """Edits here are audited old → new like the donor pages' (decision 0032)."""

    list_display = ["full_name", "date_of_birth", "sex", "affiliation", "merged_into"]
    search_fields = ["full_name", "name_key"]  # phones are encrypted (decision 0033)
    raw_id_fields = ["affiliation", "merged_into"]
    readonly_fields = ["merged_into", "abo_confirmed", "rhd_confirmed", "confirmed_at"]


# Documents and consents are written through the actions only (checks and audit events).
@admin.register(IdentityDocument)
class IdentityDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[IdentityDocument]):
    list_display = ["donor", "kind", "issuing_country", "created_at"]
    raw_id_fields = ["donor"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Consent]):
    list_display = ["donor", "purpose", "text_version", "given_at", "withdrawn_at"]
    list_filter = ["purpose"]
    raw_id_fields = ["donor"]

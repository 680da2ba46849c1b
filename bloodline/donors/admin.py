from __future__ import annotations

from django.contrib import admin

from bloodline.donors.models import Donor


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin[Donor]):
    list_display = ["full_name", "date_of_birth", "sex", "affiliation"]
    search_fields = ["full_name", "phone"]
    raw_id_fields = ["affiliation"]

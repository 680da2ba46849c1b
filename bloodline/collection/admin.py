from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from bloodline.collection import dins
from bloodline.collection.actions import (
    Shortfall,
    default_credit,
    drive_errors,
    record_donation,
    validate_donation,
)
from bloodline.collection.models import Donation
from bloodline.lib.isbt128 import DinError


class DonationForm(forms.ModelForm[Donation]):
    class Meta:
        model = Donation
        fields = [
            "din",
            "donor",
            "establishment",
            "drive",
            "collected_at",
            "donation_type",
            "volume_ml",
            "bag_volume_ml",
            "incomplete_reason",
            "incomplete_note",
            "credited_to",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left empty, the credit goes to the registration's or the donor's unit.
        self.fields["credited_to"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        donor = data.get("donor")
        credit = data.get("credited_to") or (
            default_credit(donor, data.get("drive")) if donor else None
        )
        self._check_entered(data)
        if self.has_error("din"):
            return data
        try:
            validate_donation(
                str(data.get("din", "")).strip().upper(),
                data.get("donation_type", ""),
                data.get("volume_ml") or 0,
                data.get("bag_volume_ml"),
                credit,
                establishment=data.get("establishment"),
                collected_at=data.get("collected_at"),
                shortfall=self.shortfall(),
            )
        except forms.ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data

    def _check_entered(self, data: dict[str, Any]) -> None:
        """Typed by hand: the DIN carries its check character and was issued by the
        establishment (decision 0021); the donation fits its drive (decision 0022)."""
        establishment = data.get("establishment")
        din = str(data.get("din", ""))
        if establishment is not None and din:
            try:
                data["din"] = dins.entered(din, establishment=establishment)
            except DinError as exc:
                self.add_error("din", str(exc))
        found = drive_errors(data.get("drive"), establishment, data.get("collected_at"))
        for field, messages in found.items():
            for message in messages:
                self.add_error(field, message)

    def shortfall(self) -> Shortfall:
        data = self.cleaned_data
        return Shortfall(data.get("incomplete_reason") or "", data.get("incomplete_note") or "")


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin[Donation]):
    """Until the donation-day stations exist, staff record donations here; the form goes
    through the same action (checks, credit default, audit) as every other caller."""

    form = DonationForm
    list_display = [
        "din",
        "collected_at",
        "donation_type",
        "volume_ml",
        "bag_volume_ml",
        "outcome",
        "credited_to",
    ]
    list_filter = ["donation_type", "outcome"]
    search_fields = ["din"]
    raw_id_fields = ["donor", "drive", "establishment", "credited_to"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # corrections arrive with the audited correction workflow

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Donation, form: Any, change: bool) -> None:
        saved = record_donation(
            by=request.user,  # type: ignore[arg-type]
            din=obj.din,
            donor=obj.donor,
            establishment=obj.establishment,
            collected_at=obj.collected_at,
            donation_type=obj.donation_type,
            volume_ml=obj.volume_ml,
            bag_volume_ml=obj.bag_volume_ml,
            drive=obj.drive,
            credited_to=form.cleaned_data.get("credited_to"),
            shortfall=form.shortfall(),
        )
        obj.pk = saved.pk

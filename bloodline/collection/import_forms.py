"""The registry import upload form (decision 0045)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bloodline.lib.forms import ActionErrorsMixin
from bloodline.organisations.forms import offer_establishments
from bloodline.organisations.models import Organisation, OrganisationQuerySet

MAX_UPLOAD_MB = 50


class RegistryImportForm(ActionErrorsMixin, forms.Form):
    establishment = forms.ModelChoiceField(
        label=_("Import into"),
        queryset=Organisation.objects.none(),  # the person's establishments, set in __init__
        to_field_name="uuid",
    )
    source = forms.CharField(
        label=_("Name of the legacy system"),
        max_length=64,
        help_text=_("Importing the same file again from the same system adds nothing twice."),
    )
    file = forms.FileField(
        label=_("Registry file (CSV or xlsx)"),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only: write nothing, list what would be refused"), required=False
    )

    def __init__(self, *args: Any, establishments: OrganisationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_establishments(self, establishments)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                gettext("The file is larger than %(size)s MB. Import it in parts.")
                % {"size": MAX_UPLOAD_MB}
            )
        return upload

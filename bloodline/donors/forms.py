"""Forms for the donor pages. They parse and present; the rules live in the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from bloodline.donors.models import ABO, ConsentPurpose, DocumentKind, Donor, RhD, Sex
from bloodline.lib.forms import ActionErrorsMixin

PERSON_FIELDS = (
    "full_name",
    "date_of_birth",
    "sex",
    "phone",
    "address",
    "preferred_language",
    "abo_declared",
    "rhd_declared",
)


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *list(choices)]


class ActionForm(ActionErrorsMixin, forms.Form):
    """A form that shows an action's validation errors at the fields they concern."""


class DonorForm(ActionForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Sex.choices), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        help_text=_("A national number such as 0912 345 678, or +country code and number."),
    )
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=_blank(settings.LANGUAGES), required=False
    )
    abo_declared = forms.ChoiceField(
        label=_("ABO group (declared)"), choices=_blank(ABO.choices), required=False
    )
    rhd_declared = forms.ChoiceField(
        label=_("RhD (declared)"), choices=_blank(RhD.choices), required=False
    )
    confirmed_distinct = forms.BooleanField(
        label=_("I checked: this is a different person from those listed"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason for the change (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["version"]
            del self.fields["reason"]

    @staticmethod
    def initial_for(donor: Donor) -> dict[str, Any]:
        values = {name: getattr(donor, name) for name in PERSON_FIELDS}
        return values | {"version": donor.version}

    def person(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}


class DocumentForm(ActionForm):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    number = forms.CharField(label=_("Document number"), max_length=60)
    issuing_country = forms.CharField(
        label=_("Issuing country"),
        max_length=2,
        required=False,
        help_text=_("Two-letter code, such as VN. Filled in for national identity cards."),
    )


class ConsentForm(ActionForm):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    text_version = forms.CharField(
        label=_("Version of the consent text"),
        max_length=40,
        help_text=_("The version printed on the consent text the donor read, such as 2026-01."),
    )


class MergeForm(ActionForm):
    reason = forms.CharField(
        label=_("Why are these two records the same person?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I checked both records: they are the same person"), required=True
    )


class EraseForm(ActionForm):
    reason = forms.CharField(
        label=_("Why are this donor's details erased?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that the name, phone, address and identity numbers cannot be brought back"
        ),
        required=True,
    )

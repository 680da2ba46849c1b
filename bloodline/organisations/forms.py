from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from bloodline.jurisdictions.loader import registry
from bloodline.lib.forms import ActionErrorsMixin
from bloodline.organisations.kinds import child_kinds
from bloodline.organisations.models import Organisation


@cache
def _zone_choices() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z]


def _translation_field_name(code: str) -> str:
    return "name_" + code.replace("-", "_")


class OrganisationForm(ActionErrorsMixin, forms.Form):
    """Details of an organisation; used to add a child and to edit."""

    kind = forms.ChoiceField(label=_("Kind"))
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("As the organisation writes it.")
    )
    official_code = forms.CharField(label=_("Official code"), max_length=40, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction rule set"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, parent: Organisation | None = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            del self.fields["kind"]
        else:
            del self.fields["reason"]
            del self.fields["version"]
            kinds = child_kinds(parent.kind) if parent is not None else []
            cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "—")] + [
                (k.value, k.label) for k in kinds
            ]
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [("", "—"), *_zone_choices()]
        cast(forms.ChoiceField, self.fields["jurisdiction"]).choices = [("", "—")] + [
            (code, registry.current(code).title.get(_lang(), code)) for code in registry.codes()
        ]
        for code, language_name in settings.LANGUAGES:
            self.fields[_translation_field_name(code)] = forms.CharField(
                label=_("Name in %(language)s") % {"language": language_name},
                max_length=200,
                required=False,
            )

    def translation_fields(self) -> list[forms.BoundField]:
        return [self[_translation_field_name(code)] for code, _name in settings.LANGUAGES]

    def name_translations(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(_translation_field_name(code), "")
            for code, _name in settings.LANGUAGES
            if self.cleaned_data.get(_translation_field_name(code), "")
        }

    @staticmethod
    def initial_for(org: Organisation) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": org.name,
            "official_code": org.official_code,
            "time_zone": org.time_zone,
            "jurisdiction": org.jurisdiction,
            "is_active": org.is_active,
            "version": org.version,
        }
        for code, value in (org.name_translations or {}).items():
            initial[_translation_field_name(code)] = value
        return initial


def _lang() -> str:
    from django.utils import translation

    return translation.get_language() or settings.LANGUAGE_CODE


class MoveForm(forms.Form):
    new_parent = forms.ChoiceField(label=_("New parent"))
    reason = forms.CharField(
        label=_("Reason for the move"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, candidates: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(c.uuid): c for c in candidates}
        cast(forms.ChoiceField, self.fields["new_parent"]).choices = [("", "—")] + [
            (str(c.uuid), f"{c.display_name()} ({c.get_kind_display()})") for c in candidates
        ]


def offer_establishments(
    form: forms.Form, establishments: Any, name: str = "establishment"
) -> None:
    """Limit the form's establishment choice to ``establishments``; when there is only one,
    choose it and offer no empty choice (an upload form of a one-centre person)."""
    field = cast(forms.ModelChoiceField, form.fields[name])
    field.queryset = establishments
    only = list(establishments[:2])
    if len(only) == 1:
        field.initial = only[0].uuid
        field.empty_label = None

"""Forms of the inventory pages. They check shapes only; the rules (volumes, temperatures,
label matches, thresholds) are the actions', whose errors show at the fields they name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bloodline.donors.models import ABO, RhD
from bloodline.inventory.models import (
    DiscardReason,
    LocationKind,
    ProcessingKind,
    StorageLocation,
    SupplyLevel,
    SupplyShown,
)
from bloodline.jurisdictions.labels import COMPONENT_KINDS
from bloodline.jurisdictions.schema import Recipe, RuleSet
from bloodline.lib import isbt128
from bloodline.lib.forms import ActionErrorsMixin
from bloodline.organisations.models import Organisation

# A keyboard-wedge scanner types the bar code and Enter; the page script moves on to the next
# field on Enter, so no field may be filled in by the browser's memory.
SCAN = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
MAX_TRANSFER_LINES = 200


class Form(ActionErrorsMixin, forms.Form):
    pass


class VersionedForm(Form):
    """A form acting on one component: carries the version the page showed. Several share
    the component's page, so each has its own element ids."""

    id_prefix = "unit"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def _choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class DinSearchForm(forms.Form):
    din = forms.CharField(
        label=_("Scan or type the DIN"),
        max_length=40,
        widget=forms.TextInput(attrs={**SCAN, "autofocus": True}),
    )

    def clean_din(self) -> str:
        try:
            return isbt128.parse(self.cleaned_data["din"]).din
        except isbt128.DinError as exc:
            raise ValidationError(str(exc)) from exc


class ProcessForm(Form):
    """Choose a recipe and give each output's volume; a field per output of every recipe the
    donation can take, named as the action names its errors (``volume_<component type>``)."""

    recipe = forms.ChoiceField(label=_("Processing recipe"), widget=forms.RadioSelect)

    def __init__(
        self,
        *args: Any,
        recipes: list[Recipe],
        rules: RuleSet,
        donation_volume: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.recipes = recipes
        _choices(self.fields["recipe"], [(r.code, r.code) for r in recipes])
        if len(recipes) == 1:
            self.fields["recipe"].initial = recipes[0].code
        multi = {code for r in recipes if len(r.outputs) > 1 for code in r.outputs}
        self.blocks: list[tuple[Recipe, list[str]]] = []
        for recipe in recipes:
            names = []
            for code in recipe.outputs:
                name = f"volume_{code}"
                if name in self.fields:
                    continue
                rule = rules.component(code)
                attrs: dict[str, Any] = {"inputmode": "numeric"}
                if rule is not None and rule.volume_ml is not None:
                    attrs |= {"min": int(rule.volume_ml.min_ml), "max": int(rule.volume_ml.max_ml)}
                self.fields[name] = forms.IntegerField(
                    label=_("Volume of %(type)s (mL)") % {"type": code},
                    required=False,
                    min_value=1,
                    widget=forms.NumberInput(attrs=attrs),
                    # One output keeps the whole donation: the collected volume is offered.
                    initial=donation_volume
                    if len(recipe.outputs) == 1 and code not in multi
                    else None,
                )
                names.append(name)
            self.blocks.append((recipe, names))

    def block_fields(self) -> list[tuple[Recipe, list[forms.BoundField]]]:
        return [(recipe, [self[name] for name in names]) for recipe, names in self.blocks]

    def volumes(self) -> dict[str, int]:
        """The volumes given for the chosen recipe's outputs."""
        recipe = next(r for r in self.recipes if r.code == self.cleaned_data["recipe"])
        given = {code: self.cleaned_data.get(f"volume_{code}") for code in recipe.outputs}
        return {code: volume for code, volume in given.items() if volume is not None}


class ScanBackForm(VersionedForm):
    id_prefix = "scan"
    din_scan = forms.CharField(
        label=_("Scan the DIN bar code"),
        max_length=40,
        widget=forms.TextInput(attrs={**SCAN, "autofocus": True}),
    )
    group_scan = forms.CharField(
        label=_("Scan the blood-group bar code"),
        max_length=20,
        widget=forms.TextInput(attrs=SCAN),
    )
    product_scan = forms.CharField(
        label=_("Scan the product-code bar code"),
        max_length=20,
        widget=forms.TextInput(attrs=SCAN),
    )
    location = forms.ChoiceField(label=_("Put it in"))

    def __init__(self, *args: Any, locations: list[StorageLocation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locations = {str(loc.uuid): loc for loc in locations}
        _choices(
            self.fields["location"], [(k, loc.display_name()) for k, loc in self.locations.items()]
        )

    def chosen_location(self) -> StorageLocation:
        return self.locations[self.cleaned_data["location"]]


class MoveForm(VersionedForm):
    id_prefix = "move"
    location = forms.ChoiceField(label=_("Move to"))

    def __init__(self, *args: Any, locations: list[StorageLocation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locations = {str(loc.uuid): loc for loc in locations}
        _choices(
            self.fields["location"], [(k, loc.display_name()) for k, loc in self.locations.items()]
        )

    def chosen_location(self) -> StorageLocation:
        return self.locations[self.cleaned_data["location"]]


class DiscardForm(VersionedForm):
    id_prefix = "discard"
    reason = forms.ChoiceField(
        label=_("Reason for the discard"), choices=[("", "—"), *DiscardReason.choices]
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the reason is “other”."),
    )


class ProcessingForm(VersionedForm):
    """Record that the unit was opened, thawed, washed or irradiated, now; where it goes when
    the processing changes the temperature it needs (thawed plasma to a fridge)."""

    id_prefix = "processing"
    kind = forms.ChoiceField(label=_("What was done"), choices=[("", "—"), *ProcessingKind.choices])
    location = forms.ChoiceField(
        label=_("Put it in"),
        required=False,
        help_text=_("Only when the unit must be kept elsewhere after this processing."),
    )

    def __init__(self, *args: Any, locations: list[StorageLocation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locations = {str(loc.uuid): loc for loc in locations}
        _choices(
            self.fields["location"],
            [("", "—"), *((k, loc.display_name()) for k, loc in self.locations.items())],
        )

    def chosen_location(self) -> StorageLocation | None:
        return self.locations.get(self.cleaned_data.get("location") or "")


class EstablishmentForm(forms.Form):
    establishment = forms.ChoiceField(label=_("Establishment"))

    def __init__(self, *args: Any, establishments: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self.fields["establishment"],
            [(str(e.uuid), e.display_name()) for e in establishments],
        )


class ThresholdForm(Form):
    component_kind = forms.ChoiceField(
        label=_("Component class"), choices=list(COMPONENT_KINDS.items())
    )
    abo = forms.ChoiceField(label=_("ABO group"), choices=ABO.choices)
    rhd = forms.ChoiceField(label=_("RhD"), choices=RhD.choices)
    daily_use = forms.DecimalField(label=_("Units used per day"), max_digits=7, decimal_places=2)
    minimum_days = forms.DecimalField(
        label=_("Minimum days of supply"), max_digits=5, decimal_places=1
    )
    critical_days = forms.DecimalField(
        label=_("Critical days of supply"), max_digits=5, decimal_places=1
    )


# How long a level set by hand lasts (at most 14 days, inventory/supply.py OVERRIDE_MAX).
SUPPLY_HOLD_HOURS = (6, 12, 24, 48, 72, 168, 336)


class SupplyLevelForm(Form):
    """Set the supply level of a class and group by hand, for a while, with a reason."""

    component_kind = forms.ChoiceField(
        label=_("Component class"), choices=list(COMPONENT_KINDS.items())
    )
    abo = forms.ChoiceField(label=_("ABO group"), choices=ABO.choices)
    rhd = forms.ChoiceField(label=_("RhD"), choices=RhD.choices)
    level = forms.ChoiceField(label=_("Level"), choices=SupplyLevel.choices)
    hours = forms.TypedChoiceField(label=_("For"), coerce=int, initial=24)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Worded in the reader's language when the form is made, not when the module loads.
        self.fields["hours"].choices = [  # type: ignore[attr-defined]
            (h, _hold(h)) for h in SUPPLY_HOLD_HOURS
        ]


class SupplyPublicationForm(Form):
    """What the public supply page shows of the establishment."""

    shows = forms.ChoiceField(
        label=_("The public supply page shows"),
        choices=SupplyShown.choices,
        widget=forms.RadioSelect,
    )


def _hold(hours: int) -> str:
    if hours < 48:
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    days = hours // 24
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}


class LocationForm(Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=LocationKind.choices)
    min_c = forms.DecimalField(label=_("Lowest temperature (°C)"), max_digits=5, decimal_places=1)
    max_c = forms.DecimalField(label=_("Highest temperature (°C)"), max_digits=5, decimal_places=1)


@dataclass(frozen=True)
class UnitScan:
    """One line of a transfer: which unit, by DIN, product code and division."""

    din: str
    product_code: str
    division: str


_CODE = re.compile(r"^[A-Z][A-Z0-9]{4}$")
_DIVISION = re.compile(r"^[A-Z0-9][a-z0-9]$")


def parse_unit_line(line: str) -> UnitScan:
    """``<DIN> <product>``: the DIN as scanned, typed with its check character or bare; the
    product code as scanned (``=<…``) or typed (code, then the division if it is divided)."""
    text = line.strip()
    at = text.find("=<")
    if at > 0:
        code, division = isbt128.parse_product_code(text[at:])
        return UnitScan(isbt128.parse(text[:at]).din, code, division)
    parts = text.split()
    if len(parts) >= 3 and _CODE.match(parts[-2]) and _DIVISION.match(parts[-1]):
        din, code, division = parts[:-2], parts[-2], parts[-1]
    elif len(parts) >= 2 and _CODE.match(parts[-1]):
        din, code, division = parts[:-1], parts[-1], "00"
    else:
        raise isbt128.DinError(
            "product", str(_("Give the DIN and then the product code on each line."))
        )
    return UnitScan(isbt128.parse(" ".join(din)).din, code, division)


def joined_scans(text: str) -> list[str]:
    """The lines of a scanned list, one unit a line: a scanner ends each bar code with Enter,
    so a product scan (``=<…``) on a line of its own belongs to the DIN on the line above."""
    lines: list[str] = []
    for line in (ln.strip() for ln in text.splitlines()):
        if not line:
            continue
        if line.startswith("=<") and lines and "=<" not in lines[-1]:
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


class TransferForm(Form):
    destination = forms.ChoiceField(label=_("Send to"))
    number = forms.CharField(label=_("Transfer number"), max_length=30)
    units = forms.CharField(
        label=_("Units: scan the DIN and the product code, one unit a line"),
        widget=forms.Textarea(attrs={**SCAN, "rows": 6}),
    )

    def __init__(self, *args: Any, destinations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.destinations = {str(o.uuid): o for o in destinations}
        _choices(
            self.fields["destination"],
            [("", "—"), *((k, o.display_name()) for k, o in self.destinations.items())],
        )

    def chosen_destination(self) -> Organisation:
        return self.destinations[self.cleaned_data["destination"]]

    def clean_units(self) -> list[UnitScan]:
        lines = joined_scans(self.cleaned_data["units"])
        if len(lines) > MAX_TRANSFER_LINES:
            raise ValidationError(
                _("Send at most %(max)s units in one transfer.") % {"max": MAX_TRANSFER_LINES}
            )
        scans, errors = [], []
        for n, line in enumerate(lines, start=1):
            try:
                scans.append(parse_unit_line(line))
            except isbt128.DinError as exc:
                errors.append(_("Line %(n)s: %(error)s") % {"n": n, "error": exc})
        if errors:
            raise ValidationError(errors)
        if len(set(scans)) != len(scans):
            raise ValidationError(_("A unit is scanned twice."))
        return scans

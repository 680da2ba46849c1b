"""Forms of the station pages. Limits come from plausibility.VITALS and the engine's volumes;
nothing here repeats a threshold."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bloodline.collection.models import BagType, IncompleteReason, ReactionKind, ReactionSeverity
from bloodline.donors.models import Sex
from bloodline.jurisdictions.schema import RuleSet
from bloodline.lib.forms import ActionErrorsMixin
from bloodline.screening.models import Decision
from bloodline.screening.plausibility import VITALS
from bloodline.screening.questionnaire import Question

SCAN_ATTRS = {"autofocus": True, "autocomplete": "off", "autocapitalize": "characters"}


class StationForm(ActionErrorsMixin, forms.Form):
    """A station's form: an action's errors show at the fields they name."""


class CheckInForm(StationForm):
    scan = forms.CharField(
        label=_(
            "Scan or search: registration code, donor card, DIN label, identity number, "
            "phone or name"
        ),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs=SCAN_ATTRS),
    )
    full_name = forms.CharField(label=_("Full name"), required=False, max_length=200)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), *Sex.choices])
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    mobilised_by = forms.ChoiceField(label=_("Mobilised by"), required=False)

    def __init__(self, *args: Any, credits: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mobilised_by"].choices = [("", "—"), *credits]  # type: ignore[attr-defined]


ANSWER_CHOICES = [("no", _("No")), ("yes", _("Yes")), ("unknown", _("Don't know"))]


ANSWER_WORDS = dict(ANSWER_CHOICES)
CONFIRM = "confirm_prefilled"  # not a question code: codes are the rule set's deferral codes


class AnswersForm(StationForm):
    """The questionnaire. With ``home`` (a valid pre-screening's stored answers, decision
    0058) each question opens on the donor's answer from home, says so, and the nurse must
    confirm having gone through every one with the donor: nothing is skipped."""

    def __init__(
        self,
        *args: Any,
        questions: list[Question],
        rules: RuleSet | None,
        home: dict[str, str] | None = None,
        answered_at: dt.datetime | None = None,
        **kwargs: Any,
    ) -> None:
        self.answered_at = answered_at  # when the donor answered at home
        if home:
            kwargs["initial"] = {**home, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.code] = forms.ChoiceField(
                label=question.wording(rules), choices=ANSWER_CHOICES, widget=forms.RadioSelect
            )
            if home and question.code in home:
                self.fields[question.code].help_text = _("Answered at home: %(answer)s") % {
                    "answer": ANSWER_WORDS[home[question.code]]
                }
        if home:
            self.fields[CONFIRM] = forms.BooleanField(
                label=_("I asked the donor every question again and confirmed each answer."),
                required=True,
            )

    def answers(self) -> dict[str, Any]:
        """The answers alone, without the nurse's confirmation."""
        return {k: v for k, v in self.cleaned_data.items() if k != CONFIRM}


VITAL_LABELS = {
    "weight_kg": _("Weight (kg)"),
    "temperature_c": _("Temperature (°C)"),
    "systolic": _("Systolic pressure (mmHg)"),
    "diastolic": _("Diastolic pressure (mmHg)"),
    "pulse": _("Pulse (per minute)"),
    "hb_g_l": _("Haemoglobin (g/L)"),
}


class VitalsForm(StationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (low, high, _unit) in VITALS.items():
            self.fields[name] = forms.DecimalField(
                label=VITAL_LABELS[name],
                min_value=low,
                max_value=high,
                decimal_places=1,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
            )
        self.fields["weight_kg"].widget.attrs["autofocus"] = True


class DecisionForm(StationForm):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    volume_ml = forms.TypedChoiceField(
        label=_("Volume to collect (mL)"), coerce=int, required=False, empty_value=None
    )
    decision_reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    until = forms.DateField(
        label=_("Deferred until"),
        required=False,
        # A date input takes ISO dates whatever the page's language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    permanent = forms.BooleanField(label=_("Permanent deferral"), required=False)

    def __init__(
        self,
        *args: Any,
        volumes: list[int],
        engine_deferred: bool,
        overridable: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only what may be chosen is offered: accept when the engine did not defer, override
        # (with a reason) when it deferred for reasons the rules mark overridable.
        allowed = [Decision.DEFER]
        if not engine_deferred:
            allowed.insert(0, Decision.ACCEPT)
        elif overridable:
            allowed.insert(0, Decision.OVERRIDE)
        self.fields["decision"].choices = [  # type: ignore[attr-defined]
            (d.value, d.label) for d in allowed
        ]
        self.fields["volume_ml"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((v, f"{v} mL") for v in volumes),
        ]


def engine_deferral(outcome: str, reasons: list[dict[str, Any]]) -> dict[str, Any]:
    """The deferral the engine already computed, to pre-fill the physician's form so nobody
    types it again: permanent, or until the latest date among the reasons that defer."""
    if outcome == "deferred_permanent":
        return {"decision": Decision.DEFER, "permanent": True}
    if outcome != "deferred_temporary":
        return {}
    dates = [r["until"] for r in reasons if r.get("until") and r.get("severity") != "review"]
    if not dates:
        return {"decision": Decision.DEFER}
    return {"decision": Decision.DEFER, "until": dt.date.fromisoformat(max(dates))}


class ReactionFields(StationForm):
    reaction_kind = forms.ChoiceField(
        label=_("Adverse reaction"),
        required=False,
        choices=[("", _("none")), *ReactionKind.choices],
    )
    reaction_severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", "—"), *ReactionSeverity.choices]
    )
    reaction_care = forms.CharField(
        label=_("Care given"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CollectionForm(ReactionFields):
    din = forms.CharField(
        label=_("Scan the DIN label (leave empty to allocate a number)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs=SCAN_ATTRS),
    )
    bag_type = forms.ChoiceField(label=_("Bag type"), choices=BagType.choices)
    volume_ml = forms.IntegerField(label=_("Volume collected (mL)"), min_value=1)
    incomplete_reason = forms.ChoiceField(
        label=_("If the collection stopped short of the bag: why"),
        required=False,
        choices=[("", _("the bag is full")), *IncompleteReason.choices],
    )
    incomplete_note = forms.CharField(
        label=_("Note on the incomplete collection"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    started_at = forms.TimeField(
        label=_("Needle in"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ended_at = forms.TimeField(
        label=_("Needle out"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    problems = forms.CharField(
        label=_("Collection problems"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = [
        "din",
        "bag_type",
        "volume_ml",
        "incomplete_reason",
        "incomplete_note",
        "started_at",
        "ended_at",
        "problems",
    ]

    def moments(self, day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        return (
            dt.datetime.combine(day, data["started_at"], tzinfo=zone),
            dt.datetime.combine(day, data["ended_at"], tzinfo=zone),
        )


class PostCareForm(ReactionFields):
    pass

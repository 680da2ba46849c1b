"""Forms for the laboratory pages. They parse and present; the rules (which reading a test
may take, who may verify, what a correction needs) live in the actions and the panel."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bloodline.jurisdictions.labels import lab_test_name
from bloodline.lab import panel
from bloodline.lab.models import NotificationTask, Reading, RequiredTest, Stage, TestResult
from bloodline.lib import isbt128
from bloodline.lib.forms import ActionErrorsMixin
from bloodline.organisations.forms import offer_establishments
from bloodline.organisations.models import Organisation, OrganisationQuerySet

# An analyser export of a day's runs is far below this; a larger upload is a wrong file.
MAX_IMPORT_MB = 5


class ActionForm(ActionErrorsMixin, forms.Form):
    """A form that shows an action's validation errors at the fields they concern."""


def reading_choices(allowed: Iterable[str]) -> list[tuple[str, Any]]:
    """The readings in the order the model lists them, with their translated names."""
    wanted = set(allowed)
    return [(r.value, r.label) for r in Reading if r.value in wanted]


def readings_for(tests: Sequence[RequiredTest], code: str, stage: str) -> list[tuple[str, Any]]:
    """What the reading select offers: the readings of the chosen test at the chosen stage,
    or every reading the panel's tests can take while no test is chosen."""
    chosen = next((t for t in tests if t.code == code), None)
    if stage not in Stage.values:
        stage = Stage.SCREEN
    if chosen is not None:
        return reading_choices(panel.allowed_readings(chosen, stage))
    every: set[str] = set(panel.CONFIRMATORY_READINGS)
    for test in tests:
        every |= panel.allowed_readings(test, Stage.SCREEN)
    return reading_choices(every)


def is_measured(tests: Sequence[RequiredTest], code: str) -> bool:
    """Whether the value field is shown: for a measured test, or while none is chosen and
    the panel has one."""
    chosen = [t for t in tests if t.code == code] or list(tests)
    return any(t.acceptable == "within_limit" for t in chosen)


class DinForm(ActionForm):
    """The worklist's scan box: a keyboard-wedge scanner types the bar code and Enter."""

    din = forms.CharField(
        label=_("Scan or type a DIN"),
        max_length=40,
        help_text=_("The bar code as scanned, or the 13 characters and the check character."),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_din(self) -> str:
        try:
            return isbt128.parse(self.cleaned_data["din"]).din
        except isbt128.DinError as exc:
            raise forms.ValidationError(str(exc)) from None


class _ReadingFields(ActionForm):
    """The reading and its measured value. The select shows the readings the test can take;
    any reading is accepted here so that the action, which knows the rule, names the problem."""

    reading = forms.ChoiceField(label=_("Result"), choices=Reading.choices)
    value = forms.CharField(
        label=_("Measured value"),
        max_length=20,
        required=False,
        help_text=_("Only for a measured test, in the unit of its limit (U/L)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    measured = False

    @property
    def shows_value(self) -> bool:
        """For a measured test, or whenever a value was typed (so its error is seen)."""
        return self.measured or bool(self.is_bound and self.data.get("value"))

    def offer(self, choices: list[tuple[str, Any]]) -> None:
        self.fields["reading"].widget.choices = [("", "—"), *choices]


class ResultForm(_ReadingFields):
    """A result typed in by hand; it counts once another person verifies it."""

    test = forms.ChoiceField(label=_("Test"))
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.SCREEN)
    manufacturer = forms.CharField(label=_("Reagent manufacturer"), max_length=100, required=False)
    reagent_lot = forms.CharField(label=_("Reagent lot"), max_length=60, required=False)
    operator = forms.CharField(
        label=_("Operator"),
        max_length=150,
        required=False,
        help_text=_("Who ran the test; empty when you ran it yourself."),
    )
    field_order = ["test", "stage", "reading", "value", "manufacturer", "reagent_lot", "operator"]

    def __init__(
        self, *args: Any, tests: Sequence[RequiredTest], readings_url: str = "", **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "enter-%s")  # ids the HTMX refresh below names
        super().__init__(*args, **kwargs)
        self.tests = [t for t in tests if t.required]
        if readings_url:  # HTMX: choosing a test or stage refreshes the readings offered
            refresh = {
                "hx-get": readings_url,
                "hx-trigger": "change",
                "hx-target": "#reading-fields",
                "hx-swap": "outerHTML",
                "hx-include": "#enter-test, #enter-stage",
            }
            self.fields["test"].widget.attrs.update(refresh)
            self.fields["stage"].widget.attrs.update(refresh)
        test = cast(forms.ChoiceField, self.fields["test"])
        test.choices = [("", "—"), *((t.code, lab_test_name(t.code)) for t in self.tests)]
        code = self._chosen("test")
        self.offer(readings_for(self.tests, code, self._chosen("stage") or Stage.SCREEN))
        self.measured = is_measured(self.tests, code)

    def _chosen(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(name, ""))
        return str(self.initial.get(name, ""))


class CorrectForm(_ReadingFields):
    """A correction of one result: the new reading and the reason, which is mandatory (the
    action and the database refuse a correction without one too)."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        error_messages={"required": _("Give the reason for the correction.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, result: TestResult, test: RequiredTest | None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", f"correct-{result.uuid.hex}-%s")  # one form per result
        super().__init__(*args, **kwargs)
        tests = [test] if test is not None else []
        self.offer(readings_for(tests, test.code if test else "", result.stage))
        self.measured = test is not None and test.acceptable == "within_limit"


class ReleaseForm(forms.Form):
    """Release one component (with the version the person saw) or, without one, every
    quarantined component of the donation that passes the gate."""

    component = forms.UUIDField(required=False)
    version = forms.IntegerField(required=False, min_value=1)


# The analyser file's columns (bloodline/lab/imports.py reads them), explained on the page.
IMPORT_COLUMNS = [
    (
        "din",
        _("The DIN, as scanned (“=” and 15 characters) or with its check character."),
    ),
    (
        "test",
        _("The test's code on the panel, such as hiv, hbv, hcv, syphilis, abo, rhd."),
    ),
    ("stage", _("screen, repeat or confirmatory; empty means screen.")),
    ("result", _("The reading's code (see below); value for a measured test.")),
    ("value", _("The measured value of a measured test, such as ALT in U/L.")),
    ("manufacturer", _("The reagent's manufacturer; needed where two are required.")),
    ("reagent_lot", _("The reagent lot.")),
    ("operator", _("Who ran the test.")),
    ("instrument", _("The analyser.")),
    (
        "result_id",
        _("The analyser's own id of the result: a file imported twice adds nothing."),
    ),
]


class ImportForm(ActionForm):
    establishment = forms.ModelChoiceField(
        label=_("Laboratory of"),
        queryset=Organisation.objects.none(),  # the person's establishments, set in __init__
        to_field_name="uuid",
    )
    file = forms.FileField(
        label=_("Analyser result file (CSV)"),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, establishments: OrganisationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_establishments(self, establishments)
        self.fields["file"].help_text = gettext(
            "Comma-separated values in UTF-8, at most %(size)s MB."
        ) % {"size": MAX_IMPORT_MB}

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_IMPORT_MB * 1024 * 1024:
            raise forms.ValidationError(
                gettext(
                    "The file is larger than %(size)s MB. Import the analyser's runs in "
                    "smaller files."
                )
                % {"size": MAX_IMPORT_MB}
            )
        try:
            self.content = b"".join(upload.chunks()).decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text. Export it again as “CSV UTF-8”.")
            ) from None
        return upload


class AcknowledgeForm(ActionForm):
    response = forms.CharField(
        label=_("What was done with the unit or the recipient"),
        error_messages={"required": _("Say what was done with the unit or the recipient.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, task: NotificationTask, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"ack-{task.uuid.hex}-%s")  # one form per task
        super().__init__(*args, **kwargs)

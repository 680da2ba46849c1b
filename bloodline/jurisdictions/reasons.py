"""Short names of the engine's reason codes, in the reader's language.

Deferrals and presentations store reason codes (``weight.low``, ``deferral.tattoo``,
``physician``…); this table turns them into words wherever they are counted or listed — the
screening pages, the drive's reconciliation, the reports. It sits at the bottom layer so that
apps below screening can name reasons too; a questionnaire deferral is named by its question,
which the screening app supplies through ``register_question_wording`` (it owns the
questionnaires). A code is never shown as it is (decision 0026).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bloodline.jurisdictions.labels import lab_test_name

LABELS = {
    "physician": gettext_lazy("physician's decision"),
    "age.under_min": gettext_lazy("below the minimum age"),
    "age.over_max": gettext_lazy("above the maximum age"),
    "age.over_max_review": gettext_lazy("above the maximum age, physician's approval needed"),
    "age.first_time_over_limit": gettext_lazy("first-time donor above the age limit"),
    "age.repeat_donor_reaction_unknown": gettext_lazy(
        "repeat donor above the age limit, reaction answer missing"
    ),
    "weight.low": gettext_lazy("weight below the minimum"),
    "hb.low": gettext_lazy("haemoglobin too low"),
    "bp.systolic_low": gettext_lazy("systolic pressure too low"),
    "bp.systolic_high": gettext_lazy("systolic pressure too high"),
    "bp.diastolic_low": gettext_lazy("diastolic pressure too low"),
    "bp.diastolic_high": gettext_lazy("diastolic pressure too high"),
    "bp.pulse_pressure_low": gettext_lazy("pulse pressure too low"),
    "pulse.low": gettext_lazy("pulse too slow"),
    "pulse.high": gettext_lazy("pulse too fast"),
    "temperature.high": gettext_lazy("raised temperature"),
    "annual.max_reached": gettext_lazy("yearly maximum of donations reached"),
    "donation_type.not_covered": gettext_lazy("donation type not covered by the rules"),
}

QuestionWording = Callable[[str, Any], str]
_wordings: list[QuestionWording] = []


def register_question_wording(wording: QuestionWording) -> None:
    """Let the app that owns the questionnaires word a question code for a rule set."""
    if wording not in _wordings:
        _wordings.append(wording)


def _question(code: str, rule_set: Any) -> str:
    for wording in _wordings:
        text = wording(code, rule_set)
        if text:
            return text
    return ""


def reason_label(code: str, rule_set: Any = "") -> str:
    """The reason ``code`` as words; the questionnaire's question for a questionnaire
    deferral (of ``rule_set``, e.g. "VN-TT26-2013 2013")."""
    if code in LABELS:
        return str(LABELS[code])
    if code.startswith("confirmed_positive_"):
        test = lab_test_name(code.removeprefix("confirmed_positive_"))
        return _("confirmed positive: %(test)s") % {"test": test}
    if code.startswith("interval."):
        return _("too soon after the last donation")
    if code.startswith("deferral.recorded."):
        return _("a deferral already on record")
    if code.startswith("no_rule."):
        return _("a measurement the rules do not judge")
    if code.startswith("answer.unknown."):
        return _("an answer the donor did not know")
    if code.startswith(("deferral.", "answer.no_rule.")):
        question = code.removeprefix("deferral.").removeprefix("answer.no_rule.")
        return _question(question, rule_set) or _("an answer to the health questionnaire")
    return _("another reason")

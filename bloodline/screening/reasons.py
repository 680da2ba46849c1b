"""Deferral reasons in the reader's language.

A deferral stores the code of the engine reason that decided it (``weight.low``,
``deferral.tattoo``…) or ``physician``; reports show these codes as words, translated when the
page is rendered (CONVENTIONS §25)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bloodline.jurisdictions.loader import UnknownRuleSet, registry
from bloodline.screening.questionnaire import for_jurisdiction

LABELS = {
    "physician": gettext_lazy("physician's decision"),
    "age.under_min": gettext_lazy("below the minimum age"),
    "age.over_max": gettext_lazy("above the maximum age"),
    "age.first_time_over_limit": gettext_lazy("first-time donor above the age limit"),
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
}


def reason_label(code: str, rule_set: str = "") -> str:
    """The reason ``code`` as words; the questionnaire's question for a questionnaire
    deferral (of ``rule_set``, e.g. "VN-TT26-2013 2013"); the code itself if unknown."""
    if code in LABELS:
        return str(LABELS[code])
    if code.startswith("interval."):
        return _("too soon after the last donation")
    if code.startswith("deferral.recorded."):
        return _("a deferral already on record")
    if code.startswith("deferral."):
        question = _question(code.removeprefix("deferral."), rule_set)
        return question or code
    return code


def _question(code: str, rule_set: str) -> str:
    jurisdiction = rule_set.split(" ")[0]
    questionnaire = for_jurisdiction(jurisdiction) if jurisdiction else None
    for question in questionnaire.questions if questionnaire else ():
        if question.code == code:
            try:
                rules = registry.current(jurisdiction)
            except UnknownRuleSet:
                rules = None
            return question.wording(rules)
    return ""

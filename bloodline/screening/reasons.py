"""Engine reasons as words, rendered in the reader's language from stored facts.

The engine gives each reason a code (``weight.low``, ``deferral.tattoo``…) and the parameters
its sentence needs (numbers, ISO dates, the codes of questions, periods and donation types).
Presentations and deferrals store those facts, never a sentence (CONVENTIONS §25, decision
0026); ``describe`` writes the sentence and ``reason_label`` the short name in whatever
language the page, the report or the API request is in. A row written before codes carried
their parameters keeps its old sentence as a legacy fallback, shown as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bloodline.jurisdictions import reasons as shared
from bloodline.jurisdictions.labels import DONATION_TYPES, HAEMOGLOBIN, VITALS, period_text
from bloodline.jurisdictions.loader import UnknownRuleSet, registry
from bloodline.jurisdictions.schema import RuleSet

# Kept for the reports that import it; the table lives one layer down so that the drive's
# reconciliation (below screening) can name reasons too.
LABELS = shared.LABELS
RULE_NAMES = {**VITALS, "hb_min_M": HAEMOGLOBIN["M"], "hb_min_F": HAEMOGLOBIN["F"]}

VITAL_MESSAGES = {
    "bp.systolic_low": gettext_lazy(
        "Systolic pressure %(value)s mmHg is below the limit %(limit)s."
    ),
    "bp.systolic_high": gettext_lazy(
        "Systolic pressure %(value)s mmHg is above the limit %(limit)s."
    ),
    "bp.diastolic_low": gettext_lazy(
        "Diastolic pressure %(value)s mmHg is below the limit %(limit)s."
    ),
    "bp.diastolic_high": gettext_lazy(
        "Diastolic pressure %(value)s mmHg is above the limit %(limit)s."
    ),
    "bp.pulse_pressure_low": gettext_lazy(
        "Pulse pressure %(value)s mmHg is below the limit %(limit)s."
    ),
    "pulse.low": gettext_lazy("Pulse %(value)s/min is below the limit %(limit)s."),
    "pulse.high": gettext_lazy("Pulse %(value)s/min is above the limit %(limit)s."),
    "temperature.high": gettext_lazy("Temperature %(value)s °C is above the limit %(limit)s."),
}
AGE_MESSAGES = {
    "age.first_time_over_limit": gettext_lazy(
        "A first-time donor over %(years)s years needs a physician's approval."
    ),
    "age.repeat_donor_reaction_unknown": gettext_lazy(
        "Repeat donors may give blood up to %(years)s years only if they never had a "
        "reaction to a donation; that answer is missing."
    ),
    "age.over_max_review": gettext_lazy(
        "Donors over %(years)s years may give blood only with a physician's approval."
    ),
    "age.over_max": gettext_lazy("Donors may give blood up to the age of %(years)s years."),
}
DEFERRAL_MESSAGES = {
    "permanent": gettext_lazy("“%(question)s”: permanently deferred."),
    "while_present": gettext_lazy("“%(question)s”: deferred while it lasts."),
    "physician": gettext_lazy("“%(question)s”: a physician must decide."),
}


def num(value: Any) -> str:
    """A stored number in the reader's format (a whole number without decimals)."""
    number = float(value)
    return formats.number_format(int(number) if number.is_integer() else number)


def day(value: str | dt.date) -> str:
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(date, "DATE_FORMAT")


def _rules(rule_set: str | RuleSet | None) -> RuleSet | None:
    if rule_set is None or isinstance(rule_set, RuleSet):
        return rule_set
    jurisdiction = rule_set.split(" ")[0]
    try:
        return registry.current(jurisdiction) if jurisdiction else None
    except UnknownRuleSet:
        return None


def question_text(code: str, rule_set: str | RuleSet | None) -> str:
    """The question as the donor was asked it, in the reader's language; "" if unknown."""
    # The questionnaire module reads the engine's fact questions, and the engine words its
    # reasons here: imported when first needed.
    from bloodline.screening.questionnaire import for_jurisdiction

    if rule_set is None:
        return ""
    jurisdiction = rule_set.code if isinstance(rule_set, RuleSet) else rule_set.split(" ")[0]
    questionnaire = for_jurisdiction(jurisdiction) if jurisdiction else None
    for question in questionnaire.questions if questionnaire else ():
        if question.code == code:
            return question.wording(_rules(rule_set))
    return ""


def _period(params: Mapping[str, Any]) -> str:
    value, unit = params["period"]
    return period_text(int(value), str(unit))


def _sentence(code: str, p: Mapping[str, Any], rule_set: str | RuleSet | None) -> str:
    if code == "age.under_min":
        return _("Donors must be at least %(years)s years old; eligible from %(date)s.") % {
            "years": num(p["years"]),
            "date": day(p["date"]),
        }
    if code in AGE_MESSAGES:
        return str(AGE_MESSAGES[code]) % {"years": num(p["years"])}
    if code == "weight.low":
        return _("Weight %(weight)s kg is below the minimum of %(minimum)s kg.") % {
            "weight": num(p["weight"]),
            "minimum": num(p["minimum"]),
        }
    if code == "hb.low":
        return _("Haemoglobin %(value)s g/L is below the minimum of %(minimum)s g/L.") % {
            "value": num(p["value"]),
            "minimum": num(p["minimum"]),
        }
    if code in VITAL_MESSAGES:
        return str(VITAL_MESSAGES[code]) % {"value": num(p["value"]), "limit": num(p["limit"])}
    if code.startswith("no_rule."):
        key = code.removeprefix("no_rule.")
        return _(
            "These rules set no “%(rule)s”, so the measured %(value)s is not judged; a physician "
            "must decide."
        ) % {"rule": RULE_NAMES.get(key, key), "value": num(p["value"])}
    if code == "donation_type.not_covered":
        kind = str(p["type"])
        return _("These rules set no interval for %(type)s; a physician must decide.") % {
            "type": DONATION_TYPES.get(kind, kind)
        }
    if code.startswith("interval."):
        previous = str(p["previous"])
        return _("%(period)s must pass after %(previous)s; eligible from %(date)s.") % {
            "period": _period(p),
            "previous": DONATION_TYPES.get(previous, previous),
            "date": day(p["date"]),
        }
    if code == "annual.max_reached":
        return _("At most %(count)s such donations in 12 months; eligible from %(date)s.") % {
            "count": p["count"],
            "date": day(p["date"]),
        }
    if code.startswith("answer.unknown."):
        question = code.removeprefix("answer.unknown.")
        text = question_text(question, rule_set) or question
        return _("The answer to “%(question)s” is unknown; a physician must decide.") % {
            "question": text
        }
    if code.startswith("answer.no_rule."):
        question = code.removeprefix("answer.no_rule.")
        text = question_text(question, rule_set) or question
        return _("These rules do not cover “%(question)s”; a physician must decide.") % {
            "question": text
        }
    if code.startswith("deferral.recorded."):
        if p.get("permanent"):
            return _("A permanent deferral is on record.")
        return _("A deferral is on record.")
    if code.startswith("deferral."):
        return _deferral_sentence(code.removeprefix("deferral."), p, rule_set)
    return reason_label(code, rule_set)


def _deferral_sentence(question: str, p: Mapping[str, Any], rule_set: Any) -> str:
    text = {"question": question_text(question, rule_set) or reason_label(question, rule_set)}
    kind = str(p.get("kind", ""))
    if kind in DEFERRAL_MESSAGES:
        return str(DEFERRAL_MESSAGES[kind]) % text
    return _("“%(question)s”: deferred for %(period)s, until %(date)s.") % {
        **text,
        "period": _period(p),
        "date": day(p["date"]),
    }


def describe(
    code: str, params: Mapping[str, Any] | None, rule_set: str | RuleSet | None = None
) -> str:
    """The reason's sentence in the active language, from its code and parameters.

    ``rule_set`` (a RuleSet, or its label "VN-TT26-2013 2013") words questionnaire reasons.
    A limit the deployer has not confirmed (``unconfirmed``) says a physician must decide."""
    sentence = _sentence(code, params or {}, rule_set)
    if (params or {}).get("unconfirmed"):
        return _(
            "%(finding)s This limit awaits the deployer's confirmation; a physician must decide."
        ) % {"finding": sentence}
    return sentence


def render_row(row: Mapping[str, Any], rule_set: str = "") -> str:
    """A stored engine reason (a presentation's ``engine_reasons`` item) as a sentence.

    Rows from before decision 0026 whose sentence could not be mapped back to parameters
    keep that sentence (``legacy_text``) and show it as it is."""
    code = str(row.get("code", ""))
    if "params" in row:
        try:
            return describe(code, row["params"], rule_set)
        except (KeyError, TypeError, ValueError):
            pass
    legacy = row.get("legacy_text") or row.get("message")
    return str(legacy) if legacy else reason_label(code, rule_set)


def reason_label(code: str, rule_set: str | RuleSet | None = "") -> str:
    """The reason ``code`` as a short name; the questionnaire's question for a questionnaire
    deferral (of ``rule_set``, e.g. "VN-TT26-2013 2013"); never the bare code."""
    return shared.reason_label(code, rule_set)


def question_label(code: str, rule_set: Any) -> str:
    """The questionnaire's wording of question ``code``; registered with the shared table
    when the app is ready (``ScreeningConfig.ready``)."""
    return question_text(code, rule_set or None)

"""The eligibility engine: facts about a donor plus one rule-set version give a decision.

``evaluate`` is pure: every threshold comes from the rule set (never a literal here), and every
reason names the rule's source ids and the rule-set version, so a decision can be traced.
Outcomes rank permanent deferral > temporary deferral > physician review > eligible; every
reason found is reported, not only the one that decided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils import formats
from django.utils.translation import gettext as _

from bloodline.jurisdictions.labels import DONATION_TYPES, HAEMOGLOBIN, VITALS, period_text
from bloodline.jurisdictions.loader import Registry, registry
from bloodline.jurisdictions.schema import (
    AnnualMaximum,
    Deferral,
    Limit,
    NotJudged,
    Provenance,
    Quantity,
    RuleSet,
    WeightBand,
)
from bloodline.screening.calendar import add_period, age_on, birthday

Outcome = Literal["eligible", "deferred_temporary", "deferred_permanent", "review"]
Severity = Literal["permanent", "temporary", "review"]
Sex = Literal["M", "F"]

# Answers the engine reads as facts about the donor rather than as deferral questions.
PREVIOUS_REACTION = "previous_donation_reaction"
ENDURANCE_ATHLETE = "endurance_athlete"
FACT_QUESTIONS = frozenset({PREVIOUS_REACTION, ENDURANCE_ATHLETE})


@dataclass(frozen=True)
class Donation:
    on: dt.date
    type: str
    volume_ml: int | None = None


@dataclass(frozen=True)
class ActiveDeferral:
    """A deferral already on the donor's record; ``until`` None with permanent=False is open."""

    code: str
    until: dt.date | None = None
    permanent: bool = False


@dataclass(frozen=True)
class Facts:
    on: dt.date
    sex: Sex
    date_of_birth: dt.date
    donation_type: str
    weight_kg: float | None = None
    temperature_c: float | None = None
    systolic: int | None = None
    diastolic: int | None = None
    pulse: int | None = None
    hb_g_l: float | None = None
    history: Sequence[Donation] = ()
    # True = yes, False = no, None = the donor does not know.
    answers: Mapping[str, bool | None] = field(default_factory=dict)
    # When the event behind a "yes" happened; without it the period runs from ``on``.
    event_dates: Mapping[str, dt.date] = field(default_factory=dict)
    active_deferrals: Sequence[ActiveDeferral] = ()


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    source: str
    rule_version: str
    severity: Severity
    until: dt.date | None = None
    verified: bool = True
    # A temporary deferral the rule set lets a physician override (decision 0015).
    overridable: bool = False


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: list[Reason]
    allowed_volumes_ml: list[int]
    deferred_until: dt.date | None
    rule_set: str

    @property
    def overridable(self) -> bool:
        """A temporary deferral whose every deferring reason the rules mark overridable."""
        deciding = [r for r in self.reasons if r.severity != "review"]
        return self.outcome == "deferred_temporary" and all(r.overridable for r in deciding)


class _Collector:
    """Gathers reasons against one rule-set version."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.reasons: list[Reason] = []

    def add(
        self,
        code: str,
        message: str,
        rule: Provenance | None,
        severity: Severity,
        until: dt.date | None = None,
    ) -> None:
        source = ", ".join(rule.source) if rule else ""
        verified = rule.verified if rule else True
        version = f"{self.rules.code} {self.rules.version}"
        overridable = severity == "temporary" and code in self.rules.overridable()
        self.reasons.append(
            Reason(code, message, source, version, severity, until, verified, overridable)
        )


def _num(value: float) -> str:
    return formats.number_format(int(value) if float(value).is_integer() else value)


def _day(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _repeat_donor(facts: Facts) -> bool:
    return any(d.on < facts.on for d in facts.history)


# --- age -----------------------------------------------------------------------------------


def _check_age(facts: Facts, out: _Collector) -> None:
    age_rules = out.rules.age
    age = age_on(facts.date_of_birth, facts.on)
    if age < age_rules.min_years.value:
        until = birthday(facts.date_of_birth, int(age_rules.min_years.value))
        message = _("Donors must be at least %(years)s years old; eligible from %(date)s.") % {
            "years": _num(age_rules.min_years.value),
            "date": _day(until),
        }
        out.add("age.under_min", message, age_rules.min_years, "temporary", until)
        return
    if age <= age_rules.max_years.value:
        _check_first_time_age(facts, age, out)
        return
    if _repeat_extension(facts, age, out):
        return
    _over_max_age(facts, out)


def _check_first_time_age(facts: Facts, age: int, out: _Collector) -> None:
    limit = out.rules.age.review_first_time_above_years
    if limit is not None and age > limit.value and not _repeat_donor(facts):
        message = _("A first-time donor over %(years)s years needs a physician's approval.") % {
            "years": _num(limit.value)
        }
        out.add("age.first_time_over_limit", message, limit, "review")


def _repeat_extension(facts: Facts, age: int, out: _Collector) -> bool:
    """True when the repeat-donor age extension settles the age question."""
    extended = out.rules.age.max_years_repeat_donor
    if extended is None or age > extended.value or not _repeat_donor(facts):
        return False
    if extended.value <= out.rules.age.max_years.value:
        return False
    reaction = facts.answers.get(PREVIOUS_REACTION)
    if reaction is False:
        return True
    if reaction is None:
        message = _(
            "Repeat donors may give blood up to %(years)s years only if they never had a "
            "reaction to a donation; that answer is missing."
        ) % {"years": _num(extended.value)}
        out.add("age.repeat_donor_reaction_unknown", message, extended, "review")
        return True
    return False


def _over_max_age(facts: Facts, out: _Collector) -> None:
    age_rules = out.rules.age
    review = age_rules.review_above_max
    if review is not None and (review.who == "any" or _repeat_donor(facts)):
        message = _("Donors over %(years)s years may give blood only with a physician's approval.")
        out.add(
            "age.over_max_review",
            message % {"years": _num(age_rules.max_years.value)},
            review,
            "review",
        )
        return
    message = _("Donors may give blood up to the age of %(years)s years.") % {
        "years": _num(age_rules.max_years.value)
    }
    out.add("age.over_max", message, age_rules.max_years, "permanent")


# --- weight and volumes ----------------------------------------------------------------------


def _bands_for(rules: RuleSet, sex: Sex, weight: float) -> list[WeightBand]:
    return [b for b in rules.weight_bands if b.sex in (sex, "any") and b.min_weight_kg <= weight]


def volumes_for_weight(rules: RuleSet, sex: Sex, weight: float | None) -> list[int]:
    """Whole-blood volumes the rule set allows a donor of this sex and weight to give."""
    volumes = list(rules.whole_blood_volumes.values_ml)
    if weight is None:
        return volumes
    bands = _bands_for(rules, sex, weight)
    if not bands:
        return []
    # The band with the highest minimum weight the donor reaches is the most specific one.
    band = max(bands, key=lambda b: b.min_weight_kg)
    limit = band.max_volume_ml
    if band.max_ml_per_kg is not None:
        limit = min(limit, band.max_ml_per_kg * weight)
    return [v for v in volumes if v <= limit]


def _lightest(rules: RuleSet, sex: Sex) -> WeightBand:
    bands = [b for b in rules.weight_bands if b.sex in (sex, "any")]
    return min(bands, key=lambda b: b.min_weight_kg)


def _check_weight(facts: Facts, out: _Collector) -> None:
    rule: Provenance  # the band, or the apheresis minimum where the rule set has one
    if facts.weight_kg is None:
        return
    band = _lightest(out.rules, facts.sex)
    minimum, rule = band.min_weight_kg, band
    if facts.donation_type == "whole_blood":
        if volumes_for_weight(out.rules, facts.sex, facts.weight_kg):
            return
    else:
        apheresis = out.rules.apheresis_min_weight_kg
        if apheresis is not None:
            minimum, rule = apheresis.value, apheresis
        if facts.weight_kg >= minimum:
            return
    message = _("Weight %(weight)s kg is below the minimum of %(minimum)s kg.") % {
        "weight": _num(facts.weight_kg),
        "minimum": _num(minimum),
    }
    out.add("weight.low", message, rule, "temporary")


def _volumes_for_hb(facts: Facts, rules: RuleSet, volumes: list[int]) -> list[int]:
    if facts.hb_g_l is None:
        return volumes
    for rule in rules.haemoglobin.by_volume:
        if facts.hb_g_l < rule.min_g_l:
            volumes = [v for v in volumes if v < rule.from_volume_ml]
    return volumes


def allowed_volumes(facts: Facts, rules: RuleSet) -> list[int]:
    if facts.donation_type != "whole_blood":
        return []
    volumes = volumes_for_weight(rules, facts.sex, facts.weight_kg)
    return _volumes_for_hb(facts, rules, volumes)


# --- haemoglobin and vital signs -------------------------------------------------------------


def _not_judged(key: str, value: float, rule: NotJudged | None, out: _Collector) -> None:
    """A measured value the rule set has no limit for: a physician judges it (README rule 3)."""
    message = _(
        "These rules set no “%(rule)s”, so the measured %(value)s is not judged; a physician "
        "must decide."
    ) % {"rule": RULE_NAMES.get(key, key), "value": _num(value)}
    out.add(f"no_rule.{key}", message, rule, "review")


def _breach(code: str, message: str, rule: Provenance, out: _Collector) -> None:
    """A verified limit defers; a limit still awaiting the deployer's confirmation sends the
    donor to a physician with that said (decision 0014)."""
    if rule.verified:
        out.add(code, message, rule, "temporary")
        return
    message = _(
        "%(finding)s This limit awaits the deployer's confirmation; a physician must decide."
    ) % {"finding": message}
    out.add(code, message, rule, "review")


def _hb_rule(facts: Facts, rules: RuleSet) -> Quantity | NotJudged:
    return rules.haemoglobin.min_g_l.M if facts.sex == "M" else rules.haemoglobin.min_g_l.F


def _check_hb(facts: Facts, out: _Collector) -> None:
    if facts.hb_g_l is None:
        return
    rule = _hb_rule(facts, out.rules)
    if isinstance(rule, NotJudged):
        _not_judged(f"hb_min_{facts.sex}", facts.hb_g_l, rule, out)
    elif facts.hb_g_l < rule.value:
        message = _("Haemoglobin %(value)s g/L is below the minimum of %(minimum)s g/L.") % {
            "value": _num(facts.hb_g_l),
            "minimum": _num(rule.value),
        }
        _breach("hb.low", message, rule, out)


# (reason code, rule key, whether the limit is a minimum). Pulse pressure is an optional
# refinement: a rule set without it judges the systolic and diastolic pressures alone.
VITAL_CHECKS = (
    ("bp.systolic_low", "systolic_min", True),
    ("bp.systolic_high", "systolic_max", False),
    ("bp.diastolic_low", "diastolic_min", True),
    ("bp.diastolic_high", "diastolic_max", False),
    ("bp.pulse_pressure_low", "pulse_pressure_min", True),
    ("pulse.low", "pulse_min", True),
    ("pulse.high", "pulse_max", False),
    ("temperature.high", "temperature_max_c", False),
)
OPTIONAL_VITALS = frozenset({"pulse_pressure_min"})


MEASURED_FIELD = {
    "systolic_min": "systolic",
    "systolic_max": "systolic",
    "diastolic_min": "diastolic",
    "diastolic_max": "diastolic",
    "pulse_min": "pulse",
    "pulse_max": "pulse",
    "temperature_max_c": "temperature_c",
}
RULE_NAMES = {**VITALS, "hb_min_M": HAEMOGLOBIN["M"], "hb_min_F": HAEMOGLOBIN["F"]}


def _measured(facts: Facts, key: str) -> float | None:
    if key == "pulse_pressure_min":
        if facts.systolic is None or facts.diastolic is None:
            return None
        return facts.systolic - facts.diastolic
    value: float | None = getattr(facts, MEASURED_FIELD[key])
    return value


def _vital_rule(facts: Facts, rules: RuleSet, key: str) -> Limit | NotJudged | None:
    if key == "pulse_min":
        athlete = rules.vitals.pulse_min_endurance_athlete
        if athlete is not None and facts.answers.get(ENDURANCE_ATHLETE) is True:
            return athlete
    rule: Limit | NotJudged | None = getattr(rules.vitals, key)
    return rule


def _below(value: float, limit: Limit) -> bool:
    return value < limit.value if limit.inclusive else value <= limit.value


def _above(value: float, limit: Limit) -> bool:
    return value > limit.value if limit.inclusive else value >= limit.value


def _vital_message(code: str, value: float, limit: Limit) -> str:
    messages = {
        "bp.systolic_low": _("Systolic pressure %(value)s mmHg is below the limit %(limit)s."),
        "bp.systolic_high": _("Systolic pressure %(value)s mmHg is above the limit %(limit)s."),
        "bp.diastolic_low": _("Diastolic pressure %(value)s mmHg is below the limit %(limit)s."),
        "bp.diastolic_high": _("Diastolic pressure %(value)s mmHg is above the limit %(limit)s."),
        "bp.pulse_pressure_low": _("Pulse pressure %(value)s mmHg is below the limit %(limit)s."),
        "pulse.low": _("Pulse %(value)s/min is below the limit %(limit)s."),
        "pulse.high": _("Pulse %(value)s/min is above the limit %(limit)s."),
        "temperature.high": _("Temperature %(value)s °C is above the limit %(limit)s."),
    }
    return messages[code] % {"value": _num(value), "limit": _num(limit.value)}


def _check_vitals(facts: Facts, out: _Collector) -> None:
    for code, key, minimum in VITAL_CHECKS:
        value = _measured(facts, key)
        if value is None:
            continue
        rule = _vital_rule(facts, out.rules, key)
        if rule is None and key in OPTIONAL_VITALS:
            continue
        if rule is None or isinstance(rule, NotJudged):
            _not_judged(key, value, rule, out)
        elif _below(value, rule) if minimum else _above(value, rule):
            _breach(code, _vital_message(code, value, rule), rule, out)


# --- intervals and annual maxima -------------------------------------------------------------


def _considered_history(facts: Facts, rules: RuleSet) -> list[Donation]:
    past = sorted((d for d in facts.history if d.on <= facts.on), key=lambda d: d.on)
    if rules.interval_basis is not None and rules.interval_basis.rule == "most_recent":
        return past[-1:]
    return past


def _check_intervals(facts: Facts, out: _Collector) -> None:
    wanted = facts.donation_type
    rules = [i for i in out.rules.intervals if i.before == wanted and i.sex in (facts.sex, "any")]
    if not rules:
        message = _("These rules set no interval for %(type)s; a physician must decide.") % {
            "type": DONATION_TYPES.get(wanted, wanted)
        }
        out.add("donation_type.not_covered", message, out.rules.provenance, "review")
        return
    history = _considered_history(facts, out.rules)
    for after in sorted({i.after for i in rules}):
        # A rule for the donor's sex overrides one for everyone.
        rule = min((i for i in rules if i.after == after), key=lambda i: i.sex == "any")
        last = max((d.on for d in history if d.type == after), default=None)
        if last is None:
            continue
        until = add_period(last, rule.period.value, rule.period.unit)
        if facts.on < until:
            message = _("%(period)s must pass after %(previous)s; eligible from %(date)s.") % {
                "period": period_text(rule.period.value, rule.period.unit),
                "previous": DONATION_TYPES.get(after, after),
                "date": _day(until),
            }
            code = f"interval.{wanted}_after_{after}"
            out.add(code, message, rule.period, "temporary", until)


def _annual_until(facts: Facts, limit: AnnualMaximum) -> dt.date | None:
    # A donation counts while fewer than 12 calendar months have passed since it.
    counted = sorted(
        d.on
        for d in facts.history
        if d.type in limit.donation_types and d.on <= facts.on < add_period(d.on, 12, "months")
    )
    if len(counted) < limit.max_count:
        return None
    return add_period(counted[len(counted) - limit.max_count], 12, "months")


def _check_annual(facts: Facts, out: _Collector) -> None:
    for limit in out.rules.annual_maxima:
        if facts.donation_type not in limit.donation_types or limit.sex not in (facts.sex, "any"):
            continue
        until = _annual_until(facts, limit)
        if until is not None:
            message = _(
                "At most %(count)s such donations in 12 months; eligible from %(date)s."
            ) % {"count": limit.max_count, "date": _day(until)}
            out.add("annual.max_reached", message, limit, "temporary", until)


# --- screening answers and recorded deferrals ------------------------------------------------


def _check_answers(facts: Facts, out: _Collector) -> None:
    for code in sorted(facts.answers):
        if code in FACT_QUESTIONS:
            continue
        answer = facts.answers[code]
        rule = out.rules.deferral(code)
        if answer is None:
            message = _("The answer to “%(question)s” is unknown; a physician must decide.")
            text = _question_text(code, out.rules)
            out.add(f"answer.unknown.{code}", message % {"question": text}, rule, "review")
        elif answer and rule is None:
            message = _("These rules do not cover “%(question)s”; a physician must decide.")
            out.add(f"answer.no_rule.{code}", message % {"question": code}, None, "review")
        elif answer and rule is not None:
            _apply_deferral(facts, rule, out)


def _question_text(code: str, rules: RuleSet) -> str:
    """The question as the donor was asked it, in the reader's language; the code if the
    jurisdiction's questionnaire does not ask it."""
    from bloodline.screening.questionnaire import for_jurisdiction  # it imports this module

    questionnaire = for_jurisdiction(rules.code)
    for question in questionnaire.questions if questionnaire else ():
        if question.code == code:
            return question.wording(rules)
    return code


def _apply_deferral(facts: Facts, rule: Deferral, out: _Collector) -> None:
    if rule.donation_types and facts.donation_type not in rule.donation_types:
        return
    code = f"deferral.{rule.code}"
    question = {"question": _question_text(rule.code, out.rules)}
    if rule.kind == "permanent":
        message = _("“%(question)s”: permanently deferred.") % question
        out.add(code, message, rule, "permanent")
    elif rule.kind == "while_present":
        message = _("“%(question)s”: deferred while it lasts.") % question
        out.add(code, message, rule, "temporary")
    elif rule.kind == "physician":
        message = _("“%(question)s”: a physician must decide.") % question
        out.add(code, message, rule, "review")
    elif rule.period is not None:
        start = facts.event_dates.get(rule.code, facts.on)
        until = add_period(start, rule.period.value, rule.period.unit)
        if facts.on < until:
            message = _("“%(question)s”: deferred for %(period)s, until %(date)s.") % {
                **question,
                "period": period_text(rule.period.value, rule.period.unit),
                "date": _day(until),
            }
            out.add(code, message, rule, "temporary", until)


def _check_recorded(facts: Facts, out: _Collector) -> None:
    for deferral in facts.active_deferrals:
        code = f"deferral.recorded.{deferral.code}"
        if deferral.permanent:
            out.add(code, _("A permanent deferral is on record."), None, "permanent")
        elif deferral.until is None or facts.on < deferral.until:
            message = _("A deferral is on record.")
            out.add(code, message, None, "temporary", deferral.until)


# --- the decision ----------------------------------------------------------------------------

CHECKS = (
    _check_age,
    _check_weight,
    _check_hb,
    _check_vitals,
    _check_intervals,
    _check_annual,
    _check_answers,
    _check_recorded,
)


def _outcome(reasons: list[Reason]) -> Outcome:
    severities = {r.severity for r in reasons}
    if "permanent" in severities:
        return "deferred_permanent"
    if "temporary" in severities:
        return "deferred_temporary"
    return "review" if "review" in severities else "eligible"


def evaluate(facts: Facts, rules: RuleSet) -> Decision:
    out = _Collector(rules)
    for check in CHECKS:
        check(facts, out)
    outcome = _outcome(out.reasons)
    # Undated reasons (Hb, blood pressure, pregnancy) are re-checked at the next visit; the
    # date given is when every dated reason has ended.
    dated = [r.until for r in out.reasons if r.severity == "temporary" and r.until]
    until = max(dated) if outcome == "deferred_temporary" and dated else None
    volumes = allowed_volumes(facts, rules) if outcome in ("eligible", "review") else []
    return Decision(outcome, out.reasons, volumes, until, f"{rules.code} {rules.version}")


def evaluate_on(jurisdiction: str, facts: Facts, rule_sets: Registry | None = None) -> Decision:
    """Evaluate under the version of ``jurisdiction`` in force on the facts' date."""
    source = rule_sets if rule_sets is not None else registry
    return evaluate(facts, source.get(jurisdiction, facts.on))

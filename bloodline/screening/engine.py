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
from typing import Any, Literal

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
from bloodline.screening.reasons import describe

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
    """Why the engine decided: a code and the parameters its sentence needs (numbers, ISO
    dates, codes), stored as such; ``message`` is that sentence in the active language,
    written by ``screening.reasons.describe`` (decision 0026)."""

    code: str
    params: Mapping[str, Any]
    source: str
    rule_version: str
    severity: Severity
    until: dt.date | None = None
    verified: bool = True
    # A temporary deferral the rule set lets a physician override (decision 0015).
    overridable: bool = False
    # The rule set judged against, to word questionnaire reasons; not stored.
    rules: RuleSet | None = field(default=None, compare=False, repr=False)

    @property
    def message(self) -> str:
        return describe(self.code, self.params, self.rules or self.rule_version)


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
        params: Mapping[str, Any],
        rule: Provenance | None,
        severity: Severity,
        until: dt.date | None = None,
    ) -> None:
        source = ", ".join(rule.source) if rule else ""
        verified = rule.verified if rule else True
        version = f"{self.rules.code} {self.rules.version}"
        overridable = severity == "temporary" and code in self.rules.overridable()
        self.reasons.append(
            Reason(
                code,
                dict(params),
                source,
                version,
                severity,
                until,
                verified,
                overridable,
                self.rules,
            )
        )


def _num(value: float) -> int | float:
    """A number as a stored parameter: whole numbers without decimals."""
    return int(value) if float(value).is_integer() else float(value)


def _repeat_donor(facts: Facts) -> bool:
    return any(d.on < facts.on for d in facts.history)


# --- age -----------------------------------------------------------------------------------


def _check_age(facts: Facts, out: _Collector) -> None:
    age_rules = out.rules.age
    age = age_on(facts.date_of_birth, facts.on)
    if age < age_rules.min_years.value:
        until = birthday(facts.date_of_birth, int(age_rules.min_years.value))
        params = {"years": _num(age_rules.min_years.value), "date": until.isoformat()}
        out.add("age.under_min", params, age_rules.min_years, "temporary", until)
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
        params = {"years": _num(limit.value)}
        out.add("age.first_time_over_limit", params, limit, "review")


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
        params = {"years": _num(extended.value)}
        out.add("age.repeat_donor_reaction_unknown", params, extended, "review")
        return True
    return False


def _over_max_age(facts: Facts, out: _Collector) -> None:
    age_rules = out.rules.age
    review = age_rules.review_above_max
    if review is not None and (review.who == "any" or _repeat_donor(facts)):
        params = {"years": _num(age_rules.max_years.value)}
        out.add("age.over_max_review", params, review, "review")
        return
    params = {"years": _num(age_rules.max_years.value)}
    out.add("age.over_max", params, age_rules.max_years, "permanent")


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
    params = {"weight": _num(facts.weight_kg), "minimum": _num(minimum)}
    out.add("weight.low", params, rule, "temporary")


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
    out.add(f"no_rule.{key}", {"value": _num(value)}, rule, "review")


def _breach(code: str, params: dict[str, Any], rule: Provenance, out: _Collector) -> None:
    """A verified limit defers; a limit still awaiting the deployer's confirmation sends the
    donor to a physician with that said (decision 0014)."""
    if rule.verified:
        out.add(code, params, rule, "temporary")
        return
    out.add(code, {**params, "unconfirmed": True}, rule, "review")


def _hb_rule(facts: Facts, rules: RuleSet) -> Quantity | NotJudged:
    return rules.haemoglobin.min_g_l.M if facts.sex == "M" else rules.haemoglobin.min_g_l.F


def _check_hb(facts: Facts, out: _Collector) -> None:
    if facts.hb_g_l is None:
        return
    rule = _hb_rule(facts, out.rules)
    if isinstance(rule, NotJudged):
        _not_judged(f"hb_min_{facts.sex}", facts.hb_g_l, rule, out)
    elif facts.hb_g_l < rule.value:
        params = {"value": _num(facts.hb_g_l), "minimum": _num(rule.value)}
        _breach("hb.low", params, rule, out)


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


def _vital_params(value: float, limit: Limit) -> dict[str, Any]:
    return {"value": _num(value), "limit": _num(limit.value)}


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
            _breach(code, _vital_params(value, rule), rule, out)


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
        out.add("donation_type.not_covered", {"type": wanted}, out.rules.provenance, "review")
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
            params: dict[str, Any] = {
                "period": [rule.period.value, rule.period.unit],
                "previous": after,
                "date": until.isoformat(),
            }
            code = f"interval.{wanted}_after_{after}"
            out.add(code, params, rule.period, "temporary", until)


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
            params = {"count": limit.max_count, "date": until.isoformat()}
            out.add("annual.max_reached", params, limit, "temporary", until)


# --- screening answers and recorded deferrals ------------------------------------------------


def _check_answers(facts: Facts, out: _Collector) -> None:
    for code in sorted(facts.answers):
        if code in FACT_QUESTIONS:
            continue
        answer = facts.answers[code]
        rule = out.rules.deferral(code)
        if answer is None:
            out.add(f"answer.unknown.{code}", {}, rule, "review")
        elif answer and rule is None:
            out.add(f"answer.no_rule.{code}", {}, None, "review")
        elif answer and rule is not None:
            _apply_deferral(facts, rule, out)


KIND_SEVERITY: dict[str, Severity] = {
    "permanent": "permanent",
    "while_present": "temporary",
    "physician": "review",
}


def _apply_deferral(facts: Facts, rule: Deferral, out: _Collector) -> None:
    if rule.donation_types and facts.donation_type not in rule.donation_types:
        return
    code = f"deferral.{rule.code}"
    if rule.kind in KIND_SEVERITY:
        out.add(code, {"kind": rule.kind}, rule, KIND_SEVERITY[rule.kind])
    elif rule.period is not None:
        start = facts.event_dates.get(rule.code, facts.on)
        until = add_period(start, rule.period.value, rule.period.unit)
        if facts.on < until:
            params = {
                "kind": "period",
                "period": [rule.period.value, rule.period.unit],
                "date": until.isoformat(),
            }
            out.add(code, params, rule, "temporary", until)


def _check_recorded(facts: Facts, out: _Collector) -> None:
    for deferral in facts.active_deferrals:
        code = f"deferral.recorded.{deferral.code}"
        if deferral.permanent:
            out.add(code, {"permanent": True}, None, "permanent")
        elif deferral.until is None or facts.on < deferral.until:
            out.add(code, {}, None, "temporary", deferral.until)


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

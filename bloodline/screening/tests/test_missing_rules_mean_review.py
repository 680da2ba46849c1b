"""A missing rule is not a pass (domain README rule 3, decision 0014).

A measured vital sign or Hb that no limit judges goes to a physician; a limit still flagged
``verified = false`` that is breached goes to a physician too, and defers only once the
deployer has confirmed it in the rule data.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bloodline.jurisdictions.loader import registry
from bloodline.jurisdictions.schema import Limit, NotJudged, Quantity, RuleSet
from bloodline.screening.engine import VITAL_CHECKS, evaluate
from bloodline.screening.tests.helpers import (
    VITAL_KEYS,
    E,
    R,
    T,
    codes,
    confirm_vn_limits,
    facts,
    registry_from,
    rules_copy,
)

VN = "VN-TT26-2013"
URL = "/api/v1/eligibility/check"
ISSUE_9 = {  # the donor of issue 9: BP 175/105 mmHg, 38.3 °C, pulse 96
    "jurisdiction": VN,
    "on": "2026-06-15",
    "sex": "M",
    "date_of_birth": "1990-01-01",
    "donation_type": "whole_blood",
    "weight_kg": 62,
    "hb_g_l": 140,
    "systolic": 175,
    "diastolic": 105,
    "temperature_c": 38.3,
    "pulse": 96,
}
MEASURED = {
    "systolic_min": "systolic",
    "systolic_max": "systolic",
    "diastolic_min": "diastolic",
    "diastolic_max": "diastolic",
    "pulse_min": "pulse",
    "pulse_max": "pulse",
    "temperature_max_c": "temperature_c",
}


@pytest.fixture
def signed_in(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user(username="checker", password="x-unused-1")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_it_sends_the_issue_9_donor_to_a_physician_under_vietnamese_rules(signed_in):
    body = signed_in.post(URL, ISSUE_9, content_type="application/json").json()
    assert body["outcome"] == "review"
    found = {r["code"]: r for r in body["reasons"]}
    assert set(found) == {"bp.diastolic_high", "temperature.high"}
    assert all(not r["verified"] for r in found.values())
    assert "awaits the deployer's confirmation" in found["bp.diastolic_high"]["message"]
    assert body["allowed_volumes_ml"] == [250, 350, 450]


@pytest.mark.django_db
def test_it_defers_the_same_donor_once_the_deployer_confirms_the_limits(signed_in, rules_in_force):
    rules_in_force(("vn-tt26-2013.toml", confirm_vn_limits))
    body = signed_in.post(URL, ISSUE_9, content_type="application/json").json()
    assert body["outcome"] == "deferred_temporary"
    assert {r["code"] for r in body["reasons"]} == {"bp.diastolic_high", "temperature.high"}
    assert all(r["verified"] and r["source"] == "S33" for r in body["reasons"])
    assert body["allowed_volumes_ml"] == []


def test_it_names_the_missing_rule_in_the_readers_language():
    from django.utils import translation

    decision = evaluate(facts(temperature_c=36.6), registry.get("WHO-2012", facts().on))
    assert codes(decision) == ["no_rule.temperature_max_c"]
    assert "Maximum temperature (°C)" in decision.reasons[0].message
    # The reason is stored as facts and worded when read: the same decision reads in French.
    with translation.override("fr"):
        assert "Température maximale (°C)" in decision.reasons[0].message


# --- every shipped rule set × every vital/Hb field --------------------------------------------


def _all_rule_sets() -> list[RuleSet]:
    return [v for code in registry.codes() for v in registry.versions(code)]


def _probe_values(rule: Limit | Quantity | NotJudged | None, low: float) -> list[float]:
    """Below, at and above the limit; for no limit, a spread of plausible values."""
    if isinstance(rule, Limit | Quantity) and not isinstance(rule, NotJudged):
        return [rule.value - 1, rule.value - 0.1, rule.value, rule.value + 0.1, rule.value + 1]
    return [low, low + 30, low + 60]


def _within(rule: Limit | None, value: float, minimum: bool) -> bool:
    if rule is None:
        return False
    if minimum:
        return value >= rule.value if rule.inclusive else value > rule.value
    return value <= rule.value if rule.inclusive else value < rule.value


def _vital_cases() -> list[tuple[str, str, str, float]]:
    cases = []
    for rules, (code, key, _minimum) in itertools.product(_all_rule_sets(), VITAL_CHECKS):
        if key == "pulse_pressure_min":
            continue  # optional refinement from two readings: boundaries in test_boundaries
        rule = getattr(rules.vitals, key)
        for value in _probe_values(rule, {"temperature_max_c": 35}.get(key, 40)):
            cases.append((f"{rules.code} {rules.version}", key, code, value))
    return cases


def _rule_set(ident: str) -> RuleSet:
    code, version = ident.split(" ", 1)
    return next(v for v in registry.versions(code) if v.version == version)


@pytest.mark.parametrize(("ident", "key", "code", "value"), _vital_cases())
def test_no_missing_or_unverified_vital_limit_lets_a_value_pass(ident, key, code, value):
    rules = _rule_set(ident)
    rule = getattr(rules.vitals, key)
    minimum = key.endswith("_min")
    decision = evaluate(facts(**{MEASURED[key]: value}), rules)
    mine = [r for r in decision.reasons if r.code in (code, f"no_rule.{key}")]
    verified = rule if isinstance(rule, Limit) and rule.verified else None
    if isinstance(rule, NotJudged) or rule is None:
        # A measured value judged by nothing is never eligible.
        assert decision.outcome == R and [r.severity for r in mine] == ["review"]
    elif not _within(rule, value, minimum):
        # Outside the limit: deferred if it is verified, a physician's decision if not.
        assert decision.outcome == (T if verified else R)
        assert [r.severity for r in mine] == (["temporary"] if verified else ["review"])
    else:
        assert mine == []


@pytest.mark.parametrize("ident", [f"{r.code} {r.version}" for r in _all_rule_sets()])
@pytest.mark.parametrize("sex", ["M", "F"])
def test_no_missing_or_unverified_hb_limit_lets_a_value_pass(ident, sex):
    rules = _rule_set(ident)
    rule = getattr(rules.haemoglobin.min_g_l, sex)
    for value in _probe_values(rule, 90):
        decision = evaluate(facts(sex=sex, hb_g_l=value), rules)
        if isinstance(rule, NotJudged):
            assert decision.outcome == R
        elif value < rule.value:
            assert decision.outcome == (T if rule.verified else R)
            assert codes(decision) == ["hb.low"]
        else:
            assert decision.outcome == E


@pytest.mark.parametrize("ident", [f"{r.code} {r.version}" for r in _all_rule_sets()])
def test_an_eligible_outcome_means_every_measured_value_was_judged(ident):
    """Over a grid of readings: whenever the outcome is eligible, each reading was within a
    limit the rule set states for it on both sides (verified or flagged)."""
    rules = _rule_set(ident)
    for systolic, diastolic, pulse, temperature in itertools.product(
        (85, 120, 185), (45, 80, 105), (45, 72, 110), (36.6, 38.3)
    ):
        readings = {
            "systolic": systolic,
            "diastolic": diastolic,
            "pulse": pulse,
            "temperature_c": temperature,
        }
        decision = evaluate(facts(**readings), rules)
        if decision.outcome != E:
            continue
        for key in VITAL_KEYS:
            rule = getattr(rules.vitals, key)
            assert isinstance(rule, Limit), (key, readings)
            assert _within(rule, readings[MEASURED[key]], key.endswith("_min"))


def test_a_confirmed_copy_of_the_vietnamese_rules_defers_below_its_limits(tmp_path):
    confirmed = registry_from(rules_copy(tmp_path, ("vn-tt26-2013.toml", confirm_vn_limits)))
    rules = confirmed.get(VN, facts().on)
    assert not [k for k in rules.unverified() if k.startswith(("vitals", "haemoglobin.min"))]
    assert evaluate(facts(hb_g_l=119), rules).outcome == T
    assert evaluate(facts(systolic=181, diastolic=80), rules).outcome == T
    assert evaluate(facts(pulse=49), rules).outcome == T


@pytest.mark.django_db
def test_the_physician_station_shows_review_in_its_own_style_with_the_reasons(
    at_physician: Any, english: Any, drive: Any
) -> None:
    from django.urls import reverse

    presentation = at_physician(systolic="175", diastolic="105", temperature_c="38.3", pulse="96")
    assert presentation.engine_outcome == "review"
    url = reverse("stations:station", args=[drive.uuid, "physician"])
    page = english("physician").get(f"{url}?p={presentation.uuid}").content.decode()
    # The station styles live in a static stylesheet (decision 0031), so no class name of
    # another outcome appears anywhere in the page.
    assert 'class="engine-review"' in page and "engine-eligible" not in page
    assert "a physician must decide" in page
    assert "Diastolic pressure 105 mmHg is above the limit 100." in page
    assert "Temperature 38.3 °C is above the limit 37.5." in page
    assert "awaits the deployer&#x27;s confirmation" in page

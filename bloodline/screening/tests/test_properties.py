"""Properties of the engine over generated donors (Hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bloodline.jurisdictions.loader import registry
from bloodline.screening.calendar import age_on
from bloodline.screening.engine import Donation, Facts, evaluate, volumes_for_weight

CODES = ["CN-GB18467-2011", "VN-TT26-2013", "WHO-2012", "EU-2004-33"]
TYPES = ["whole_blood", "platelets", "plasma"]
QUESTIONS = ["tattoo", "pregnancy", "hiv_positive", "malaria_history", "recent_surgery_major"]


@st.composite
def donors(draw: st.DrawFn) -> tuple[str, Facts]:
    code = draw(st.sampled_from(CODES))
    on = draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
    born = on - dt.timedelta(days=draw(st.integers(16 * 365, 70 * 365)))
    history = draw(
        st.lists(
            st.builds(
                Donation,
                on=st.dates(on - dt.timedelta(days=800), on),
                type=st.sampled_from([*TYPES, "double_red_cells"]),
                volume_ml=st.none(),
            ),
            max_size=6,
        )
    )
    answers = draw(st.dictionaries(st.sampled_from(QUESTIONS), st.booleans(), max_size=3))
    events = {k: on - dt.timedelta(days=draw(st.integers(0, 1500))) for k in answers if answers[k]}
    facts = Facts(
        on=on,
        sex=draw(st.sampled_from(["M", "F"])),
        date_of_birth=born,
        donation_type=draw(st.sampled_from(TYPES)),
        weight_kg=draw(st.none() | st.floats(30, 120)),
        hb_g_l=draw(st.none() | st.floats(90, 170)),
        systolic=draw(st.none() | st.integers(80, 190)),
        diastolic=draw(st.none() | st.integers(40, 110)),
        pulse=draw(st.none() | st.integers(40, 120)),
        temperature_c=draw(st.none() | st.floats(36, 39)),
        history=history,
        answers=answers,
        event_dates=events,
    )
    return code, facts


def _rules(code: str, on: dt.date):
    return registry.get(code, on)


def _next_day(facts: Facts) -> Facts:
    from dataclasses import replace

    return replace(facts, on=facts.on + dt.timedelta(days=1))


@settings(max_examples=300, deadline=None)
@given(donors())
def test_an_eligible_donor_stays_eligible_tomorrow_unless_by_age(case):
    code, facts = case
    today = evaluate(facts, _rules(code, facts.on))
    tomorrow = _next_day(facts)
    rules = _rules(code, tomorrow.on)
    if today.outcome != "eligible" or rules is not _rules(code, facts.on):
        return
    # A birthday tomorrow may close the age window (or send a first-time donor to review).
    if age_on(facts.date_of_birth, tomorrow.on) != age_on(facts.date_of_birth, facts.on):
        return
    assert evaluate(tomorrow, rules).outcome == "eligible"


@settings(max_examples=300, deadline=None)
@given(donors(), st.sampled_from([*QUESTIONS, "dental_cleaning", "msm", "childbirth"]))
def test_a_yes_to_a_deferral_question_never_makes_a_deferred_donor_eligible(case, question):
    from dataclasses import replace

    code, facts = case
    rules = _rules(code, facts.on)
    before = evaluate(facts, rules)
    if not before.outcome.startswith("deferred"):
        return
    after = evaluate(replace(facts, answers={**facts.answers, question: True}), rules)
    assert after.outcome != "eligible"
    rank = ["eligible", "review", "deferred_temporary", "deferred_permanent"]
    assert rank.index(after.outcome) >= rank.index(before.outcome)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(CODES),
    st.sampled_from(["M", "F"]),
    st.floats(30, 120),
    st.floats(0, 40),
)
def test_allowed_volumes_are_rule_volumes_and_never_grow_as_weight_falls(code, sex, heavy, loss):
    rules = registry.current(code)
    light = heavy - loss
    at_heavy = volumes_for_weight(rules, sex, heavy)
    at_light = volumes_for_weight(rules, sex, light)
    assert set(at_heavy) <= set(rules.whole_blood_volumes.values_ml)
    assert set(at_light) <= set(at_heavy)


@settings(max_examples=200, deadline=None)
@given(donors())
def test_eligible_volumes_are_a_subset_of_the_rule_set_volumes(case):
    code, facts = case
    rules = _rules(code, facts.on)
    decision = evaluate(facts, rules)
    assert set(decision.allowed_volumes_ml) <= set(rules.whole_blood_volumes.values_ml)
    if decision.outcome == "eligible" and facts.donation_type == "whole_blood":
        assert decision.allowed_volumes_ml

"""Boundary tables: just below, at and just above every threshold of every shipped rule set.

Each expected outcome is written by hand from shared/domain/eligibility.md (section in the
comment), not computed with the engine.
"""

from __future__ import annotations

import pytest

from bloodline.screening.tests.helpers import E, P, R, T, codes, d, decide

CN, VN, WHO, EU = "CN-GB18467-2011", "VN-TT26-2013", "WHO-2012", "EU-2004-33"
REPEAT = {"history": [("2020-01-01", "whole_blood", 400)]}
NO_REACTION = {"answers": {"previous_donation_reaction": False}}

# Age on 2026-06-15; a person is N on their Nth birthday (eligibility.md §1.1, §2, §3, §4).
AGE = [
    (CN, "2008-06-16", {}, T, "age.under_min"),  # 17, one day short of 18
    (CN, "2008-06-15", {}, E, None),  # 18 today
    (CN, "2008-06-14", {}, E, None),
    (CN, "1970-06-16", {}, E, None),  # 55, last day before 56
    (CN, "1970-06-15", {}, P, "age.over_max"),  # 56 today, first-time donor
    (CN, "1970-06-15", {**REPEAT, **NO_REACTION}, E, None),  # repeat donor to 60
    (CN, "1965-06-16", {**REPEAT, **NO_REACTION}, E, None),  # 60, last day
    (CN, "1965-06-15", {**REPEAT, **NO_REACTION}, P, "age.over_max"),  # 61 today
    (CN, "1970-06-15", REPEAT, R, "age.repeat_donor_reaction_unknown"),
    (CN, "1970-06-15", {**REPEAT, "answers": {"previous_donation_reaction": True}}, P, None),
    (VN, "2008-06-16", {}, T, "age.under_min"),
    (VN, "2008-06-15", {}, E, None),
    (VN, "1965-06-16", {}, E, None),  # 60
    (VN, "1965-06-15", {}, P, "age.over_max"),  # 61
    (WHO, "2008-06-16", {}, T, "age.under_min"),
    (WHO, "2008-06-15", {}, E, None),
    (WHO, "1960-06-16", {}, E, None),  # 65
    (WHO, "1960-06-15", {}, P, "age.over_max"),  # 66, first-time
    (WHO, "1960-06-15", REPEAT, R, "age.over_max_review"),  # regular donor: physician
    (EU, "2008-06-16", {}, T, "age.under_min"),
    (EU, "2008-06-15", {}, E, None),
    (EU, "1965-06-16", {}, E, None),  # first-time at 60
    (EU, "1965-06-15", {}, R, "age.first_time_over_limit"),  # first-time at 61
    (EU, "1965-06-15", REPEAT, E, None),  # repeat donor at 61
    (EU, "1960-06-16", REPEAT, E, None),  # 65
    (EU, "1960-06-15", REPEAT, R, "age.over_max_review"),  # 66, annual permission
]


@pytest.mark.parametrize(("code", "born", "extra", "outcome", "reason"), AGE)
def test_age_window(code, born, extra, outcome, reason):
    decision = decide(code, date_of_birth=born, **extra)
    assert decision.outcome == outcome, decision.reasons
    if reason:
        assert reason in codes(decision)


@pytest.mark.parametrize(
    ("on", "outcome"), [("2026-02-28", T), ("2026-03-01", E), ("2026-03-02", E)]
)
def test_a_29_february_birthday_turns_18_on_1_march(on, outcome):
    decision = decide(CN, date_of_birth="2008-02-29", on=on)
    assert decision.outcome == outcome
    if outcome == T:
        assert decision.deferred_until == d("2026-03-01")


# Whole-blood weight and volume bands (§1.1/§1.2, §2 Art. 4.2a, §3, §4).
WEIGHT = [
    (CN, "M", 49.9, T, []),
    (CN, "M", 50, E, [200, 300, 400]),
    (CN, "M", 50.1, E, [200, 300, 400]),
    (CN, "F", 44.9, T, []),
    (CN, "F", 45, E, [200, 300, 400]),
    (CN, "F", 45.1, E, [200, 300, 400]),
    (VN, "F", 41.9, T, []),
    (VN, "F", 42, E, [250]),
    (VN, "F", 44.9, E, [250]),
    (VN, "F", 45, E, [250, 350]),  # 9 mL/kg = 405 mL
    (VN, "M", 44.9, T, []),
    (VN, "M", 45, E, [250, 350]),
    (VN, "M", 45.1, E, [250, 350]),
    (VN, "M", 49.9, E, [250, 350]),  # 449.1 mL
    (VN, "M", 50, E, [250, 350, 450]),  # 450 mL
    (VN, "M", 60, E, [250, 350, 450]),
    (WHO, "F", 44.9, T, []),
    (WHO, "F", 45, E, [350]),
    (WHO, "F", 49.9, E, [350]),
    (WHO, "F", 50, E, [350, 450]),
    (EU, "M", 49.9, T, []),
    (EU, "M", 50, E, [450]),
    (EU, "F", 50.1, E, [450]),
]


@pytest.mark.parametrize(("code", "sex", "weight", "outcome", "volumes"), WEIGHT)
def test_weight_bands_and_volumes(code, sex, weight, outcome, volumes):
    decision = decide(code, sex=sex, weight_kg=weight)
    assert (decision.outcome, decision.allowed_volumes_ml) == (outcome, volumes)
    if outcome == T:
        assert codes(decision) == ["weight.low"]


@pytest.mark.parametrize(
    ("code", "weight", "outcome"),
    [(VN, 49.9, T), (VN, 50, E), (EU, 49.9, T), (EU, 50, E), (CN, 49.9, T), (CN, 50, E)],
)
def test_apheresis_minimum_weight(code, weight, outcome):
    assert decide(code, donation_type="platelets", weight_kg=weight).outcome == outcome


# Haemoglobin, g/L (§1.1, §2 UNVERIFIED, §3 UNVERIFIED, §4). Below an UNVERIFIED minimum the
# donor goes to a physician (review), not to a deferral, until the deployer confirms it (0014).
HB = [
    (CN, "M", 119, T),
    (CN, "M", 120, E),
    (CN, "M", 121, E),
    (CN, "F", 114, T),
    (CN, "F", 115, E),
    (CN, "F", 116, E),
    (VN, "M", 119, R),
    (VN, "M", 120, E),
    (VN, "F", 119.9, R),
    (VN, "F", 120, E),
    (WHO, "M", 129, R),
    (WHO, "M", 130, E),
    (WHO, "F", 119, R),
    (WHO, "F", 120, E),
    (EU, "M", 134, T),
    (EU, "M", 135, E),
    (EU, "M", 136, E),
    (EU, "F", 124, T),
    (EU, "F", 125, E),
]


@pytest.mark.parametrize(("code", "sex", "hb", "outcome"), HB)
def test_haemoglobin_minimum_by_sex(code, sex, hb, outcome):
    decision = decide(code, sex=sex, hb_g_l=hb)
    assert decision.outcome == outcome
    assert codes(decision) == (["hb.low"] if outcome != E else [])


@pytest.mark.parametrize(
    ("hb", "volumes"),
    [(120, [250]), (124.9, [250]), (125, [250, 350, 450]), (126, [250, 350, 450])],
)
def test_vietnam_needs_125_g_l_for_350_ml_or_more(hb, volumes):
    decision = decide(VN, weight_kg=60, hb_g_l=hb)
    assert (decision.outcome, decision.allowed_volumes_ml) == (E, volumes)


# Vital signs: China 90 <= SBP < 140, 60 <= DBP < 90, PP >= 30, pulse 60-100 (athletes 50),
# temperature <= 37.5 UNVERIFIED (§1.1); WHO 90/50-180/100, pulse < 100, all UNVERIFIED, no
# lower pulse and no temperature number (§3); Vietnam the same WHO values as UNVERIFIED
# candidates, pulse >= 50 and temperature <= 37.5 from US practice (§3, §5); EU none (§4).
# An UNVERIFIED limit breached, or a measured value no limit judges, is review (0014).
VITALS = [
    (CN, {"systolic": 89}, T, "bp.systolic_low"),  # with any DBP >= 60 the PP is < 30 too
    (CN, {"systolic": 90, "diastolic": 60}, E, None),
    (CN, {"systolic": 139, "diastolic": 89}, E, None),
    (CN, {"systolic": 140, "diastolic": 80}, T, "bp.systolic_high"),
    (CN, {"systolic": 120, "diastolic": 59}, T, "bp.diastolic_low"),
    (CN, {"systolic": 130, "diastolic": 90}, T, "bp.diastolic_high"),
    (CN, {"systolic": 118, "diastolic": 89}, T, "bp.pulse_pressure_low"),  # 29
    (CN, {"systolic": 119, "diastolic": 89}, E, None),  # 30
    (CN, {"systolic": 120, "diastolic": 89}, E, None),  # 31
    (CN, {"pulse": 59}, T, "pulse.low"),
    (CN, {"pulse": 60}, E, None),
    (CN, {"pulse": 100}, E, None),
    (CN, {"pulse": 101}, T, "pulse.high"),
    (CN, {"pulse": 49, "answers": {"endurance_athlete": True}}, T, "pulse.low"),
    (CN, {"pulse": 50, "answers": {"endurance_athlete": True}}, E, None),
    (CN, {"pulse": 50, "answers": {"endurance_athlete": False}}, T, "pulse.low"),
    (CN, {"temperature_c": 37.4}, E, None),
    (CN, {"temperature_c": 37.5}, E, None),
    (CN, {"temperature_c": 37.6}, R, "temperature.high"),  # 37.5 is UNVERIFIED
    (WHO, {"systolic": 89, "diastolic": 70}, R, "bp.systolic_low"),
    (WHO, {"systolic": 90, "diastolic": 50}, E, None),
    (WHO, {"systolic": 180, "diastolic": 100}, E, None),
    (WHO, {"systolic": 181, "diastolic": 80}, R, "bp.systolic_high"),
    (WHO, {"systolic": 120, "diastolic": 49}, R, "bp.diastolic_low"),
    (WHO, {"systolic": 150, "diastolic": 101}, R, "bp.diastolic_high"),
    (WHO, {"pulse": 99}, R, "no_rule.pulse_min"),  # no lower limit: not judged
    (WHO, {"pulse": 100}, R, "no_rule.pulse_min"),  # and pulse.high, see below
    (WHO, {"temperature_c": 39}, R, "no_rule.temperature_max_c"),  # no number in the source
    (VN, {"systolic": 200, "diastolic": 120, "pulse": 130}, R, "bp.systolic_high"),  # was E
    (VN, {"systolic": 89, "diastolic": 60}, R, "bp.systolic_low"),
    (VN, {"systolic": 90, "diastolic": 50}, E, None),
    (VN, {"systolic": 180, "diastolic": 100}, E, None),
    (VN, {"systolic": 181, "diastolic": 80}, R, "bp.systolic_high"),
    (VN, {"systolic": 120, "diastolic": 49}, R, "bp.diastolic_low"),
    (VN, {"systolic": 150, "diastolic": 101}, R, "bp.diastolic_high"),
    (VN, {"pulse": 49}, R, "pulse.low"),
    (VN, {"pulse": 50}, E, None),
    (VN, {"pulse": 99}, E, None),
    (VN, {"pulse": 100}, R, "pulse.high"),
    (VN, {"temperature_c": 37.5}, E, None),
    (VN, {"temperature_c": 37.6}, R, "temperature.high"),
    (EU, {"systolic": 120}, R, "no_rule.systolic_min"),  # and no_rule.systolic_max
    (EU, {"pulse": 72}, R, "no_rule.pulse_min"),
    (EU, {"temperature_c": 36.6}, R, "no_rule.temperature_max_c"),
]


@pytest.mark.parametrize(("code", "vitals", "outcome", "reason"), VITALS)
def test_vital_sign_limits(code, vitals, outcome, reason):
    decision = decide(code, **vitals)
    assert decision.outcome == outcome
    if reason is None:
        assert codes(decision) == []
    else:
        assert codes(decision)[0] == reason
        assert all(
            r.severity == ("temporary" if outcome == T else "review")
            for r in decision.reasons
            if r.code == reason
        )


def test_a_who_pulse_of_100_breaches_the_unverified_maximum_and_has_no_minimum_to_judge_it():
    decision = decide(WHO, pulse=100)
    assert (decision.outcome, sorted(codes(decision))) == (R, ["no_rule.pulse_min", "pulse.high"])


def test_eu_judges_no_blood_pressure_so_both_limits_are_named():
    decision = decide(EU, systolic=200, diastolic=120, pulse=130)
    assert decision.outcome == R
    assert set(codes(decision)) == {
        "no_rule.systolic_min",
        "no_rule.systolic_max",
        "no_rule.diastolic_min",
        "no_rule.diastolic_max",
        "no_rule.pulse_min",
        "no_rule.pulse_max",
    }


# Intervals: (rule set, sex, last donation, its type, wanted type, check date, outcome).
# China §1.2: WB->WB 6 months, PLT->PLT 2 weeks, PLT->WB 4 weeks, WB->PLT 3 months.
# Vietnam §2 Art. 6: 12 weeks after WB, 2 weeks after apheresis. WHO §3: 12 w men, 16 w women.
# EU §4 (UK practice): WB 12 weeks, apheresis 2 weeks.
INTERVALS = [
    (CN, "M", "2025-01-15", "whole_blood", "whole_blood", "2025-07-14", T),
    (CN, "M", "2025-01-15", "whole_blood", "whole_blood", "2025-07-15", E),
    (CN, "M", "2025-01-15", "whole_blood", "whole_blood", "2025-07-16", E),
    (CN, "M", "2025-08-31", "whole_blood", "whole_blood", "2026-02-28", T),
    (CN, "M", "2025-08-31", "whole_blood", "whole_blood", "2026-03-01", E),  # no 31 Feb
    (CN, "M", "2025-01-01", "platelets", "platelets", "2025-01-14", T),
    (CN, "M", "2025-01-01", "platelets", "platelets", "2025-01-15", E),
    (CN, "M", "2025-01-01", "platelets", "platelets", "2025-01-16", E),
    (CN, "M", "2025-01-01", "platelets", "whole_blood", "2025-01-28", T),
    (CN, "M", "2025-01-01", "platelets", "whole_blood", "2025-01-29", E),
    (CN, "M", "2025-01-01", "platelets", "whole_blood", "2025-01-30", E),
    (CN, "M", "2025-01-01", "whole_blood", "platelets", "2025-03-31", T),
    (CN, "M", "2025-01-01", "whole_blood", "platelets", "2025-04-01", E),
    (CN, "M", "2025-01-01", "whole_blood", "platelets", "2025-04-02", E),
    (VN, "M", "2025-01-01", "whole_blood", "whole_blood", "2025-03-25", T),
    (VN, "M", "2025-01-01", "whole_blood", "whole_blood", "2025-03-26", E),
    (VN, "M", "2025-01-01", "whole_blood", "whole_blood", "2025-03-27", E),
    (VN, "M", "2025-01-01", "whole_blood", "platelets", "2025-03-25", T),
    (VN, "M", "2025-01-01", "whole_blood", "platelets", "2025-03-26", E),
    (VN, "M", "2025-01-01", "whole_blood", "plasma", "2025-03-25", T),
    (VN, "M", "2025-01-01", "whole_blood", "plasma", "2025-03-26", E),
    (VN, "M", "2025-01-01", "platelets", "platelets", "2025-01-14", T),
    (VN, "M", "2025-01-01", "platelets", "platelets", "2025-01-15", E),
    (VN, "M", "2025-01-01", "platelets", "whole_blood", "2025-01-14", T),
    (VN, "M", "2025-01-01", "platelets", "whole_blood", "2025-01-15", E),
    (VN, "M", "2025-01-01", "platelets", "plasma", "2025-01-14", T),
    (VN, "M", "2025-01-01", "platelets", "plasma", "2025-01-15", E),
    (VN, "M", "2025-01-01", "plasma", "plasma", "2025-01-14", T),
    (VN, "M", "2025-01-01", "plasma", "plasma", "2025-01-15", E),
    (VN, "M", "2025-01-01", "plasma", "whole_blood", "2025-01-14", T),
    (VN, "M", "2025-01-01", "plasma", "whole_blood", "2025-01-15", E),
    (VN, "M", "2025-01-01", "plasma", "platelets", "2025-01-14", T),
    (VN, "M", "2025-01-01", "plasma", "platelets", "2025-01-15", E),
    (VN, "M", "2025-01-01", "double_red_cells", "whole_blood", "2025-03-25", T),
    (VN, "M", "2025-01-01", "double_red_cells", "whole_blood", "2025-03-26", E),
    (WHO, "M", "2025-01-01", "whole_blood", "whole_blood", "2025-03-25", T),
    (WHO, "M", "2025-01-01", "whole_blood", "whole_blood", "2025-03-26", E),
    (WHO, "M", "2025-01-01", "whole_blood", "whole_blood", "2025-03-27", E),
    (WHO, "F", "2025-01-01", "whole_blood", "whole_blood", "2025-04-22", T),
    (WHO, "F", "2025-01-01", "whole_blood", "whole_blood", "2025-04-23", E),
    (WHO, "F", "2025-01-01", "whole_blood", "whole_blood", "2025-04-24", E),
    (EU, "F", "2025-01-01", "whole_blood", "whole_blood", "2025-03-25", T),
    (EU, "F", "2025-01-01", "whole_blood", "whole_blood", "2025-03-26", E),
    (EU, "M", "2025-01-01", "platelets", "platelets", "2025-01-14", T),
    (EU, "M", "2025-01-01", "platelets", "platelets", "2025-01-15", E),
    (EU, "M", "2025-01-01", "plasma", "plasma", "2025-01-14", T),
    (EU, "M", "2025-01-01", "plasma", "plasma", "2025-01-15", E),
]


@pytest.mark.parametrize(("code", "sex", "last", "after", "wanted", "on", "outcome"), INTERVALS)
def test_donation_intervals(code, sex, last, after, wanted, on, outcome):
    decision = decide(code, sex=sex, on=on, donation_type=wanted, history=[(last, after, None)])
    assert decision.outcome == outcome, decision.reasons
    if outcome == T:
        assert codes(decision) == [f"interval.{wanted}_after_{after}"]


def test_vietnam_intervals_follow_the_most_recent_donation():
    # Art. 6.4: whole blood on 1 Jan, platelets on 1 Feb: whole blood again 2 weeks later.
    history = [("2025-01-01", "whole_blood", 350), ("2025-02-01", "platelets", None)]
    assert decide(VN, on="2025-02-14", history=history).outcome == T
    assert decide(VN, on="2025-02-15", history=history).outcome == E
    # China checks each earlier type: the 6 months after whole blood still run.
    assert decide(CN, on="2025-03-01", history=history).outcome == T


@pytest.mark.parametrize(("code", "wanted"), [(CN, "plasma"), (WHO, "platelets"), (WHO, "plasma")])
def test_a_donation_type_the_rules_do_not_cover_goes_to_a_physician(code, wanted):
    decision = decide(code, donation_type=wanted)
    assert (decision.outcome, codes(decision)) == (R, ["donation_type.not_covered"])


def _fortnightly(count: int) -> list[tuple[str, str, None]]:
    import datetime as dt

    start = dt.date(2025, 1, 1)
    return [
        ((start + dt.timedelta(weeks=2 * k)).isoformat(), "platelets", None) for k in range(count)
    ]


@pytest.mark.parametrize(
    ("count", "on", "outcome"),
    [(23, "2025-12-31", E), (24, "2025-12-31", T), (24, "2026-01-01", E), (24, "2026-01-02", E)],
)
def test_china_allows_24_platelet_donations_in_12_months(count, on, outcome):
    decision = decide(CN, donation_type="platelets", on=on, history=_fortnightly(count))
    assert decision.outcome == outcome
    if outcome == T:
        assert decision.deferred_until == d("2026-01-01")
        assert codes(decision) == ["annual.max_reached"]


@pytest.mark.parametrize(
    ("sex", "on", "outcome"),
    [("F", "2025-12-31", T), ("F", "2026-01-01", E), ("M", "2025-12-31", E)],
)
def test_eu_whole_blood_at_most_3_a_year_for_women_4_for_men(sex, on, outcome):
    history = [(day, "whole_blood", 450) for day in ("2025-01-01", "2025-04-01", "2025-07-01")]
    assert decide(EU, sex=sex, on=on, history=history).outcome == outcome


# Deferral questions with the date of the event: one day before, on and after the end.
# (rule set, question, event date, end date) from eligibility.md §1.3, §2, §3, §4.
PERIODS = [
    (CN, "tattoo", "2025-03-01", "2026-03-01"),  # 1 year
    (CN, "needle_stick_injury", "2025-03-01", "2026-03-01"),
    (CN, "recent_surgery_major", "2025-01-31", "2025-07-31"),  # 6 months
    (CN, "recent_surgery_appendix_hernia_tonsil", "2025-01-10", "2025-04-10"),  # 3 months
    (CN, "abortion", "2025-01-10", "2025-07-10"),  # 6 months
    (CN, "childbirth", "2024-02-29", "2025-03-01"),  # 1 year from 29 Feb
    (CN, "dental_cleaning", "2025-01-10", "2025-01-13"),  # 3 days
    (CN, "upper_respiratory_infection", "2025-01-10", "2025-01-17"),  # 1 week
    (CN, "skin_inflammation_widespread", "2025-01-10", "2025-01-24"),  # 2 weeks
    (CN, "uti_acute", "2025-01-31", "2025-03-01"),  # 1 month; no 31 Feb: 1 March
    (CN, "malaria_travel", "2025-01-10", "2026-01-10"),  # 1 year
    (CN, "malaria_history", "2022-05-10", "2025-05-10"),  # 3 years
    (CN, "brucellosis", "2023-05-10", "2025-05-10"),  # 2 years
    (CN, "covid_vaccine_inactivated", "2025-05-10", "2025-05-13"),  # 48 h, no time of day
    (CN, "covid_vaccine_other", "2025-05-10", "2025-05-24"),  # 14 days
    (VN, "tattoo", "2025-03-01", "2025-09-01"),  # 6 months
    (VN, "piercing", "2025-03-01", "2025-09-01"),
    (VN, "malaria_history", "2025-03-01", "2026-03-01"),  # 12 months
    (VN, "transfusion", "2025-03-01", "2026-03-01"),
    (VN, "childbirth", "2025-03-01", "2026-03-01"),
    (VN, "typhoid", "2025-03-01", "2025-09-01"),
    (VN, "vaccine_live_attenuated", "2025-03-01", "2025-03-29"),  # 4 weeks
    (VN, "vaccine_other", "2025-03-01", "2025-03-08"),  # 7 days
    (WHO, "tattoo", "2025-03-01", "2025-09-01"),  # 6 months
    (WHO, "piercing", "2025-03-01", "2025-09-01"),
    (EU, "tattoo", "2025-08-31", "2026-03-01"),  # 6 months; no 31 Feb
    (EU, "malaria_travel", "2025-03-01", "2025-09-01"),  # 6 months
    (EU, "malaria_history", "2022-03-01", "2025-03-01"),  # 3 years
    (EU, "brucellosis", "2023-03-01", "2025-03-01"),  # 2 years
    (EU, "syphilis", "2024-03-01", "2025-03-01"),  # 1 year
    (EU, "fever_flu_like", "2025-03-01", "2025-03-15"),  # 2 weeks
    (EU, "west_nile_area", "2025-03-01", "2025-03-29"),  # 28 days
    (EU, "vaccine_live_attenuated", "2025-03-01", "2025-03-29"),  # 4 weeks
]


def _day_before(text: str) -> str:
    import datetime as dt

    return (d(text) - dt.timedelta(days=1)).isoformat()


def _day_after(text: str) -> str:
    import datetime as dt

    return (d(text) + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(("code", "question", "event", "end"), PERIODS)
def test_deferral_periods(code, question, event, end):
    asked = {"answers": {question: True}, "event_dates": {question: event}}
    before = decide(code, on=_day_before(end), **asked)
    assert (before.outcome, before.deferred_until) == (T, d(end))
    assert codes(before) == [f"deferral.{question}"]
    assert decide(code, on=end, **asked).outcome == E
    assert decide(code, on=_day_after(end), **asked).outcome == E


def test_without_an_event_date_the_period_runs_from_the_check_date():
    decision = decide(VN, on="2025-03-01", answers={"tattoo": True})
    assert (decision.outcome, decision.deferred_until) == (T, d("2025-09-01"))


@pytest.mark.parametrize(
    ("code", "question", "outcome"),
    [
        (CN, "hiv_positive", P),
        (CN, "msm", P),
        (CN, "pregnancy", T),
        (CN, "menstruation", T),
        (CN, "infectious_disease_contact", R),
        (VN, "hiv_positive", P),
        (VN, "hcv_positive", P),
        (WHO, "hiv_positive", R),  # not in the WHO rows of eligibility.md: physician
        (EU, "cardiovascular_disease", P),
        (EU, "cjd_risk", P),
        (EU, "pregnancy", R),
    ],
)
def test_permanent_open_and_physician_deferrals(code, question, outcome):
    decision = decide(code, answers={question: True})
    assert decision.outcome == outcome
    assert decision.deferred_until is None


@pytest.mark.parametrize(("wanted", "outcome"), [("whole_blood", E), ("platelets", T)])
def test_china_aspirin_defers_platelet_donors_only(wanted, outcome):
    asked = {"answers": {"aspirin": True}, "event_dates": {"aspirin": "2025-05-10"}}
    assert decide(CN, on="2025-05-14", donation_type=wanted, **asked).outcome == outcome
    assert decide(CN, on="2025-05-15", donation_type="platelets", **asked).outcome == E


def test_a_no_answer_changes_nothing_and_an_unknown_one_goes_to_a_physician():
    assert decide(CN, answers={"tattoo": False}).outcome == E
    decision = decide(CN, answers={"tattoo": None})
    assert (decision.outcome, codes(decision)) == (R, ["answer.unknown.tattoo"])

"""A rule-set version with a later effective date applies from that date, with no code change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from bloodline.jurisdictions.loader import Registry
from bloodline.screening.engine import evaluate_on
from bloodline.screening.tests.helpers import E, P, T, facts

CN = "CN-GB18467-2011"


@pytest.fixture
def enacted(tmp_path: Path) -> Registry:
    for f in Path(settings.BLOODLINE_RULES_DIR).glob("*.toml"):
        shutil.copy(f, tmp_path)
    draft = tmp_path / "cn-gb18467-2011-draft-2025.toml"
    text = draft.read_text(encoding="utf-8").replace(
        'status = "draft"', 'status = "in_force"\neffective_from = 2027-01-01'
    )
    draft.write_text(text, encoding="utf-8")
    revised = Registry()
    revised.load(tmp_path)
    return revised


@pytest.mark.parametrize(
    ("on", "outcome", "version"),
    [("2026-12-31", P, "CN-GB18467-2011 2011"), ("2027-01-01", E, "CN-GB18467-2011 2025-draft")],
)
def test_a_first_time_donor_of_64_is_eligible_once_the_draft_is_in_force(
    enacted, on, outcome, version
):
    decision = evaluate_on(CN, facts(on=on, date_of_birth="1962-06-01"), enacted)
    assert (decision.outcome, decision.rule_set) == (outcome, version)
    assert all(r.rule_version == version for r in decision.reasons)


@pytest.mark.parametrize(("born", "outcome"), [("1961-06-02", E), ("1961-06-01", P)])
def test_the_enacted_draft_ends_at_65(enacted, born, outcome):
    # On 2027-06-01 the first is 65 (last day), the second 66.
    assert evaluate_on(CN, facts(on="2027-06-01", date_of_birth=born), enacted).outcome == outcome


@pytest.mark.parametrize(
    ("on", "outcome"),
    # 90 days after 2027-01-10 is 2027-04-10; under GB 18467-2011 it would be 2027-07-10.
    [("2027-04-09", T), ("2027-04-10", E), ("2027-04-11", E)],
)
def test_the_enacted_draft_interval_is_90_days(enacted, on, outcome):
    history = [("2027-01-10", "whole_blood", 400)]
    assert evaluate_on(CN, facts(on=on, history=history), enacted).outcome == outcome

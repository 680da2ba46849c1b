"""Drive reconciliation (drives, below screening) spells out screening's step and decision
codes instead of importing them (decision 0023); they must stay the models' codes."""

from __future__ import annotations

from bloodline.collection.models import Outcome
from bloodline.drives import reconciliation
from bloodline.screening.models import Decision, Step


def test_it_counts_the_same_in_progress_steps_as_the_stations() -> None:
    assert {
        Step.QUESTIONNAIRE,
        Step.VITALS,
        Step.PHYSICIAN,
        Step.COLLECTION,
        Step.POST_CARE,
    } == reconciliation.IN_PROGRESS_STEPS


def test_it_uses_the_screening_codes_for_deferred_left_and_accepted() -> None:
    assert reconciliation.DEFERRED == Step.DEFERRED
    assert reconciliation.LEFT == Step.LEFT
    assert {Decision.ACCEPT, Decision.OVERRIDE} == reconciliation.ACCEPTING


def test_it_uses_the_collection_code_for_a_complete_collection() -> None:
    assert reconciliation.COMPLETE == Outcome.COMPLETE


def test_every_step_code_it_names_exists() -> None:
    named = reconciliation.IN_PROGRESS_STEPS | {reconciliation.DEFERRED, reconciliation.LEFT}
    assert named <= set(Step.values)

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.screening import actions
from bloodline.screening.models import Deferral, Step
from bloodline.screening.tests.conftest import HEALTHY, no_answers
from bloodline.screening.tests.helpers import confirm_vn_limits

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(arrive: Any, nurse: User) -> Any:
    def make(**answers: str) -> Any:
        presentation = arrive()
        given = no_answers(presentation) | answers
        return actions.record_answers(by=nurse, presentation=presentation, answers=given)

    return make


def test_a_healthy_donor_is_eligible_with_the_volumes_the_rules_allow(
    answered: Any, nurse: User
) -> None:
    presentation = actions.record_vitals(by=nurse, presentation=answered(), **HEALTHY)
    assert presentation.step == Step.PHYSICIAN
    assert presentation.engine_outcome == "eligible"
    assert presentation.engine_volumes_ml == [250, 350, 450]
    assert presentation.rule_set == "VN-TT26-2013 2013"
    assert presentation.measured_by == nurse
    event = AuditEvent.objects.get(action="presentation.vitals")
    assert event.changes["engine_outcome"] == [None, "eligible"]
    assert "135" not in str(event.changes)  # no measurements in the trail


def test_it_defers_a_donor_with_haemoglobin_below_the_minimum(
    answered: Any, nurse: User, rules_in_force: Any
) -> None:
    # The Vietnamese Hb minimum is UNVERIFIED: it defers once the deployer confirms it (0014).
    rules_in_force(("vn-tt26-2013.toml", confirm_vn_limits))
    presentation = actions.record_vitals(
        by=nurse, presentation=answered(), **(HEALTHY | {"hb_g_l": "105"})
    )
    assert presentation.engine_outcome == "deferred_temporary"
    assert [r["code"] for r in presentation.engine_reasons] == ["hb.low"]
    assert presentation.engine_volumes_ml == []


def test_an_unconfirmed_haemoglobin_minimum_sends_the_donor_to_the_physician(
    answered: Any, nurse: User
) -> None:
    presentation = actions.record_vitals(
        by=nurse, presentation=answered(), **(HEALTHY | {"hb_g_l": "105"})
    )
    assert presentation.engine_outcome == "review"
    reasons = presentation.engine_reasons
    assert [(r["code"], r["severity"], r["verified"]) for r in reasons] == [
        ("hb.low", "review", False)
    ]
    # Below 125 g/L the (unverified) Hb-by-volume rule still limits the bag to 250 mL.
    assert presentation.engine_volumes_ml == [250]


def test_a_yes_answer_and_a_recorded_deferral_reach_the_engine(answered: Any, nurse: User) -> None:
    presentation = answered(tattoo="yes")
    Deferral.objects.create(
        donor=presentation.donor, code="hb.low", reason="x", starts_on="2020-01-01"
    )
    presentation = actions.record_vitals(by=nurse, presentation=presentation, **HEALTHY)
    codes = {r["code"] for r in presentation.engine_reasons}
    assert codes == {"deferral.tattoo", "deferral.recorded.hb.low"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight_kg", "29.9"),
        ("weight_kg", "251"),
        ("temperature_c", "33.9"),
        ("temperature_c", "42.1"),
        ("systolic", "59"),
        ("systolic", "251"),
        ("diastolic", "29"),
        ("pulse", "201"),
        ("hb_g_l", "49"),
        ("hb_g_l", "221"),
        ("hb_g_l", "abc"),
        ("pulse", "nan"),
    ],
)
def test_it_refuses_implausible_values_at_the_field(
    answered: Any, nurse: User, field: str, value: str
) -> None:
    presentation = answered()
    with pytest.raises(ValidationError) as exc:
        actions.record_vitals(by=nurse, presentation=presentation, **(HEALTHY | {field: value}))
    assert list(exc.value.message_dict) == [field]
    presentation.refresh_from_db()
    assert presentation.step == Step.VITALS and presentation.engine_outcome == ""


def test_plausibility_limits_themselves_are_accepted(answered: Any, nurse: User) -> None:
    edges = {"weight_kg": "250", "temperature_c": "34", "pulse": "30", "hb_g_l": "220"}
    presentation = actions.record_vitals(by=nurse, presentation=answered(), **(HEALTHY | edges))
    assert presentation.step == Step.PHYSICIAN


def test_the_diastolic_must_be_below_the_systolic(answered: Any, nurse: User) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.record_vitals(
            by=nurse, presentation=answered(), **(HEALTHY | {"systolic": "90", "diastolic": "95"})
        )
    assert list(exc.value.message_dict) == ["diastolic"]


def test_the_questionnaire_comes_first(arrive: Any, nurse: User) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.record_vitals(by=nurse, presentation=arrive(), **HEALTHY)
    assert "no longer at this station" in exc.value.messages[0]

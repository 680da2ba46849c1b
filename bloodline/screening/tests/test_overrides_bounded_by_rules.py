"""A physician's override is bounded by the rules (issue 10 "Why 4", decision 0015).

Only temporary deferrals the rule set marks overridable can be lifted; never a permanent
deferral or one on the donor's record (look-back, infection markers). Volumes offered after an
override still obey the weight, volume and Hb-by-volume rules; none means no collection.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.collection.models import Donation
from bloodline.screening import actions
from bloodline.screening.assessment import may_override, offered_volumes
from bloodline.screening.models import Deferral, Presentation, Step
from bloodline.screening.tests.conftest import HEALTHY
from bloodline.screening.tests.helpers import allow_overrides, confirm_vn_limits

pytestmark = pytest.mark.django_db
VN = "vn-tt26-2013.toml"


def override(presentation: Presentation, by: User, volume: int | None) -> Presentation:
    return actions.physician_decide(
        by=by,
        presentation=presentation,
        decision="override",
        volume_ml=volume,
        reason="Re-measured after rest.",
    )


def assert_nothing_written(presentation: Presentation) -> None:
    presentation.refresh_from_db()
    assert presentation.step == Step.PHYSICIAN and presentation.decision == ""
    assert presentation.volume_ml is None
    assert not AuditEvent.objects.filter(action="presentation.override").exists()


def test_it_refuses_to_override_an_underweight_deferral_the_rules_do_not_mark(
    at_physician: Any, physician: User
) -> None:
    # Why 4, first case: 35 kg under Vietnamese rules; 450 mL was accepted before.
    presentation = at_physician(weight_kg="35")
    assert presentation.engine_outcome == "deferred_temporary"
    assert not may_override(presentation) and offered_volumes(presentation) == []
    with pytest.raises(ValidationError) as caught:
        override(presentation, physician, 450)
    assert "cannot be overridden" in caught.value.message_dict["decision"][0]
    assert_nothing_written(presentation)


def test_even_an_overridable_underweight_deferral_offers_no_volume(
    at_physician: Any, physician: User, rules_in_force: Any
) -> None:
    rules_in_force((VN, allow_overrides("weight.low")))
    presentation = at_physician(weight_kg="35")
    assert may_override(presentation)
    assert offered_volumes(presentation) == []
    for volume in (250, 350, 450):
        with pytest.raises(ValidationError) as caught:
            override(presentation, physician, volume)
        message = caught.value.message_dict["volume_ml"][0]
        assert message == "The rules allow no volume for this donor: nothing may be collected."
    assert_nothing_written(presentation)


def test_a_permanent_look_back_deferral_is_never_overridden(
    at_physician: Any, physician: User, rules_in_force: Any
) -> None:
    # Why 4, second case: confirmed HIV from look-back, even where every reason the engine
    # knows of is marked overridable.
    rules_in_force((VN, allow_overrides("weight.low", "hb.low", "deferral.tattoo")))
    presentation = at_physician()
    Deferral.objects.create(
        donor=presentation.donor,
        code="confirmed_positive_hiv",
        reason="hiv: positive",
        starts_on=dt.date(2026, 1, 5),
        permanent=True,
    )
    presentation = actions.record_vitals(
        by=presentation.measured_by, presentation=presentation, **HEALTHY
    )
    assert presentation.engine_outcome == "deferred_permanent"
    assert not may_override(presentation)
    with pytest.raises(ValidationError) as caught:
        override(presentation, physician, 350)
    assert "never a permanent deferral" in caught.value.message_dict["decision"][0]
    assert_nothing_written(presentation)


def test_a_deferral_recorded_after_the_vital_signs_blocks_override_and_accept(
    at_physician: Any, physician: User, rules_in_force: Any
) -> None:
    rules_in_force((VN, confirm_vn_limits), (VN, allow_overrides("hb.low")))
    deferred = at_physician(hb_g_l="118")  # overridable low Hb
    eligible = at_physician(person={"full_name": "Trần Thị Mai"})
    assert may_override(deferred) and eligible.engine_outcome == "eligible"
    for presentation in (deferred, eligible):
        Deferral.objects.create(
            donor=presentation.donor,
            code="confirmed_positive_hiv",
            reason="hiv: positive",
            starts_on=dt.date(2026, 1, 5),
            permanent=True,
        )
    assert not may_override(deferred)
    with pytest.raises(ValidationError):
        override(deferred, physician, 250)
    assert_nothing_written(deferred)
    with pytest.raises(ValidationError) as caught:
        actions.physician_decide(
            by=physician, presentation=eligible, decision="accept", volume_ml=350
        )
    assert "enter the vital signs again" in caught.value.message_dict["decision"][0]
    assert_nothing_written(eligible)


def test_an_overridable_deferral_offers_only_what_weight_and_hb_allow_and_is_audited(
    at_physician: Any, physician: User, rules_in_force: Any
) -> None:
    rules_in_force((VN, confirm_vn_limits), (VN, allow_overrides("hb.low")))
    presentation = at_physician(hb_g_l="118")  # below 120; below 125 only 250 mL [VN data]
    assert presentation.engine_outcome == "deferred_temporary"
    assert presentation.engine_reasons[0]["overridable"] is True
    assert offered_volumes(presentation) == [250]
    with pytest.raises(ValidationError) as caught:
        override(presentation, physician, 350)
    assert list(caught.value.message_dict) == ["volume_ml"]
    assert_nothing_written(presentation)
    presentation = override(presentation, physician, 250)
    assert (presentation.step, presentation.volume_ml) == (Step.COLLECTION, 250)
    event = AuditEvent.objects.get(action="presentation.override")
    assert event.actor_id == physician.pk and event.reason == "Re-measured after rest."
    assert event.changes["overridden"] == [None, ["hb.low"]]
    assert event.changes["volume_ml"] == [None, 250]


def test_a_volume_above_the_weight_limit_after_an_override_is_refused(
    at_physician: Any, physician: User, rules_in_force: Any
) -> None:
    # 48 kg: at most 9 mL/kg = 432 mL, so 250 or 350 mL (TT 26/2013 Art. 4.2a [S34]).
    rules_in_force((VN, confirm_vn_limits), (VN, allow_overrides("temperature.high")))
    presentation = at_physician(weight_kg="48", temperature_c="37.8")
    assert offered_volumes(presentation) == [250, 350]
    with pytest.raises(ValidationError) as caught:
        override(presentation, physician, 450)
    assert caught.value.message_dict["volume_ml"] == [
        "Choose one of the volumes offered for this donor."
    ]
    assert_nothing_written(presentation)


def test_only_the_reasons_marked_overridable_can_be_lifted(
    at_physician: Any, physician: User, rules_in_force: Any
) -> None:
    # Low Hb is marked, the high temperature is not: the deferral as a whole stays.
    rules_in_force((VN, confirm_vn_limits), (VN, allow_overrides("hb.low")))
    presentation = at_physician(hb_g_l="118", temperature_c="38.3")
    assert {r["code"]: r["overridable"] for r in presentation.engine_reasons} == {
        "hb.low": True,
        "temperature.high": False,
    }
    assert not may_override(presentation)
    with pytest.raises(ValidationError):
        override(presentation, physician, 250)
    assert_nothing_written(presentation)


def test_the_collection_step_refuses_a_volume_the_rules_do_not_allow(
    at_physician: Any, physician: User, nurse: User
) -> None:
    # A decision taken before these bounds (35 kg, 450 mL) must not reach a bag.
    presentation = at_physician(weight_kg="35")
    Presentation.objects.filter(pk=presentation.pk).update(
        step=Step.COLLECTION,
        decision="override",
        decision_reason="old",
        volume_ml=450,
        decided_at=timezone.now(),
        decided_by=physician,
    )
    presentation.refresh_from_db()
    end = timezone.now() - dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as caught:
        actions.collect(
            by=nurse,
            presentation=presentation,
            bag_type="triple",
            volume_ml=450,
            started_at=end - dt.timedelta(minutes=8),
            ended_at=end,
        )
    assert "nothing may be collected" in caught.value.message_dict["volume_ml"][0]
    assert not Donation.objects.exists()


def test_the_physician_page_offers_override_only_when_the_rules_allow_it(
    at_physician: Any, english: Any, drive: Any, rules_in_force: Any
) -> None:
    physician = english("physician")
    url = reverse("stations:station", args=[drive.uuid, "physician"])
    light = at_physician(weight_kg="35")
    page = physician.get(f"{url}?p={light.uuid}").content.decode()
    assert 'value="override"' not in page and 'value="defer"' in page
    rules_in_force((VN, confirm_vn_limits), (VN, allow_overrides("hb.low")))
    low_hb = at_physician(person={"full_name": "Trần Thị Mai"}, hb_g_l="118")
    page = physician.get(f"{url}?p={low_hb.uuid}").content.decode()
    assert 'value="override"' in page and 'value="accept"' not in page

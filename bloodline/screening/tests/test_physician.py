from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.screening import actions
from bloodline.screening.models import Deferral, Presentation, Step
from bloodline.screening.tests.helpers import allow_overrides, confirm_vn_limits

pytestmark = pytest.mark.django_db
LOW_HB = {"hb_g_l": "105"}


@pytest.fixture
def confirmed(rules_in_force: Any) -> None:
    """Vietnamese limits confirmed by the deployer (an unverified Hb minimum only sends the
    donor to review, decision 0014) and low Hb marked overridable (decision 0015)."""
    vn = "vn-tt26-2013.toml"
    rules_in_force((vn, confirm_vn_limits), (vn, allow_overrides("hb.low")))


def decide(presentation: Presentation, by: User, **values: Any) -> Presentation:
    return actions.physician_decide(by=by, presentation=presentation, **values)


def test_the_physician_accepts_an_eligible_donor_with_an_allowed_volume(
    at_physician: Any, physician: User
) -> None:
    presentation = decide(at_physician(), physician, decision="accept", volume_ml=350)
    assert presentation.step == Step.COLLECTION
    assert presentation.volume_ml == 350 and presentation.decided_by == physician
    event = AuditEvent.objects.get(action="presentation.accept")
    assert event.changes["volume_ml"] == [None, 350]


def test_a_volume_the_engine_did_not_allow_is_refused(at_physician: Any, physician: User) -> None:
    light = at_physician(person={"sex": "F"}, weight_kg="43")  # 42–45 kg women: 250 mL only
    assert light.engine_volumes_ml == [250]
    with pytest.raises(ValidationError) as exc:
        decide(light, physician, decision="accept", volume_ml=350)
    assert list(exc.value.message_dict) == ["volume_ml"]
    with pytest.raises(ValidationError):
        decide(light, physician, decision="accept", volume_ml=None)


def test_plain_accept_is_refused_when_the_engine_deferred(
    at_physician: Any, physician: User, confirmed: None
) -> None:
    presentation = at_physician(**LOW_HB)
    with pytest.raises(ValidationError) as exc:
        decide(presentation, physician, decision="accept", volume_ml=250)
    assert "override it and give your reason" in exc.value.message_dict["decision"][0]
    presentation.refresh_from_db()
    assert presentation.step == Step.PHYSICIAN and presentation.decision == ""


def test_an_override_needs_a_reason_and_is_audited(
    at_physician: Any, physician: User, confirmed: None
) -> None:
    presentation = at_physician(**LOW_HB)
    with pytest.raises(ValidationError) as exc:
        decide(presentation, physician, decision="override", volume_ml=250, reason="  ")
    assert list(exc.value.message_dict) == ["decision_reason"]
    reason = "Hb re-tested by venous sample: 128 g/L."
    presentation = decide(
        presentation, physician, decision="override", volume_ml=250, reason=reason
    )
    assert presentation.step == Step.COLLECTION and presentation.decision == "override"
    event = AuditEvent.objects.get(action="presentation.override")
    assert event.reason == reason
    assert event.changes["engine_outcome"] == [None, "deferred_temporary"]


def test_override_is_only_for_a_deferral(at_physician: Any, physician: User) -> None:
    with pytest.raises(ValidationError) as exc:
        decide(at_physician(), physician, decision="override", volume_ml=350, reason="x")
    assert list(exc.value.message_dict) == ["decision"]


def test_deferring_records_a_deferral_until_a_date(
    at_physician: Any, physician: User, confirmed: None
) -> None:
    presentation = at_physician(**LOW_HB)
    until = presentation.arrived_at.date() + dt.timedelta(days=84)
    presentation = decide(
        presentation, physician, decision="defer", reason="Low haemoglobin.", until=until
    )
    assert presentation.step == Step.DEFERRED and presentation.volume_ml is None
    deferral = Deferral.objects.get(donor=presentation.donor)
    assert (deferral.code, deferral.until, deferral.permanent) == ("hb.low", until, False)
    assert deferral.source == "VN-TT26-2013 2013"


def test_a_permanent_deferral_has_no_end(at_physician: Any, physician: User) -> None:
    presentation = at_physician()
    presentation = decide(
        presentation, physician, decision="defer", reason="Known HBV carrier.", permanent=True
    )
    deferral = Deferral.objects.get(donor=presentation.donor)
    assert deferral.permanent and deferral.until is None and deferral.code == "physician"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reason": ""}, "decision_reason"),
        ({"reason": "x"}, "until"),
        ({"reason": "x", "until": dt.date(2000, 1, 1)}, "until"),
        ({"reason": "x", "until": dt.date(2999, 1, 1), "permanent": True}, "until"),
    ],
)
def test_a_deferral_needs_a_reason_and_a_future_date_or_permanence(
    at_physician: Any, physician: User, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        decide(at_physician(), physician, decision="defer", **values)
    assert field in exc.value.message_dict
    assert not Deferral.objects.exists()


def test_a_nurse_cannot_decide(at_physician: Any, nurse: User) -> None:
    with pytest.raises(PermissionDenied):
        decide(at_physician(), nurse, decision="accept", volume_ml=350)


def test_the_database_refuses_an_override_without_a_reason(at_physician: Any) -> None:
    presentation = at_physician()
    with pytest.raises(IntegrityError), transaction.atomic():
        Presentation.objects.filter(pk=presentation.pk).update(
            decision="override",
            decision_reason="",
            volume_ml=250,
            decided_at=presentation.arrived_at,
            decided_by=presentation.checked_in_by,
        )

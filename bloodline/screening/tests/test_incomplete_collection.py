"""Issue 10, "Why" 1: a collection that stopped short of the bag is not a donation.

The Vietnamese rule set (VN-TT26-2013) gives a 350 mL bag a complete-collection minimum of
315 mL and a maximum of 385 mL (± 10 % of the label, S52, flagged unverified)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.collection.actions import Shortfall
from bloodline.collection.models import DinCounter, Donation
from bloodline.screening import actions
from bloodline.screening.models import Presentation, Step

pytestmark = pytest.mark.django_db


def collect(presentation: Presentation, by: User, volume_ml: int, **values: Any) -> Donation:
    end = timezone.now() - dt.timedelta(minutes=1)
    return actions.collect(
        by=by,
        presentation=presentation,
        bag_type="triple",
        volume_ml=volume_ml,
        started_at=end - dt.timedelta(minutes=8),
        ended_at=end,
        **values,
    )


def test_it_refuses_an_incomplete_collection_without_a_reason(accepted: Any, nurse: User) -> None:
    presentation = accepted(350)
    with pytest.raises(ValidationError) as exc:
        collect(presentation, nurse, 40)
    assert "incomplete_reason" in exc.value.message_dict
    assert "315" in exc.value.message_dict["incomplete_reason"][0]
    # Nothing written: no donation, no DIN taken from the counter, the donor still waits.
    assert not Donation.objects.exists()
    assert not DinCounter.objects.filter(last_sequence__gt=0).exists()
    presentation.refresh_from_db()
    assert presentation.step == Step.COLLECTION


def test_it_records_40_ml_in_a_350_ml_bag_as_incomplete_with_its_reason(
    accepted: Any, nurse: User
) -> None:
    presentation = accepted(350)
    donation = collect(
        presentation, nurse, 40, shortfall=Shortfall("poor_flow", "  vein collapsed  ")
    )
    donation.refresh_from_db()
    assert (donation.outcome, donation.incomplete_reason) == ("incomplete", "poor_flow")
    assert donation.incomplete_note == "vein collapsed"
    # The facts stay: 40 mL collected, in a 350 mL bag, under its own DIN.
    assert (donation.volume_ml, donation.bag_volume_ml) == (40, 350)
    assert len(donation.din) == 13
    presentation.refresh_from_db()
    assert (presentation.step, presentation.donation) == (Step.POST_CARE, donation)
    event = AuditEvent.objects.get(action="donation.record", object_id=str(donation.uuid))
    assert event.changes["outcome"] == [None, "incomplete"]
    assert event.changes["incomplete_reason"] == [None, "poor_flow"]


@pytest.mark.parametrize(
    ("volume", "outcome"),
    [(314, "incomplete"), (315, "complete"), (350, "complete"), (385, "complete")],
)
def test_the_complete_collection_minimum_is_the_rule_sets(
    accepted: Any, nurse: User, volume: int, outcome: str
) -> None:
    reason = Shortfall("donor_request") if outcome == "incomplete" else Shortfall()
    donation = collect(accepted(350), nurse, volume, shortfall=reason)
    assert donation.outcome == outcome


def test_it_refuses_a_volume_above_the_bag_beyond_tolerance(accepted: Any, nurse: User) -> None:
    presentation = accepted(350)
    with pytest.raises(ValidationError) as exc:
        collect(presentation, nurse, 386)
    assert "385" in exc.value.message_dict["volume_ml"][0]
    assert not Donation.objects.exists()


def test_it_refuses_a_reason_for_a_full_bag(accepted: Any, nurse: User) -> None:
    with pytest.raises(ValidationError) as exc:
        collect(accepted(350), nurse, 350, shortfall=Shortfall("poor_flow"))
    assert "incomplete_reason" in exc.value.message_dict
    assert not Donation.objects.exists()


def test_it_refuses_a_reason_code_not_in_the_list(accepted: Any, nurse: User) -> None:
    with pytest.raises(ValidationError) as exc:
        collect(accepted(350), nurse, 40, shortfall=Shortfall("the needle fell out"))
    assert "incomplete_reason" in exc.value.message_dict
    assert not Donation.objects.exists()


def test_the_database_refuses_an_incomplete_collection_without_a_reason(
    accepted: Any, nurse: User
) -> None:
    donation = collect(accepted(350), nurse, 350)
    with pytest.raises(IntegrityError), transaction.atomic():
        Donation.objects.filter(pk=donation.pk).update(outcome="incomplete")
    with pytest.raises(IntegrityError), transaction.atomic():
        Donation.objects.filter(pk=donation.pk).update(incomplete_reason="poor_flow")

"""Recording a donation and its adverse reactions checks the person's scope every time; only
the system actor (decision 0024) passes without a membership. ``record_donation`` used to skip
the check when called without a person, and ``add_reaction`` had none."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.collection.actions import Reaction, add_reaction, record_donation
from bloodline.collection.models import AdverseReaction, Donation
from bloodline.donors.models import Donor


def _record(by, demo, number: int) -> Donation:
    now = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")).replace(hour=8)
    return record_donation(
        by=by,
        din=f"G999926{number:06d}",
        donor=Donor.objects.create(
            full_name=f"Người hiến {number}", affiliation=demo.nodes["vn_garment"]
        ),
        establishment=demo.nodes["vn_centre"],
        collected_at=now,
        donation_type="whole_blood",
        volume_ml=350,
        bag_volume_ml=350,
    )


@pytest.mark.parametrize("persona", ["unit_organiser", "cn_establishment_admin", "lab_technician"])
def test_it_refuses_to_record_a_donation_outside_the_persons_scope(demo, persona):
    with pytest.raises(PermissionDenied):
        _record(User.objects.get(username=persona), demo, 1)
    assert not Donation.objects.exists()


def test_the_system_actor_records_a_donation_named_as_the_system(demo):
    donation = _record(system_actor(), demo, 2)
    events = AuditEvent.objects.filter(object_id=str(donation.uuid))
    assert events.exists()
    assert set(events.values_list("actor_label", flat=True)) == {"system"}


@pytest.mark.parametrize("persona", ["cn_establishment_admin", "unit_organiser"])
def test_a_reaction_is_recorded_only_by_someone_who_records_donations_there(demo, persona):
    donation = _record(User.objects.get(username="drive_nurse"), demo, 3)
    faint = Reaction(kind="vasovagal", severity="mild")
    at = donation.collected_at
    with pytest.raises(PermissionDenied), transaction.atomic():
        add_reaction(
            by=User.objects.get(username=persona), donation=donation, reaction=faint, at=at
        )
    assert not AdverseReaction.objects.exists()
    with transaction.atomic():
        add_reaction(
            by=User.objects.get(username="drive_nurse"), donation=donation, reaction=faint, at=at
        )
    assert AdverseReaction.objects.get().recorded_by.username == "drive_nurse"

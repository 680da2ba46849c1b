"""Planning and requesting drives check the person's scope every time; only the system actor
(decision 0024) passes without a membership, and it does not widen where a drive may be held.
These actions used to skip the check when called without a person."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.drives import actions
from bloodline.drives.models import Drive, DriveRequest

from .conftest import in_days


def _plan(by: User, demo: Any, **overrides: Any) -> Drive:
    values: dict[str, Any] = {
        "establishment": demo.nodes["vn_centre"],
        "hosts": [demo.nodes["vn_garment"]],
        "title": "Ngày hội hiến máu",
        "venue": "Hội trường",
        "starts_on": in_days(20),
        "ends_on": in_days(20),
        "opens_at": dt.time(7, 0),
        "closes_at": dt.time(9, 0),
        "slot_minutes": 30,
        "beds": 2,
    }
    values.update(overrides)
    return actions.create_drive(by=by, **values)


@pytest.mark.parametrize("persona", ["unit_organiser", "district_committee", "cn_committee"])
def test_it_refuses_to_plan_a_drive_for_an_establishment_outside_the_scope(demo, persona):
    with pytest.raises(PermissionDenied):
        _plan(User.objects.get(username=persona), demo)
    assert not Drive.objects.exists()


def test_the_system_actor_plans_a_drive_and_is_named_in_the_history(demo):
    drive = _plan(system_actor(), demo)
    event = AuditEvent.objects.for_object("drives.drive", str(drive.uuid)).get()
    assert (event.actor_id, event.actor_label) == (system_actor().pk, "system")


def test_the_system_actor_does_not_widen_the_area_a_drive_may_be_held_in(demo):
    with pytest.raises(ValidationError) as refused:
        _plan(system_actor(), demo, hosts=[demo.nodes["cn_firm0"]])
    assert list(refused.value.message_dict) == ["hosts"]
    assert not Drive.objects.exists()


def test_a_unit_of_another_country_cannot_be_made_to_request_a_drive(demo):
    with pytest.raises(PermissionDenied):
        actions.request_drive(
            by=User.objects.get(username="cn_committee"),
            requested_by=demo.nodes["vn_garment"],
            establishment=demo.nodes["vn_centre"],
            options=[in_days(40)],
            expected_donors=40,
            venue="Nhà ăn",
        )
    assert not DriveRequest.objects.exists()

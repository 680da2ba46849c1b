"""A unit asks for a drive on up to three dates; the establishment accepts one or declines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bloodline.audit.models import AuditEvent
from bloodline.drives import actions
from bloodline.drives.models import DriveRequest, DriveStatus, RequestStatus
from bloodline.drives.tests.conftest import in_days


@pytest.fixture
def ask(demo, users):
    def make(person="unit_organiser", unit="vn_garment", establishment="vn_centre", **extra):
        values: dict[str, Any] = {
            "options": [in_days(20), in_days(27), in_days(34)],
            "expected_donors": 120,
            "venue": "Nhà ăn công ty",
        }
        values.update(extra)
        return actions.request_drive(
            by=users[person],
            requested_by=demo.nodes[unit],
            establishment=demo.nodes[establishment],
            **values,
        )

    return make


def _accept(users, request, day, person="establishment_admin"):
    return actions.accept_request(
        by=users[person],
        request=request,
        date=day,
        opens_at=dt.time(7),
        closes_at=dt.time(11),
        slot_minutes=30,
        beds=6,
    )


def test_a_unit_organiser_asks_for_a_drive_with_three_dates(ask):
    request = ask(note="Ca sáng")
    assert request.status == RequestStatus.REQUESTED
    assert request.options() == [in_days(20), in_days(27), in_days(34)]
    assert AuditEvent.objects.filter(object_id=str(request.uuid), action="drive_request.create")


def test_accepting_a_date_proposes_a_drive_hosted_by_the_unit(demo, ask, users):
    request = ask()
    drive = _accept(users, request, in_days(27))
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED and request.drive == drive
    assert drive.status == DriveStatus.PROPOSED
    assert drive.starts_on == drive.ends_on == in_days(27)
    assert list(drive.hosts.all()) == [demo.nodes["vn_garment"]]
    assert drive.establishment == demo.nodes["vn_centre"]
    assert drive.venue == "Nhà ăn công ty" and drive.expected_units == 120
    assert drive.slots.count() == 8 and drive.slots.first().capacity == 6


def test_the_accepted_date_must_be_one_the_unit_offered(ask, users):
    request = ask()
    with pytest.raises(ValidationError) as refused:
        _accept(users, request, in_days(21))
    assert refused.value.message_dict["date"] == ["Choose one of the dates the unit offered."]
    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED and request.drive is None


def test_declining_needs_a_reason(ask, users):
    request = ask()
    with pytest.raises(ValidationError) as refused:
        actions.decline_request(by=users["establishment_admin"], request=request, reason=" ")
    assert refused.value.message_dict["reason"] == ["Say why the request is declined."]
    declined = actions.decline_request(
        by=users["establishment_admin"], request=request, reason="Hết túi máu tháng này"
    )
    assert declined.status == RequestStatus.DECLINED
    assert declined.decline_reason == "Hết túi máu tháng này"


def test_an_answered_request_cannot_be_answered_again(ask, users):
    request = ask()
    _accept(users, request, in_days(20))
    with pytest.raises(ValidationError) as refused:
        actions.decline_request(by=users["establishment_admin"], request=request, reason="x")
    assert refused.value.messages == ["This request has already been answered."]


def test_a_unit_can_only_ask_an_establishment_that_collects_in_its_area(ask):
    with pytest.raises(ValidationError) as refused:
        ask(establishment="vn_station")  # the station serves Tây Giang, not Đông Giang
    assert "does not collect in the area" in refused.value.message_dict["establishment"][0]
    assert not DriveRequest.objects.exists()


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ([in_days(-1)], "option_1", "Choose a date from today on."),
        ([in_days(5), in_days(5)], "option_2", "This date is already offered."),
        ([None, None, None], "option_1", "Offer at least one date."),
    ],
)
def test_bad_dates_are_refused_at_their_field(ask, options, field, message):
    with pytest.raises(ValidationError) as refused:
        ask(options=options)
    assert message in refused.value.message_dict[field]


def test_only_the_establishments_managers_answer(ask, users):
    request = ask()
    for person in ("unit_organiser", "drive_nurse", "district_committee"):
        with pytest.raises(PermissionDenied):
            _accept(users, request, in_days(20), person=person)


def test_nobody_asks_on_behalf_of_a_unit_outside_their_scope(ask):
    with pytest.raises(PermissionDenied):
        ask(person="district_committee", unit="vn_coop")  # a Tây Giang cooperative
    with pytest.raises(PermissionDenied):
        ask(person="establishment_admin")  # establishments plan; units request


def test_a_date_that_has_passed_cannot_be_accepted(ask, users):
    request = ask()
    DriveRequest.objects.filter(pk=request.pk).update(option_2=in_days(-1))
    request.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        _accept(users, request, in_days(-1))
    assert refused.value.message_dict["date"] == [
        "This date has passed. Ask the unit for new dates."
    ]

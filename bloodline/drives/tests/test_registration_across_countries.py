"""A drive collects for its own area: nobody can credit a unit of another country (or
another area the drive neither serves nor is hosted in) with its donors.

Found on a new user's walk (issue 11): a Chinese district committee member could register a
person into a Vietnamese enterprise's drive, credited to a Chinese firm, because a public
drive is visible to everyone and the credit only had to lie in the member's own scope.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.donors.models import Donor
from bloodline.drives import actions
from bloodline.drives.models import DriveStatus, Registration

OUTSIDE = "{name} is outside the area this drive collects for."


def test_it_refuses_a_chinese_committee_member_registering_into_a_vietnamese_drive(
    demo, make_drive, register
):
    drive = make_drive(DriveStatus.CONFIRMED)  # the Vietnamese centre, at the garment firm
    firm = demo.nodes["cn_firm0"]
    donors, events = Donor.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        register(drive, by="cn_committee", unit=firm, full_name="王小明")
    assert refused.value.message_dict == {"unit": [OUTSIDE.format(name=firm.display_name())]}
    assert not Registration.objects.exists()
    assert (Donor.objects.count(), AuditEvent.objects.count()) == (donors, events)


def test_an_explicit_chinese_credit_is_refused_at_its_field(demo, make_drive, register):
    drive = make_drive(DriveStatus.CONFIRMED)
    agency = demo.nodes["cn_agency"]
    with pytest.raises(ValidationError) as refused:
        register(drive, by="cn_committee", unit=demo.nodes["cn_firm0"], mobilised_by=agency)
    assert refused.value.message_dict == {
        "mobilised_by": [OUTSIDE.format(name=agency.display_name())]
    }
    assert not Registration.objects.exists()


def test_booking_a_known_donor_checks_the_drive_too(demo, make_drive):
    drive = make_drive(DriveStatus.CONFIRMED)
    member = User.objects.get(username="cn_committee")
    donor = Donor.objects.create(full_name="李华", date_of_birth=dt.date(1990, 5, 5))
    with pytest.raises(ValidationError) as refused:
        actions.register(
            by=member,
            drive=drive,
            slot=drive.slots.first(),
            donor=donor,
            mobilised_by=demo.nodes["cn_firm1"],
        )
    assert list(refused.value.message_dict) == ["mobilised_by"]
    assert drive.slots.first().booked == 0


def test_the_system_actor_cannot_credit_another_country_either(demo, make_drive):
    drive = make_drive(DriveStatus.CONFIRMED)
    donor = Donor.objects.create(full_name="李华", date_of_birth=dt.date(1990, 5, 5))
    with pytest.raises(ValidationError):
        actions.register(
            by=system_actor(),
            drive=drive,
            slot=drive.slots.first(),
            donor=donor,
            mobilised_by=demo.nodes["cn_firm1"],
        )
    booked = actions.register(
        by=system_actor(),
        drive=drive,
        slot=drive.slots.first(),
        donor=donor,
        mobilised_by=demo.nodes["vn_garment"],
    )
    assert booked.registered_by == system_actor()


def test_a_person_without_registration_scope_is_refused_booking(demo, make_drive):
    """``register`` used to skip this check when called without a person."""
    drive = make_drive(DriveStatus.CONFIRMED)
    nurse = User.objects.get(username="drive_nurse")
    donor = Donor.objects.create(full_name="Lê Văn Tám", date_of_birth=dt.date(1990, 5, 5))
    with pytest.raises(PermissionDenied):
        actions.register(
            by=nurse,
            drive=drive,
            slot=drive.slots.first(),
            donor=donor,
            mobilised_by=demo.nodes["vn_garment"],
        )
    assert not Registration.objects.exists()


def test_the_registration_page_refuses_it_in_the_readers_language(demo, make_drive, login):
    drive = make_drive(DriveStatus.CONFIRMED)
    client = login("cn_committee")
    client.cookies["django_language"] = "en"
    form = {
        "slot": drive.slots.first().starts_at.isoformat(),
        "full_name": "王小明",
        "date_of_birth": "1995-03-03",
        "sex": "M",
        "phone": "",
        "unit": str(demo.nodes["cn_firm0"].uuid),
    }
    page = client.post(f"/drives/{drive.uuid}/register/", form)
    assert page.status_code == 200
    assert "is outside the area this drive collects for." in page.content.decode()
    assert not Registration.objects.exists()


def test_the_api_refuses_it(demo, make_drive, login):
    drive = make_drive(DriveStatus.CONFIRMED)
    client = login("cn_committee")
    response = client.post(
        f"/api/v1/drives/{drive.uuid}/registrations",
        {
            "slot": drive.slots.first().starts_at.isoformat(),
            "full_name": "王小明",
            "date_of_birth": "1995-03-03",
            "sex": "M",
            "unit": str(demo.nodes["cn_firm0"].uuid),
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Registration.objects.exists()

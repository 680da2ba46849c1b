"""A walk-in is credited only to a unit the drive collects for, as a registration is
(decision 0008, issue 11): a donor affiliated with another country's unit who walks into a
Vietnamese drive is not credited to that unit; the nurse chooses one of the drive's hosts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.donors.models import Donor
from bloodline.drives.models import Drive, Registration
from bloodline.screening import actions
from bloodline.screening.models import Presentation

pytestmark = pytest.mark.django_db

OUTSIDE = "{name} is outside the area this drive collects for."
CHOOSE = "Choose the organisation that mobilised this person."


def _chinese_donor(demo: Any) -> Donor:
    """A person on Vietnam's registry (the drive matches only its own country's registry,
    decision 0030) who works for a Chinese firm."""
    return Donor.objects.create(
        full_name="王小明",
        date_of_birth=dt.date(1990, 5, 5),
        sex="M",
        affiliation=demo.nodes["cn_firm0"],
        registry=demo.nodes["vn"],
    )


def test_it_refuses_to_credit_a_walk_in_to_an_affiliation_the_drive_does_not_reach(
    drive: Drive, nurse: User, demo: Any
) -> None:
    donor = _chinese_donor(demo)
    firm = demo.nodes["cn_firm0"]
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        actions.check_in(
            by=nurse, drive=drive, full_name="王小明", date_of_birth=donor.date_of_birth, sex="M"
        )
    assert refused.value.message_dict == {
        "mobilised_by": [OUTSIDE.format(name=firm.display_name()), CHOOSE]
    }
    assert not Registration.objects.filter(donor=donor).exists()
    assert not Presentation.objects.filter(donor=donor).exists()
    assert AuditEvent.objects.count() == events


def test_it_refuses_an_explicit_credit_outside_the_drive(
    drive: Drive, nurse: User, demo: Any
) -> None:
    agency = demo.nodes["cn_agency"]
    donors = Donor.objects.count()
    with pytest.raises(ValidationError) as refused:
        actions.check_in(
            by=nurse,
            drive=drive,
            full_name="Lê Văn Hùng",
            date_of_birth=dt.date(1988, 7, 1),
            sex="M",
            mobilised_by=agency,
        )
    assert refused.value.message_dict["mobilised_by"][0] == OUTSIDE.format(
        name=agency.display_name()
    )
    assert Donor.objects.count() == donors  # nothing written half-way


def test_the_same_walk_in_is_checked_in_once_the_nurse_credits_a_host(
    drive: Drive, nurse: User, demo: Any
) -> None:
    donor = _chinese_donor(demo)
    host = drive.hosts.order_by("pk").first()
    result = actions.check_in(
        by=nurse,
        drive=drive,
        full_name="王小明",
        date_of_birth=donor.date_of_birth,
        sex="M",
        mobilised_by=host,
    )
    assert result.presentation.donor == donor
    assert result.presentation.registration.mobilised_by == host


def test_an_affiliation_the_drive_reaches_is_still_credited_without_asking(
    drive: Drive, nurse: User, demo: Any
) -> None:
    host = drive.hosts.order_by("pk").first()
    donor = Donor.objects.create(
        full_name="Phạm Thị Lan", date_of_birth=dt.date(1992, 2, 2), sex="F", affiliation=host
    )
    result = actions.check_in(
        by=nurse, drive=drive, full_name="Phạm Thị Lan", date_of_birth=donor.date_of_birth, sex="F"
    )
    assert result.presentation.registration.mobilised_by == host

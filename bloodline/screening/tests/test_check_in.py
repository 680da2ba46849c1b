from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.donors.models import IdentityDocument
from bloodline.drives.models import Channel, Drive, DriveStatus
from bloodline.screening import actions
from bloodline.screening.models import Presentation, Step

pytestmark = pytest.mark.django_db


def errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_a_registered_donor_is_checked_in_by_scanning_the_registration_code(
    drive: Drive, register: Any, nurse: User
) -> None:
    registration = register(drive).registration
    result = actions.check_in(by=nurse, drive=drive, scan=f" {registration.uuid} ")
    presentation = result.presentation
    assert presentation.registration == registration
    assert presentation.step == Step.QUESTIONNAIRE
    assert presentation.checked_in_by == nurse and presentation.arrived_at
    event = AuditEvent.objects.get(action="presentation.check_in")
    assert event.changes["donor"] == [None, str(registration.donor.uuid)]
    assert registration.donor.full_name not in str(event.changes)


def test_a_registered_donor_found_by_name_and_birth_date_uses_the_registration(
    drive: Drive, register: Any, nurse: User
) -> None:
    registration = register(drive, full_name="Trần Thị Mai", date_of_birth=dt.date(1995, 3, 2))
    result = actions.check_in(
        by=nurse,
        drive=drive,
        full_name="Trần  Thị Mai",
        date_of_birth=dt.date(1995, 3, 2),
        sex="F",
    )
    assert result.presentation.registration == registration.registration
    assert result.warning == ""


def test_a_walk_in_gets_a_donor_and_a_walk_in_registration(
    drive: Drive, nurse: User, demo: Any
) -> None:
    result = actions.check_in(
        by=nurse,
        drive=drive,
        full_name="Lê Văn Hùng",
        date_of_birth=dt.date(1988, 7, 1),
        sex="M",
        mobilised_by=demo.nodes["vn_garment"],
    )
    registration = result.presentation.registration
    assert registration is not None and registration.channel == Channel.WALK_IN
    assert registration.mobilised_by == demo.nodes["vn_garment"]
    assert result.presentation.donor.full_name == "Lê Văn Hùng"
    assert result.warning == ""


def test_a_walk_in_already_on_record_is_reused_with_a_warning(
    drive: Drive, make_drive: Any, register: Any, nurse: User
) -> None:
    other = make_drive(DriveStatus.CONFIRMED, starts_on=drive.starts_on + dt.timedelta(days=40))
    known = register(other, full_name="Phạm Văn An", date_of_birth=dt.date(1980, 1, 1)).registration
    result = actions.check_in(
        by=nurse, drive=drive, full_name="Phạm Văn An", date_of_birth=dt.date(1980, 1, 1), sex="M"
    )
    assert result.presentation.donor == known.donor
    assert "already on record" in result.warning


def test_it_refuses_a_registration_of_another_drive(
    drive: Drive, make_drive: Any, register: Any, nurse: User
) -> None:
    other = make_drive(DriveStatus.CONFIRMED, title="Trường THPT Nguyễn Trãi")
    registration = register(other).registration
    with pytest.raises(ValidationError) as exc:
        actions.check_in(by=nurse, drive=drive, scan=str(registration.uuid))
    assert "another drive: Trường THPT Nguyễn Trãi" in errors(exc)["scan"][0]
    assert not Presentation.objects.exists()


def test_it_refuses_a_second_check_in_of_the_same_person(
    drive: Drive, register: Any, nurse: User
) -> None:
    registration = register(drive).registration
    actions.check_in(by=nurse, drive=drive, scan=str(registration.uuid))
    with pytest.raises(ValidationError) as exc:
        actions.check_in(by=nurse, drive=drive, scan=str(registration.uuid))
    assert errors(exc)["scan"] == ["This person is already checked in at this drive."]
    assert Presentation.objects.count() == 1


def test_it_refuses_an_unknown_code_and_a_missing_name(drive: Drive, nurse: User) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.check_in(by=nurse, drive=drive, scan="not-a-code")
    assert "Nobody was found" in errors(exc)["scan"][0]
    with pytest.raises(ValidationError) as exc:
        actions.check_in(by=nurse, drive=drive)
    assert set(errors(exc)) == {"full_name", "date_of_birth", "sex"}


def test_it_refuses_a_cancelled_registration(
    drive: Drive, register: Any, nurse: User, users: dict[str, User]
) -> None:
    from bloodline.drives.actions import cancel_registration

    registration = register(drive).registration
    cancel_registration(by=users["unit_organiser"], registration=registration)
    with pytest.raises(ValidationError) as exc:
        actions.check_in(by=nurse, drive=drive, scan=str(registration.uuid))
    assert "cancelled" in errors(exc)["scan"][0]


def test_the_drive_must_be_running(make_drive: Any, register: Any, nurse: User) -> None:
    confirmed = make_drive(DriveStatus.CONFIRMED)
    registration = register(confirmed).registration
    with pytest.raises(ValidationError) as exc:
        actions.check_in(by=nurse, drive=confirmed, scan=str(registration.uuid))
    assert "only while it is running" in exc.value.messages[0]


def test_people_without_the_station_permission_cannot_check_in(
    drive: Drive, register: Any, users: dict[str, User]
) -> None:
    registration = register(drive).registration
    with pytest.raises(PermissionDenied):
        actions.check_in(by=users["lab_technician"], drive=drive, scan=str(registration.uuid))


def test_the_database_refuses_two_presentations_of_one_donor_at_one_drive(
    drive: Drive, arrive: Any, nurse: User
) -> None:
    from django.db import IntegrityError, transaction

    first = arrive()
    with pytest.raises(IntegrityError), transaction.atomic():
        Presentation.objects.create(
            drive=drive, donor=first.donor, arrived_at=first.arrived_at, checked_in_by=nurse
        )


def test_a_registered_donor_is_found_by_the_identity_card_number(
    drive: Drive, register: Any, nurse: User
) -> None:
    registration = register(drive).registration
    IdentityDocument.objects.create(
        donor=registration.donor,
        kind="vn_citizen_identity_card",
        number="079190001234",
        issuing_country="VN",
    )
    result = actions.check_in(by=nurse, drive=drive, scan="0791 9000 1234")
    assert result.presentation.registration == registration

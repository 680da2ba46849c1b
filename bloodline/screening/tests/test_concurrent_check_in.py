"""Ten tablets scanning the same registration at once give one presentation (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.collection.models import Facility
from bloodline.demo.seed import seed
from bloodline.drives import actions as drive_actions
from bloodline.drives.models import Drive, DriveStatus, Registration
from bloodline.screening import actions
from bloodline.screening.models import Presentation

TABLETS = 10
ALREADY = "This person is already checked in at this drive."


@pytest.mark.postgres_only
def test_ten_concurrent_check_ins_of_one_registration_give_one_presentation(
    flushable_audit: Any,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite queues writers, so there is no race to lose")
    nodes = seed().nodes
    admin = User.objects.get(username="establishment_admin")
    Facility.objects.create(establishment=nodes["vn_centre"], fin="W0001")
    drive = drive_actions.create_drive(
        by=admin,
        establishment=nodes["vn_centre"],
        hosts=[nodes["vn_garment"]],
        title="Ngày hội hiến máu",
        venue="Hội trường",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 0),
        slot_minutes=60,
        beds=4,
    )
    for status in (DriveStatus.CONFIRMED, DriveStatus.RUNNING):
        drive = drive_actions.change_status(by=admin, drive=drive, status=status)
    registration = drive_actions.register_person(
        by=User.objects.get(username="unit_organiser"),
        drive=drive,
        slot=drive.slots.all()[0],
        full_name="Nguyễn Thị Lan",
        date_of_birth=dt.date(1992, 5, 4),
        sex="F",
        unit=nodes["vn_garment"],
    ).registration
    start = threading.Barrier(TABLETS)
    outcomes: list[str] = []

    def scan() -> None:
        try:
            nurse = User.objects.get(username="drive_nurse")
            mine = Drive.objects.select_related("establishment").get(pk=drive.pk)
            start.wait(timeout=60)
            actions.check_in(by=nurse, drive=mine, scan=str(registration.uuid))
            outcomes.append("checked in")
        except ValidationError as refused:
            outcomes.append(" ".join(refused.messages))
        except Exception as other:  # reported, so the assertion shows what went wrong
            outcomes.append(repr(other))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(TABLETS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == sorted(["checked in"] + [ALREADY] * (TABLETS - 1))
    assert Presentation.objects.filter(drive=drive).count() == 1
    assert Registration.objects.filter(drive=drive).count() == 1

"""Concurrent bookings never overfill a slot (PostgreSQL, real transactions in threads)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from bloodline.accounts.models import User
from bloodline.demo.seed import seed
from bloodline.donors.models import Donor
from bloodline.drives import actions
from bloodline.drives.models import Drive, Registration, Slot
from bloodline.drives.tests.conftest import in_days
from bloodline.organisations.models import Organisation

PEOPLE = 24
BEDS = 5
FULL = "The slot at 07:00 is full. Choose another slot."


def _one_slot_drive(nodes: dict[str, Organisation]) -> Drive:
    admin = User.objects.get(username="establishment_admin")
    drive = actions.create_drive(
        by=admin,
        establishment=nodes["vn_centre"],
        hosts=[nodes["vn_garment"]],
        title="Giờ cao điểm",
        venue="Hội trường",
        starts_on=in_days(10),
        ends_on=in_days(10),
        opens_at=dt.time(7, 0),
        closes_at=dt.time(7, 30),
        slot_minutes=30,
        beds=BEDS,
    )
    return actions.change_status(by=admin, drive=drive, status="confirmed")


@pytest.mark.postgres_only
def test_a_slot_of_five_takes_exactly_five_of_many_concurrent_bookings(flushable_audit):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite queues writers, so there is no race to lose")
    nodes = seed().nodes
    drive = _one_slot_drive(nodes)
    slot_pk, garment_pk = drive.slots.get().pk, nodes["vn_garment"].pk
    start = threading.Barrier(PEOPLE)
    outcomes: list[str] = []

    def book(n: int) -> None:
        try:
            # Each thread reads its own objects over its own connection and transaction.
            organiser = User.objects.get(username="unit_organiser")
            mine = Drive.objects.select_related("establishment").get(pk=drive.pk)
            slot = Slot.objects.get(pk=slot_pk)
            unit = Organisation.objects.get(pk=garment_pk)
            start.wait(timeout=60)
            actions.register_person(
                by=organiser,
                drive=mine,
                slot=slot,
                full_name=f"Công nhân ca sáng {n}",
                date_of_birth=dt.date(1990, 1, 1) + dt.timedelta(days=n),
                sex="F",
                phone=f"0977{n:06d}",
                unit=unit,
            )
            outcomes.append("booked")
        except ValidationError as refused:
            outcomes.append(" ".join(refused.messages))
        except Exception as other:  # reported, so the assertion shows what went wrong
            outcomes.append(repr(other))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == sorted(["booked"] * BEDS + [FULL] * (PEOPLE - BEDS))
    assert Slot.objects.get(pk=slot_pk).booked == BEDS
    assert Registration.objects.filter(drive=drive).count() == BEDS
    assert Donor.objects.count() == BEDS  # the refused people left no record behind

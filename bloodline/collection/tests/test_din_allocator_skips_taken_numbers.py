"""The allocator skips numbers already taken instead of jamming, and never reuses a voided or
pre-printed number (issue 10, "Why" 3; decision 0021). PostgreSQL: 20 workers at once with a
hand-typed number in the way."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bloodline.collection import dins
from bloodline.collection.models import DinCounter, Donation, Facility
from bloodline.donors.models import Donor
from bloodline.drives.models import LabelSet, VoidedDin

DAY = dt.date(2026, 6, 1)


@pytest.fixture
def facility(demo):
    return Facility.objects.create(establishment=demo.nodes["vn_centre"], fin="W0003")


def typed_in_the_way(facility: Facility, sequence: int) -> Donation:
    """A donation recorded under a number the allocator had not reached: how a bare DIN
    typed by hand got in before typed numbers were checked."""
    return Donation.objects.create(
        din=f"W000326{sequence:06d}",
        donor=Donor.objects.create(full_name="Nhập tay"),
        establishment=facility.establishment,
        collected_at=timezone.now(),
        donation_type="whole_blood",
        volume_ml=350,
        bag_volume_ml=350,
        credited_to=facility.establishment,
    )


def allocate(facility: Facility, times: int) -> list[int]:
    with transaction.atomic():
        return [
            dins.allocate(establishment=facility.establishment, on=DAY).sequence
            for _n in range(times)
        ]


def test_a_number_typed_in_the_way_is_skipped_and_the_counter_moves_past(facility):
    typed_in_the_way(facility, 3)
    assert allocate(facility, 4) == [1, 2, 4, 5]
    assert DinCounter.objects.get(facility=facility, year=26).last_sequence == 5


def test_a_voided_number_is_never_given_out(facility, users_by_name, running_drive):
    drive = running_drive()
    VoidedDin.objects.create(
        din="W000326000001",
        drive=drive,
        reason="Label spoilt",
        voided_by=users_by_name["establishment_admin"],
        voided_at=timezone.now(),
    )
    assert allocate(facility, 2) == [2, 3]


def test_numbers_printed_on_a_label_set_are_skipped(facility, users_by_name, running_drive):
    LabelSet.objects.create(
        drive=running_drive(),
        fin="W0003",
        year=26,
        first=2,
        last=4,
        printed_by=users_by_name["drive_nurse"],
        printed_at=timezone.now(),
    )
    assert allocate(facility, 3) == [1, 5, 6]


@pytest.mark.postgres_only
def test_twenty_workers_allocate_past_a_hand_typed_number(flushable_audit):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to lose")
    from bloodline.demo.seed import seed

    centre = seed().nodes["vn_centre"]
    facility = Facility.objects.create(establishment=centre, fin="W0003")
    typed_in_the_way(facility, 7)
    got: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def work() -> None:
        try:
            start.wait()
            with transaction.atomic():
                din = dins.allocate(establishment=centre, on=DAY)
            with lock:
                got.append(din.din)
        except BaseException as exc:  # reported below, not swallowed
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(got) == len(set(got)) == 20
    assert "W000326000007" not in got
    assert sorted(int(d[7:]) for d in got) == [n for n in range(1, 22) if n != 7]
    assert DinCounter.objects.get(facility=facility, year=26).last_sequence == 21

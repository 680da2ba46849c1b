"""A drive's reconciliation: every figure of the day's funnel and every kind of mismatch."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bloodline.donors.models import Donor
from bloodline.drives import reconciliation
from bloodline.drives.models import DriveStatus, VoidedDin
from bloodline.lib.querycount import assert_flat, counted
from bloodline.screening.models import Deferral


@pytest.fixture
def day(make_drive, register, present, collect, users) -> dict[str, Any]:
    """A running drive: six registered (one more cancelled), five of them came, one walk-in,
    one donation recorded for someone who never checked in, one number voided."""
    drive = make_drive(DriveStatus.RUNNING)
    regs = [register(drive, slot_index=i // 2).registration for i in range(6)]
    cancelled = register(drive, slot_index=3).registration
    cancelled.cancelled_at = timezone.now()
    cancelled.save()
    done = present(drive, regs[0], step="done", decision="accept")
    collect(drive, done.donor)
    low_hb = present(drive, regs[1], step="deferred", decision="defer")
    Deferral.objects.create(
        donor=low_hb.donor,
        presentation=low_hb,
        code="haemoglobin_low",
        reason="Hb",
        starts_on=timezone.localdate(),
    )
    present(drive, regs[2], step="deferred", engine_reasons=[{"code": "weight_low", "rule": "x"}])
    not_collected = present(drive, regs[3], step="done", decision="accept")
    in_flow = present(drive, regs[4], step="vitals")
    walk_in = present(drive, donor=Donor.objects.create(full_name="Khách vãng lai"), step="done")
    collect(drive, walk_in.donor)
    stray = Donor.objects.create(full_name="Không check-in")
    orphan = collect(drive, stray)
    VoidedDin.objects.create(
        din="A999926999999",
        drive=drive,
        reason="label torn",
        voided_by=users["establishment_admin"],
        voided_at=timezone.now(),
    )
    return {
        "drive": drive,
        "no_show": regs[5],
        "not_collected": not_collected,
        "in_flow": in_flow,
        "orphan": orphan,
    }


def test_it_counts_registered_people_but_not_cancelled_registrations(day):
    assert reconciliation.figures(day["drive"]).registered == 6


def test_it_counts_arrivals_including_walk_ins(day):
    figures = reconciliation.figures(day["drive"])
    assert (figures.arrived, figures.walk_ins) == (6, 1)


def test_it_counts_deferrals_by_reason_code(day):
    figures = reconciliation.figures(day["drive"])
    assert figures.deferred == 2
    assert dict(figures.deferred_by_reason) == {"haemoglobin_low": 1, "weight_low": 1}


def test_a_deferral_without_any_reason_is_counted_as_such(make_drive, register, present):
    drive = make_drive(DriveStatus.RUNNING)
    present(drive, register(drive).registration, step="deferred")
    assert reconciliation.figures(drive).deferred_by_reason == [(reconciliation.NO_REASON, 1)]


def test_it_counts_collections_and_donation_numbers_used_or_voided(day):
    figures = reconciliation.figures(day["drive"])
    assert (figures.collected, figures.voided, figures.dins_accounted) == (3, 1, 4)


def test_it_lists_registered_people_who_did_not_arrive(day):
    assert reconciliation.reconcile(day["drive"]).no_shows == [day["no_show"]]


def test_it_lists_people_accepted_but_not_collected(day):
    assert reconciliation.reconcile(day["drive"]).accepted_not_collected == [day["not_collected"]]


def test_it_lists_people_still_in_the_flow(day):
    assert reconciliation.reconcile(day["drive"]).in_progress == [day["in_flow"]]


def test_it_lists_donations_without_a_presentation(day):
    found = reconciliation.reconcile(day["drive"]).donations_without_presentation
    assert found == [day["orphan"]]


def test_it_lists_donations_recorded_with_a_voided_number(day, collect, users):
    drive = day["drive"]
    used = collect(drive, Donor.objects.create(full_name="X"), din="A999926555555")
    VoidedDin.objects.create(
        din="A999926555555",
        drive=drive,
        reason="race",
        voided_by=users["establishment_admin"],
        voided_at=timezone.now(),
    )
    assert reconciliation.reconcile(drive).voided_but_used == [used]


def test_a_person_who_left_is_no_mismatch(make_drive, register, present):
    drive = make_drive(DriveStatus.RUNNING)
    present(drive, register(drive).registration, step="left", decision="accept")
    result = reconciliation.reconcile(drive)
    assert result.mismatches == 0 and result.no_shows == []


def test_is_voided_reads_bare_checked_and_scanned_numbers(day):
    assert reconciliation.is_voided("A999926999999")
    assert reconciliation.is_voided("=A99992699999900")
    assert not reconciliation.is_voided("A999926999998")


def test_a_voided_number_needs_a_reason_in_the_database(make_drive, users):
    drive = make_drive(DriveStatus.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        VoidedDin.objects.create(
            din="A999926000001",
            drive=drive,
            reason="",
            voided_by=users["establishment_admin"],
            voided_at=timezone.now(),
        )


def _a_day_of(n, drive, register, present, collect, users) -> None:
    """``n`` people of every kind the reconciliation lists or counts."""
    for i in range(n):
        slot = i % 4
        register(drive, slot_index=slot)  # a no-show
        done = present(drive, register(drive, slot_index=slot).registration, step="done")
        collect(drive, done.donor)
        low_hb = present(drive, register(drive, slot_index=slot).registration, step="deferred")
        Deferral.objects.create(
            donor=low_hb.donor,
            presentation=low_hb,
            code="haemoglobin_low",
            reason="Hb",
            starts_on=timezone.localdate(),
        )
        present(
            drive, donor=Donor.objects.create(full_name=f"A {i}"), step="done", decision="accept"
        )
        present(drive, donor=Donor.objects.create(full_name=f"B {i}"), step="vitals")
        collect(drive, Donor.objects.create(full_name=f"C {i}"))  # never checked in
        VoidedDin.objects.create(
            din=f"A999926{900000 + drive.pk * 100 + i:06d}",
            drive=drive,
            reason="label torn",
            voided_by=users["establishment_admin"],
            voided_at=timezone.now(),
        )


def test_the_reconciliation_and_its_page_take_the_same_queries_for_ten_times_the_people(
    make_drive, register, present, collect, users, english
):
    small, large = (make_drive(DriveStatus.RUNNING, beds=30) for _ in range(2))
    _a_day_of(1, small, register, present, collect, users)
    _a_day_of(10, large, register, present, collect, users)
    with counted() as few:
        one = reconciliation.reconcile(small)
    with counted() as many:
        ten = reconciliation.reconcile(large)
    assert_flat(few, many, sizes=(1, 10))
    # 13 for the figures and lists, 2 for label sets and resolutions, 2 more once labels
    # were pre-printed (the donations and voids among their numbers).
    assert len(few) <= 17
    assert (one.mismatches, ten.mismatches) == (3, 30)
    assert len(ten.no_shows) == 10 and ten.figures.deferred_by_reason == [("haemoglobin_low", 10)]

    client = english("establishment_admin")
    client.get(f"/drives/{small.uuid}/reconcile/")  # session and grants settle
    with counted() as few:
        client.get(f"/drives/{small.uuid}/reconcile/")
    with counted() as many:
        page = client.get(f"/drives/{large.uuid}/reconcile/")
    assert_flat(few, many, sizes=(1, 10))
    assert page.content.decode().count("Người hiến") >= 10  # the ten no-shows are listed

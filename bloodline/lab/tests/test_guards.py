"""The database's own copy of the laboratory rules, for writers that bypass the actions
(safety.md §3, §5 South Florida 1999; QUALITY T1): test results are append-only — the one
change allowed is a second person's verification, once — and a component is released only
if the release gate passes. The same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.donors.models import Donor
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, UnsafeDonation
from bloodline.inventory.status import Status
from bloodline.lab import actions as lab
from bloodline.lab import imports
from bloodline.lab.models import Sample, Source, TestResult
from bloodline.screening.models import Deferral

REFUSED = (IntegrityError, DatabaseError)
VOLUMES = {"red_cells_additive": 250, "plasma_fresh_frozen": 200}


def processed(centre) -> Component:
    donation = centre.donation()
    red, _plasma = inventory.process_donation(
        by=centre.clerk, donation=donation, recipe="red_cells_plasma", volumes=VOLUMES
    )
    return red


def with_results(centre, skip: str = "") -> Component:
    """Red cells whose donation passed every test of its panel (but ``skip``), group O pos."""
    red = processed(centre)
    rows = [r for r in factories.passing_rows(red.donation, "O", "pos") if r["test"] != skip]
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content=factories.to_csv(rows),
    )
    return red


def raw_release(centre, unit: Component, abo: str = "O", rhd: str = "pos") -> int:
    return Component.objects.filter(pk=unit.pk).update(
        released_at=timezone.now(),
        released_by=centre.lab,
        abo=abo,
        rhd=rhd,
        status=Status.RELEASED,
    )


def assert_release_refused(centre, unit: Component, abo: str = "O", rhd: str = "pos") -> None:
    with pytest.raises(REFUSED), transaction.atomic():
        raw_release(centre, unit, abo, rhd)
    unit.refresh_from_db()
    assert (unit.released_at, unit.status) == (None, Status.QUARANTINED)


# Release ----------------------------------------------------------------------------------


def test_a_unit_that_passes_every_check_may_be_released_even_by_a_bulk_update(centre):
    unit = with_results(centre)
    with transaction.atomic():
        assert raw_release(centre, unit) == 1


def test_release_through_the_gate_passes_the_database_guard(centre):
    released = lab.release(by=centre.lab, component=with_results(centre))
    assert (released.status, released.group()) == (Status.RELEASED, "O+")


def test_no_release_without_the_sample(centre):
    assert_release_refused(centre, processed(centre))


def test_no_release_with_a_test_pending(centre):
    assert_release_refused(centre, with_results(centre, skip="syphilis"))


def test_no_release_with_a_reactive_result(centre):
    unit = with_results(centre)
    sample = Sample.objects.get(donation=unit.donation)
    # Written directly, so none of the result's consequences (unsafe donation) follow.
    TestResult.objects.create(
        sample=sample,
        test="hcv",
        stage="screen",
        reading="reactive",
        acceptable=False,
        operator="analyser",
        source=Source.IMPORT,
        batch=TestResult.objects.filter(sample=sample).first().batch,
        entered_at=timezone.now(),
        entered_by=centre.lab,
    )
    assert not UnsafeDonation.objects.exists()
    assert_release_refused(centre, unit)


def test_no_release_with_a_result_still_waiting_for_its_verification(centre):
    unit = with_results(centre)
    lab.record_result(
        by=centre.lab,
        sample=Sample.objects.get(donation=unit.donation),
        test="hbv",
        reading="non_reactive",
    )
    assert_release_refused(centre, unit)


@pytest.mark.parametrize(("abo", "rhd"), [("A", "pos"), ("O", "neg"), ("AB", "neg")])
def test_no_release_under_a_group_the_laboratory_did_not_find(centre, abo, rhd):
    assert_release_refused(centre, with_results(centre), abo, rhd)


def test_no_release_under_a_group_other_than_the_donors_confirmed_one(centre):
    unit = with_results(centre)
    Donor.objects.filter(pk=unit.donation.donor_id).update(
        abo_confirmed="A", rhd_confirmed="pos", confirmed_at=timezone.now()
    )
    assert_release_refused(centre, unit)


def test_no_release_for_a_deferred_donor(centre):
    unit = with_results(centre)
    Deferral.objects.create(
        donor=unit.donation.donor,
        code="hiv_positive",
        reason="Confirmed positive elsewhere",
        starts_on=timezone.localdate(),
        permanent=True,
    )
    assert_release_refused(centre, unit)


def test_no_release_of_a_unit_from_an_unsafe_donation(centre):
    unit = with_results(centre)
    UnsafeDonation.objects.create(donation=unit.donation, reason="recall", found_at=timezone.now())
    assert_release_refused(centre, unit)


def test_no_release_of_a_unit_found_unsafe(centre):
    unit = with_results(centre)
    Component.objects.filter(pk=unit.pk).update(
        unsafe_at=timezone.now(), unsafe_reason="recall", status=Status.UNSAFE
    )
    with pytest.raises(REFUSED), transaction.atomic():
        raw_release(centre, unit)


# Results are append-only ------------------------------------------------------------------


def a_result(centre) -> TestResult:
    unit = processed(centre)
    sample = lab.receive_sample(by=centre.lab, donation=unit.donation)
    return lab.record_result(by=centre.lab, sample=sample, test="hiv", reading="reactive")


@pytest.mark.parametrize(
    "change",
    [
        {"reading": "non_reactive"},
        {"acceptable": True},
        {"test": "hbv"},
        {"stage": "repeat"},
        {"operator": "someone else"},
        {"entered_by": None},
        {"correction_reason": "tidying up"},
    ],
)
def test_a_result_is_never_edited(centre, change):
    result = a_result(centre)
    if change == {"entered_by": None}:
        change = {"entered_by": centre.second}
    with pytest.raises(REFUSED), transaction.atomic():
        TestResult.objects.filter(pk=result.pk).update(**change)
    result.refresh_from_db()
    assert (result.reading, result.acceptable, result.test) == ("reactive", False, "hiv")


def test_a_result_is_never_deleted(centre):
    result = a_result(centre)
    with pytest.raises(REFUSED), transaction.atomic():
        TestResult.objects.filter(pk=result.pk).delete()
    assert TestResult.objects.filter(pk=result.pk).exists()


def test_the_one_change_allowed_is_a_verification_once(centre):
    result = a_result(centre)
    rows = TestResult.objects.filter(pk=result.pk)
    with transaction.atomic():
        assert rows.update(verified_at=timezone.now(), verified_by=centre.second) == 1
    with pytest.raises(REFUSED), transaction.atomic():
        rows.update(verified_at=timezone.now(), verified_by=centre.clerk)
    assert rows.get().verified_by == centre.second


def test_a_verification_that_also_changes_the_reading_is_refused(centre):
    result = a_result(centre)
    with pytest.raises(REFUSED), transaction.atomic():
        TestResult.objects.filter(pk=result.pk).update(
            verified_at=timezone.now(), verified_by=centre.second, reading="non_reactive"
        )


def test_the_author_cannot_verify_a_result_even_by_a_bulk_update(centre):
    result = a_result(centre)
    with pytest.raises(REFUSED), transaction.atomic():
        TestResult.objects.filter(pk=result.pk).update(
            verified_at=timezone.now(), verified_by=centre.lab
        )


def test_a_correction_without_its_reason_is_refused_by_the_database(centre):
    result = a_result(centre)
    with pytest.raises(REFUSED), transaction.atomic():
        TestResult.objects.create(
            sample=result.sample,
            test="hiv",
            stage="screen",
            reading="non_reactive",
            acceptable=True,
            operator="x",
            source=Source.MANUAL,
            entered_at=timezone.now(),
            entered_by=centre.lab,
            corrects=result,
        )

"""The database keeps the look-back hold even against writers that bypass the actions
(decision 0016, inventory migration 0003): a held unit, or any unit of a donor with an open
hold, is never released or issued; a unit's hold is cleared only by closing the hold; a
closed hold never changes, and the person who entered the confirmatory result never lifts
it. The same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, LookbackHold
from bloodline.inventory.status import Status
from bloodline.lab import imports

REFUSED = (IntegrityError, DatabaseError)
VOLUMES = {"red_cells_additive": 250, "plasma_fresh_frozen": 200}


def reactive_twice(centre, donation) -> LookbackHold:
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="hiv.csv",
        content=factories.to_csv(
            {"din": donation.din, "test": "hiv", "stage": s, "result": "reactive"}
            for s in ("screen", "repeat")
        ),
    )
    return LookbackHold.objects.get(donor=donation.donor)


@pytest.fixture
def held(centre):
    """A donor's red cells in stock, then held; plus a quarantined earlier unit whose
    results all passed, also held."""
    red, _plasma = centre.stocked(at=timezone.now() - dt.timedelta(days=20))
    donor = red.donation.donor
    earlier = centre.donation(at=timezone.now() - dt.timedelta(days=10), donor=donor)
    waiting, _ = inventory.process_donation(
        by=centre.clerk, donation=earlier, recipe="red_cells_plasma", volumes=VOLUMES
    )
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="earlier.csv",
        content=factories.to_csv(factories.passing_rows(earlier, "O", "pos")),
    )
    hold = reactive_twice(centre, centre.donation(donor=donor))
    red.refresh_from_db()
    waiting.refresh_from_db()
    assert (red.status, waiting.status) == (Status.HELD, Status.HELD)
    return red, waiting, hold


def test_the_database_refuses_to_release_a_held_unit(centre, held):
    _red, waiting, _hold = held
    with pytest.raises(REFUSED), transaction.atomic():
        Component.objects.filter(pk=waiting.pk).update(
            released_at=timezone.now(), released_by=centre.lab, abo="O", rhd="pos"
        )
    waiting.refresh_from_db()
    assert waiting.released_at is None


def test_the_database_refuses_to_release_any_unit_of_a_donor_with_an_open_hold(centre, held):
    """Even one the hold does not name: a unit made after the hold was placed."""
    _red, waiting, _hold = held
    later = centre.donation(donor=waiting.donation.donor)
    fresh, _ = inventory.process_donation(
        by=centre.clerk, donation=later, recipe="red_cells_plasma", volumes=VOLUMES
    )
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="later.csv",
        content=factories.to_csv(factories.passing_rows(later, "O", "pos")),
    )
    assert fresh.lookback_hold_id is None and fresh.status == Status.QUARANTINED
    with pytest.raises(REFUSED), transaction.atomic():
        Component.objects.filter(pk=fresh.pk).update(
            released_at=timezone.now(), released_by=centre.lab, abo="O", rhd="pos"
        )


def test_the_database_refuses_to_issue_a_held_unit(centre, held):
    red, _waiting, _hold = held
    with pytest.raises(REFUSED), transaction.atomic():
        Component.objects.filter(pk=red.pk).update(
            issued_at=timezone.now(), issued_to=centre.hospital
        )
    red.refresh_from_db()
    assert red.issued_at is None


def test_the_database_refuses_to_clear_a_hold_that_is_still_open(held):
    red, _waiting, _hold = held
    with pytest.raises(REFUSED), transaction.atomic():
        Component.objects.filter(pk=red.pk).update(lookback_hold=None, status=Status.AVAILABLE)
    red.refresh_from_db()
    assert red.status == Status.HELD


def test_the_stored_status_cannot_hide_a_hold(held):
    red, _waiting, _hold = held
    with pytest.raises(IntegrityError), transaction.atomic():
        Component.objects.filter(pk=red.pk).update(status=Status.AVAILABLE)


def test_the_person_who_entered_the_confirmatory_result_never_lifts_the_hold(centre, held):
    _red, _waiting, hold = held
    with pytest.raises(IntegrityError), transaction.atomic():
        LookbackHold.objects.filter(pk=hold.pk).update(
            closed_at=timezone.now(),
            closed_by=centre.lab,
            outcome="lifted",
            closing_evidence="x",
            confirmatory_by=centre.lab,
        )


def test_a_closed_hold_never_changes(centre, held):
    _red, _waiting, hold = held
    LookbackHold.objects.filter(pk=hold.pk).update(
        closed_at=timezone.now(),
        closed_by=centre.second,
        outcome="lifted",
        closing_evidence="x",
        confirmatory_by=centre.lab,
    )
    with pytest.raises(REFUSED), transaction.atomic():
        LookbackHold.objects.filter(pk=hold.pk).update(closed_at=None, closed_by=None, outcome="")
    with pytest.raises(REFUSED), transaction.atomic():
        LookbackHold.objects.filter(pk=hold.pk).delete()


def test_the_earlier_component_guards_survive_the_table_rebuild(centre, held):
    """SQLite rebuilt inventory_component for the new constraints; the facts latch of
    inventory 0002 still refuses what no constraint would (unsafe back to held)."""
    red, _waiting, _hold = held
    inventory.mark_unsafe(by=centre.lab, donation=red.donation, reason="recall")
    with pytest.raises(REFUSED), transaction.atomic():
        Component.objects.filter(pk=red.pk).update(
            unsafe_at=None, unsafe_reason="", status=Status.HELD
        )
    red.refresh_from_db()
    assert red.status == Status.UNSAFE

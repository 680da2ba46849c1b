"""The database keeps a component's facts even against a writer that bypasses the actions
(a bulk ``update()``, a script, raw SQL): release, unsafe, discard and transfusion are never
undone, and a unit is issued only if it is released, checked into stock, not unsafe, not from
an unsafe donation, not discarded and unexpired (safety.md §3 core invariant; QUALITY T1).
The same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import ItemOutcome
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, UnsafeDonation
from bloodline.inventory.status import Status
from bloodline.lab import actions as lab
from bloodline.lab import imports

REFUSED = (IntegrityError, DatabaseError)
VOLUMES = {"red_cells_additive": 250, "plasma_fresh_frozen": 200}


def assert_refused(component: Component, **changes) -> None:
    """The update is refused by the database, and the row is as it was."""
    before = Component.objects.values().get(pk=component.pk)
    with pytest.raises(REFUSED), transaction.atomic():
        Component.objects.filter(pk=component.pk).update(**changes)
    assert Component.objects.values().get(pk=component.pk) == before


def quarantined(centre) -> Component:
    donation = centre.donation()
    red, _plasma = inventory.process_donation(
        by=centre.clerk, donation=donation, recipe="red_cells_plasma", volumes=VOLUMES
    )
    return red


def released(centre) -> Component:
    """Released red cells whose label is not yet checked back."""
    red = quarantined(centre)
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content=factories.to_csv(factories.passing_rows(red.donation, "O", "pos")),
    )
    return lab.release(by=centre.lab, component=red)


def issue_fields(centre) -> dict[str, object]:
    return {"issued_at": timezone.now(), "issued_to": centre.hospital, "status": Status.ISSUED}


# Facts are never undone ---------------------------------------------------------------------


def test_a_release_is_never_undone(centre):
    unit = released(centre)
    assert_refused(unit, released_at=None, released_by=None)
    assert_refused(unit, released_at=None, released_by=None, status=Status.QUARANTINED)
    red, _plasma = centre.stocked()
    assert_refused(red, released_at=None, released_by=None)


def test_unsafe_is_never_undone(centre):
    unit = quarantined(centre)
    inventory.mark_unsafe(by=centre.lab, donation=unit.donation, reason="test_failed")
    assert_refused(unit, unsafe_at=None, unsafe_reason="", status=Status.QUARANTINED)
    assert_refused(unit, unsafe_at=None, unsafe_reason="")


def test_a_discard_is_never_undone(centre):
    unit = quarantined(centre)
    inventory.discard(by=centre.clerk, component=unit, reason="bag_damaged")
    assert_refused(
        unit, discarded_at=None, discarded_by=None, discard_reason="", status=Status.QUARANTINED
    )


def test_a_transfusion_is_never_undone(centre):
    red, _plasma = centre.stocked()
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=2),
        lines=[distribution.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    distribution.allocate(by=centre.clerk, order=order)
    scans = factories.label_scans(red)
    distribution.pick(
        by=centre.clerk, order=order, din_scan=scans["din_scan"], product_scan=scans["product_scan"]
    )
    distribution.dispatch(by=centre.clerk, order=order, packed_count=1)
    distribution.receive(by=centre.hospital_user, order=order, received_count=1)
    distribution.report_outcome(
        by=centre.hospital_user, item=order.shipment.items.get(), outcome=ItemOutcome.TRANSFUSED
    )
    red.refresh_from_db()
    assert red.status == Status.TRANSFUSED
    assert_refused(red, transfused_at=None, status=Status.ISSUED)


def test_a_status_that_contradicts_the_facts_is_refused(centre):
    unit = quarantined(centre)
    for status in (Status.AVAILABLE, Status.RESERVED, Status.ISSUED, Status.UNSAFE, "lost"):
        assert_refused(unit, status=status)
    red, _plasma = centre.stocked()
    assert_refused(red, status=Status.QUARANTINED)


# The issue gate -------------------------------------------------------------------------


def test_an_unreleased_unit_cannot_be_issued(centre):
    assert_refused(quarantined(centre), **issue_fields(centre))


def test_a_unit_whose_label_was_not_checked_back_cannot_be_issued(centre):
    assert_refused(released(centre), **issue_fields(centre))


def test_an_expired_unit_cannot_be_issued(centre):
    red, _plasma = centre.stocked()
    now = timezone.now()  # as if collected 50 days ago and released before it expired
    Component.objects.filter(pk=red.pk).update(
        collected_at=now - dt.timedelta(days=50),
        released_at=now - dt.timedelta(days=10),
        expires_at=now - dt.timedelta(minutes=1),
    )
    assert_refused(red, **issue_fields(centre))


def test_an_unsafe_unit_cannot_be_issued(centre):
    red, _plasma = centre.stocked()
    inventory.mark_unsafe(by=centre.lab, donation=red.donation, reason="recall")
    assert_refused(red, **issue_fields(centre))


def test_a_unit_of_an_unsafe_donation_cannot_be_issued(centre):
    """Even if a writer flagged the donation but not (yet) its components."""
    red, _plasma = centre.stocked()
    UnsafeDonation.objects.create(
        donation=red.donation, reason="test_failed", found_at=timezone.now()
    )
    red.refresh_from_db()
    assert red.unsafe_at is None
    assert_refused(red, **issue_fields(centre))


def test_a_discarded_unit_cannot_be_issued(centre):
    red, _plasma = centre.stocked()
    inventory.discard(by=centre.clerk, component=red, reason="bag_damaged")
    assert_refused(red, **issue_fields(centre))


def test_a_unit_in_stock_passes_the_database_issue_gate(centre):
    red, _plasma = centre.stocked()
    with transaction.atomic():
        assert Component.objects.filter(pk=red.pk).update(**issue_fields(centre)) == 1
    red.refresh_from_db()
    assert red.status == Status.ISSUED


# Unsafe donations are kept --------------------------------------------------------------


def test_an_unsafe_donation_is_never_removed_or_changed(centre):
    unit = quarantined(centre)
    inventory.mark_unsafe(by=centre.lab, donation=unit.donation, reason="test_failed")
    flagged = UnsafeDonation.objects.filter(donation=unit.donation)
    with pytest.raises(REFUSED), transaction.atomic():
        flagged.delete()
    with pytest.raises(REFUSED), transaction.atomic():
        flagged.update(reason="recall")
    assert flagged.get().reason == "test_failed"


def test_marking_a_donation_unsafe_twice_keeps_the_first_finding(centre):
    unit = quarantined(centre)
    inventory.mark_unsafe(by=centre.lab, donation=unit.donation, reason="test_failed", evidence="a")
    assert inventory.mark_unsafe(by=centre.lab, donation=unit.donation, reason="recall") == []
    assert UnsafeDonation.objects.get(donation=unit.donation).evidence == "a"

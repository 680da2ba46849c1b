"""The expiry sweep records the expiry of units past their expiry instant; an expired unit
is never allocated. Time moves forward with the ``travel`` fixture."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.distribution import actions as distribution
from bloodline.inventory import actions
from bloodline.inventory.models import Component
from bloodline.inventory.status import Status


def test_the_sweep_turns_an_expired_available_unit_into_expired(centre, travel) -> None:
    red, plasma = centre.stocked("O", "pos")
    travel(dt.timedelta(days=60))  # red cells keep 42 days, plasma 12 months
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE and red.current_status() == Status.EXPIRED
    assert actions.sweep_expired(by=system_actor()) == 1
    red.refresh_from_db()
    plasma.refresh_from_db()
    assert (red.status, plasma.status) == (Status.EXPIRED, Status.AVAILABLE)
    assert AuditEvent.objects.filter(action="component.expire", object_id=str(red.uuid)).exists()
    assert actions.sweep_expired(by=system_actor()) == 0  # recorded once


def test_a_unit_made_from_a_donation_collected_long_ago_starts_expired(centre, processed) -> None:
    red, plasma = processed(at=timezone.now() - dt.timedelta(days=60))
    assert (red.status, plasma.status) == (Status.EXPIRED, Status.QUARANTINED)
    assert actions.sweep_expired(by=system_actor()) == 0


def test_quarantined_and_reserved_units_expire_too(centre, processed, travel) -> None:
    quarantined, _ = processed()
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[distribution.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    reserved, _plasma = centre.stocked("O", "pos")
    distribution.allocate(by=centre.clerk, order=order)
    travel(dt.timedelta(days=43))
    assert actions.sweep_expired(by=system_actor()) == 2
    quarantined.refresh_from_db()
    reserved.refresh_from_db()
    assert quarantined.status == reserved.status == Status.EXPIRED
    assert reserved.reserved_at is None


def test_an_expired_unit_cannot_be_allocated_afterwards(centre, travel) -> None:
    red, _plasma = centre.stocked("O", "pos")
    travel(dt.timedelta(days=60))
    actions.sweep_expired(by=system_actor())
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[distribution.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    assert distribution.allocate(by=centre.clerk, order=order) == []
    line = order.lines.get()
    with pytest.raises(ValidationError):
        distribution.allocate_unit(by=centre.clerk, line=line, component=red)
    red = Component.objects.get(pk=red.pk)
    assert red.status == Status.EXPIRED and red.reserved_at is None

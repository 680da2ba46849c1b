"""A component's status is derived from its facts in one order of precedence, and its expiry
comes from the collection instant and the rule set's shelf life in the unit the rule states:
hours are elapsed time, days and months are calendar steps in the establishment's zone —
across DST changes and 29 February (components.md §4; safety.md §5 ARC 2007, leap-year
plasma). Expiry is checked again at issue against the server's clock."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.demo.factories import collection
from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component
from bloodline.inventory.status import IN_STOCK, Status, derive
from bloodline.jurisdictions.loader import registry
from bloodline.organisations import actions as organisations
from bloodline.organisations.kinds import Kind

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
EARLIER = NOW - dt.timedelta(days=1)
LATER = NOW + dt.timedelta(days=1)
UTC = dt.UTC


def facts(**given_facts: dt.datetime | None) -> SimpleNamespace:
    names = ["released_at", "stocked_at", "reserved_at", "issued_at", "transfused_at"]
    names += ["processed_at", "unsafe_at", "discarded_at"]
    values = dict.fromkeys(names) | {"expires_at": LATER, "lookback_hold_id": None} | given_facts
    return SimpleNamespace(**values)


# Status: the order of precedence ------------------------------------------------------------

E = EARLIER
IN_STORE = {"released_at": E, "stocked_at": E}


@pytest.mark.parametrize(
    ("given_facts", "status"),
    [
        ({}, Status.QUARANTINED),
        ({"released_at": E}, Status.RELEASED),
        (IN_STORE, Status.AVAILABLE),
        (IN_STORE | {"reserved_at": E}, Status.RESERVED),
        ({"expires_at": EARLIER}, Status.EXPIRED),
        ({"expires_at": NOW}, Status.EXPIRED),  # expired at the very instant
        (IN_STORE | {"expires_at": NOW + dt.timedelta(microseconds=1)}, Status.AVAILABLE),
        (IN_STORE | {"reserved_at": E, "expires_at": EARLIER}, Status.EXPIRED),
        ({"unsafe_at": E}, Status.UNSAFE),
        (IN_STORE | {"unsafe_at": E}, Status.UNSAFE),
        (IN_STORE | {"unsafe_at": E, "expires_at": EARLIER}, Status.UNSAFE),  # unsafe first
        (IN_STORE | {"issued_at": E}, Status.ISSUED),
        (IN_STORE | {"issued_at": E, "unsafe_at": E}, Status.ISSUED),  # at the hospital
        (IN_STORE | {"issued_at": E, "expires_at": EARLIER}, Status.ISSUED),
        (IN_STORE | {"issued_at": E, "transfused_at": E, "unsafe_at": E}, Status.TRANSFUSED),
        (IN_STORE | {"processed_at": E, "unsafe_at": E}, Status.PROCESSED),
        (IN_STORE | {"discarded_at": E, "unsafe_at": E}, Status.DISCARDED),
        ({"discarded_at": E, "expires_at": EARLIER}, Status.DISCARDED),
        (IN_STORE | {"issued_at": E, "transfused_at": E, "discarded_at": E}, Status.DISCARDED),
        # A look-back hold keeps back a unit at the establishment, whatever stage it was at.
        ({"lookback_hold_id": 1}, Status.HELD),
        ({"released_at": E, "lookback_hold_id": 1}, Status.HELD),
        (IN_STORE | {"reserved_at": E, "lookback_hold_id": 1}, Status.HELD),
        (IN_STORE | {"issued_at": E, "lookback_hold_id": 1}, Status.ISSUED),  # at the hospital
        (IN_STORE | {"unsafe_at": E, "lookback_hold_id": 1}, Status.UNSAFE),
        ({"expires_at": EARLIER, "lookback_hold_id": 1}, Status.EXPIRED),
    ],
)
def test_the_status_follows_the_facts_in_order_of_precedence(given_facts, status):
    assert derive(facts(**given_facts), NOW) == status


moments = st.one_of(st.none(), st.just(EARLIER))


@given(
    released=moments,
    stocked=moments,
    reserved=moments,
    issued=moments,
    transfused=moments,
    processed=moments,
    discarded=moments,
    expires=st.sampled_from([EARLIER, NOW, LATER]),
)
def test_an_unsafe_unit_is_never_in_stock_or_waiting_for_release(
    released, stocked, reserved, issued, transfused, processed, discarded, expires
):
    status = derive(
        facts(
            released_at=released,
            stocked_at=stocked,
            reserved_at=reserved,
            issued_at=issued,
            transfused_at=transfused,
            processed_at=processed,
            discarded_at=discarded,
            unsafe_at=EARLIER,
            expires_at=expires,
        ),
        NOW,
    )
    assert status not in {*IN_STOCK, Status.QUARANTINED, Status.RELEASED, Status.EXPIRED}


def test_the_status_is_derived_on_every_save_whatever_is_typed_in(centre):
    red, _plasma = centre.stocked()
    red.status = Status.DISCARDED
    red.save()
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE


def test_a_stored_status_that_contradicts_the_facts_is_refused(centre):
    red, _plasma = centre.stocked()
    with pytest.raises(IntegrityError), transaction.atomic():
        Component.objects.filter(pk=red.pk).update(status=Status.QUARANTINED)


# Expiry in the rule's own unit ------------------------------------------------------------


class Establishment:
    """Stands in for an organisation: expiry only asks for the zone."""

    def __init__(self, zone: str) -> None:
        self.zone = zone

    def effective_time_zone(self) -> str:
        return self.zone


def rule(code: str, component: str, on: dt.date):
    found = registry.get(code, on).component(component)
    assert found is not None
    return found


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo("Europe/Paris"))  # type: ignore[misc,arg-type]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


@pytest.mark.parametrize(
    ("collected", "expires", "elapsed_hours"),
    [
        # Spring change (30 March 2025): five calendar days are 119 hours.
        (paris(2025, 3, 27, 9), utc(2025, 4, 1, 7), 119),
        # Autumn change (26 October 2025): 121 hours.
        (paris(2025, 10, 23, 9), utc(2025, 10, 28, 8), 121),
        # No change in between: 120 hours.
        (paris(2025, 6, 2, 9), utc(2025, 6, 7, 7), 120),
    ],
)
def test_platelets_keep_five_calendar_days_across_a_clock_change(collected, expires, elapsed_hours):
    platelets = rule("EU-2004-33", "platelets_apheresis", collected.date())
    assert (platelets.shelf_life.value, platelets.shelf_life.unit) == (5, "days")
    got = inventory.expiry_of(platelets, collected, Establishment("Europe/Paris"))  # type: ignore[arg-type]
    assert got == expires
    assert got - collected == dt.timedelta(hours=elapsed_hours)
    assert got.astimezone(ZoneInfo("Europe/Paris")).time() == dt.time(9, 0)  # same wall clock


@pytest.mark.parametrize(
    "collected",
    [paris(2025, 3, 29, 12), paris(2025, 10, 25, 12), paris(2025, 3, 30, 1, 30)],
)
def test_a_shelf_life_in_hours_is_elapsed_time_across_a_clock_change(collected):
    room = rule("VN-TT26-2013", "whole_blood_room_temperature", collected.date())
    assert (room.shelf_life.value, room.shelf_life.unit) == (24, "hours")
    got = inventory.expiry_of(room, collected, Establishment("Europe/Paris"))  # type: ignore[arg-type]
    assert got - collected == dt.timedelta(hours=24)


@pytest.mark.parametrize(
    ("code", "zone", "shelf_life", "expires"),
    [
        ("VN-TT26-2013", "Asia/Ho_Chi_Minh", (12, "months"), utc(2025, 2, 28, 3)),
        ("CN-GB18467-2011", "Asia/Shanghai", (1, "years"), utc(2025, 2, 28, 2)),
        ("EU-2004-33", "Europe/Paris", (36, "months"), utc(2027, 2, 28, 9)),
    ],
)
def test_plasma_collected_on_29_february_expires_on_28_february(code, zone, shelf_life, expires):
    """Twelve months from 29 February end on 28 February: never later than the source allows."""
    collected = dt.datetime(2024, 2, 29, 10, tzinfo=ZoneInfo(zone))
    plasma = rule(code, "plasma_fresh_frozen", collected.date())
    assert (plasma.shelf_life.value, plasma.shelf_life.unit) == shelf_life
    got = inventory.expiry_of(plasma, collected, Establishment(zone))  # type: ignore[arg-type]
    assert got == expires
    assert got.astimezone(ZoneInfo(zone)).time() == dt.time(10, 0)


def test_plasma_made_from_a_29_february_donation_carries_the_28_february_expiry(centre):
    collected = dt.datetime(2024, 2, 29, 10, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    _red, plasma = inventory.process_donation(
        by=centre.clerk,
        donation=centre.donation(at=collected),
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    assert plasma.expires_at == utc(2025, 2, 28, 3)
    assert plasma.status == Status.EXPIRED


@pytest.fixture
def paris_centre(demo):
    """A blood centre under the EU rule set, in Paris's zone, with product codes."""
    france = organisations.create_organisation(
        by=system_actor(), parent=None, kind=Kind.COUNTRY, name="France"
    )
    centre = organisations.create_organisation(
        by=system_actor(),
        parent=france,
        kind=Kind.BLOOD_CENTRE,
        name="Établissement de transfusion",
        time_zone="Europe/Paris",
        jurisdiction="EU-2004-33",
    )
    factories.equip(centre)
    return centre


def test_platelets_collected_in_paris_before_the_spring_change_expire_at_the_same_wall_clock(
    paris_centre,
):
    admin = User.objects.get(username="admin")
    [donation] = collection.donations(
        collection.donors(1, None, prefix="Donneur"),
        credited_to=paris_centre,
        establishment=paris_centre,
        at=paris(2025, 3, 27, 9),
        volume_ml=250,
        donation_type="platelets",
    )
    [platelets] = inventory.process_donation(
        by=admin, donation=donation, recipe="platelets_apheresis"
    )
    assert platelets.expires_at == utc(2025, 4, 1, 7)


# Expiry at issue and the sweep ------------------------------------------------------------


def at(moment: dt.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def picked_unit(centre):
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
    return red, order


def test_expiry_is_checked_again_when_the_unit_leaves(centre):
    red, order = picked_unit(centre)
    with at(red.expires_at), pytest.raises(ValidationError) as refused:
        distribution.dispatch(by=centre.clerk, order=order, packed_count=1)
    assert f"Unit {red}: The unit has expired." in refused.value.messages
    red.refresh_from_db()
    assert red.issued_at is None
    with at(red.expires_at - dt.timedelta(seconds=1)):
        distribution.dispatch(by=centre.clerk, order=order, packed_count=1)
    red.refresh_from_db()
    assert red.status == Status.ISSUED


def test_the_sweep_records_expiry_and_frees_the_reservation(centre):
    red, order = picked_unit(centre)
    plasma = Component.objects.get(donation=red.donation, component_kind="plasma")
    assert (
        inventory.sweep_expired(by=system_actor(), now=red.expires_at - dt.timedelta(seconds=1))
        == 0
    )
    with at(red.expires_at):
        assert inventory.sweep_expired(by=system_actor()) == 1
        red.refresh_from_db()
        assert (red.status, red.reserved_at) == (Status.EXPIRED, None)
        assert inventory.sweep_expired(by=system_actor()) == 0  # once
        plasma.refresh_from_db()
        assert plasma.status == Status.AVAILABLE
        with pytest.raises(ValidationError):
            distribution.dispatch(by=centre.clerk, order=order, packed_count=1)
    assert (
        AuditEvent.objects.filter(action="component.expire", object_id=str(red.uuid)).count() == 1
    )


def test_an_expired_unit_is_not_allocated(centre):
    red, _plasma = centre.stocked()
    later = red.expires_at + dt.timedelta(minutes=1)
    with at(later):
        order = distribution.place_order(
            by=centre.hospital_user,
            hospital=centre.hospital,
            supplier=centre.centre,
            urgency="routine",
            needed_by=later,
            lines=[distribution.LineRequest("red_cells_additive", "O", "pos", 1)],
        )
        assert distribution.allocate(by=centre.clerk, order=order) == []
        with pytest.raises(ValidationError):
            distribution.allocate_unit(by=centre.clerk, line=order.lines.get(), component=red)

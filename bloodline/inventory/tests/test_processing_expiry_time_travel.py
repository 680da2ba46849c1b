"""Expiry after processing, travelling in time across clock changes and 29 February like the
component expiry tests: the event's period in hours is elapsed time, whatever the wall clock
does; the new expiry is never later than the old one (components.md §4; China's open-system
rule [S58], washed red cells [S51]; Vietnam's thawed plasma [S59])."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.demo.factories import collection
from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component
from bloodline.organisations import actions as organisations
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Organisation

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)


def local(zone: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc,arg-type]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


def establishment(name: str, jurisdiction: str, zone: str) -> Organisation:
    country = organisations.create_organisation(
        by=system_actor(), parent=None, kind=Kind.COUNTRY, name=f"{name} country"
    )
    centre = organisations.create_organisation(
        by=system_actor(),
        parent=country,
        kind=Kind.BLOOD_CENTRE,
        name=name,
        time_zone=zone,
        jurisdiction=jurisdiction,
    )
    factories.equip(centre)
    return centre


def components(centre: Organisation, collected: dt.datetime) -> dict[str, Component]:
    admin = User.objects.get(username="admin")
    [donation] = collection.donations(
        collection.donors(1, None, prefix="Donor"),
        credited_to=centre,
        establishment=centre,
        at=collected,
        volume_ml=400,
    )
    made = inventory.process_donation(
        by=admin,
        donation=donation,
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    return {c.component_code: c for c in made}


def processed(unit: Component, kind: str, when: dt.datetime) -> Component:
    """Record ``kind`` at ``when``, with the clock a minute later."""
    admin = User.objects.get(username="admin")
    with mock.patch("django.utils.timezone.now", return_value=when + MINUTE):
        inventory.record_processing(by=admin, component=unit, kind=kind, at=when)
    unit.refresh_from_db()
    return unit


@pytest.fixture
def vn_rules_in_paris(demo):
    """Vietnam's rules at an establishment on Paris time: Vietnam has no clock change, so
    this is how the thawed-plasma rule meets one (the facility's zone decides)."""
    return establishment("Centre (Paris time)", "VN-TT26-2013", "Europe/Paris")


@pytest.fixture
def hanoi(demo):
    return establishment("Trung tâm (Hà Nội)", "VN-TT26-2013", "Asia/Ho_Chi_Minh")


@pytest.fixture
def shanghai(demo):
    return establishment("血站 (上海)", "CN-GB18467-2011", "Asia/Shanghai")


@pytest.mark.parametrize(
    ("thawed", "expires", "wall_clock"),
    [
        # Spring change, 30 March 2025: thawed 00:30 CET, six hours later is 07:30 CEST.
        (local("Europe/Paris", 2025, 3, 30, 0, 30), utc(2025, 3, 30, 5, 30), dt.time(7, 30)),
        # Autumn change, 26 October 2025: thawed 00:30 CEST, six hours later is 05:30 CET.
        (local("Europe/Paris", 2025, 10, 26, 0, 30), utc(2025, 10, 26, 4, 30), dt.time(5, 30)),
    ],
)
def test_thawed_plasma_keeps_six_elapsed_hours_across_a_clock_change(
    vn_rules_in_paris, thawed, expires, wall_clock
):
    plasma = components(vn_rules_in_paris, thawed - dt.timedelta(days=1))["plasma_fresh_frozen"]
    plasma = processed(plasma, "thaw", thawed)
    assert plasma.expires_at == expires
    assert plasma.expires_at - thawed == dt.timedelta(hours=6)
    assert plasma.expires_at.astimezone(ZoneInfo("Europe/Paris")).time() == wall_clock


def test_plasma_thawed_on_the_evening_of_28_february_expires_on_29_february(hanoi):
    thawed = local("Asia/Ho_Chi_Minh", 2024, 2, 28, 21)
    plasma = components(hanoi, thawed - dt.timedelta(days=3))["plasma_fresh_frozen"]
    plasma = processed(plasma, "thaw", thawed)
    assert plasma.expires_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")) == local(
        "Asia/Ho_Chi_Minh", 2024, 2, 29, 3
    )


def test_plasma_from_29_february_thawed_on_its_last_morning_keeps_its_earlier_expiry(hanoi):
    """Collected 29 February 2024 10:00: twelve months end 28 February 2025 10:00. Thawed at
    07:00 that day, six hours would reach 13:00 — the old expiry stays (min)."""
    plasma = components(hanoi, local("Asia/Ho_Chi_Minh", 2024, 2, 29, 10))["plasma_fresh_frozen"]
    assert plasma.expires_at == utc(2025, 2, 28, 3)
    plasma = processed(plasma, "thaw", local("Asia/Ho_Chi_Minh", 2025, 2, 28, 7))
    assert plasma.expires_at == utc(2025, 2, 28, 3)
    event = plasma.processing_events.get()
    assert event.expires_before == event.expires_at == utc(2025, 2, 28, 3)


def test_red_cells_opened_late_on_28_february_expire_on_29_february(shanghai):
    opened = local("Asia/Shanghai", 2024, 2, 28, 23)
    red = components(shanghai, opened - dt.timedelta(days=2))["red_cells_additive"]
    red = processed(red, "open", opened)
    assert red.expires_at == utc(2024, 2, 29, 15)  # 29 February, 23:00 in Shanghai
    event = red.processing_events.get()
    assert (event.period_value, event.period_unit, event.sources) == (24, "hours", ["S58"])


def test_opening_never_lengthens_a_unit_that_had_less_than_a_day_left(shanghai):
    collected = local("Asia/Shanghai", 2025, 1, 1, 8)
    red = components(shanghai, collected)["red_cells_additive"]
    original = red.expires_at  # 35 days
    opened = original - dt.timedelta(hours=12)
    red = processed(red, "open", opened)
    assert red.expires_at == original


def test_washing_after_opening_keeps_the_earlier_of_the_two(shanghai):
    collected = local("Asia/Shanghai", 2025, 5, 1, 8)
    red = components(shanghai, collected)["red_cells_additive"]
    opened = collected + dt.timedelta(days=3)
    red = processed(red, "open", opened)
    red = processed(red, "wash", opened + dt.timedelta(hours=2))
    assert red.expires_at == opened + dt.timedelta(hours=24)
    wash = red.processing_events.get(kind="wash")
    assert wash.expires_before == wash.expires_at == opened + dt.timedelta(hours=24)
    assert wash.sources == ["S51"]
    assert [e.kind for e in red.processing_events.all()] == ["open", "wash"]


def test_washing_alone_gives_washed_red_cells_24_hours(shanghai):
    collected = local("Asia/Shanghai", 2025, 5, 1, 8)
    red = components(shanghai, collected)["red_cells_additive"]
    washed = collected + dt.timedelta(days=10)
    red = processed(red, "wash", washed)
    assert red.expires_at == washed + dt.timedelta(hours=24)

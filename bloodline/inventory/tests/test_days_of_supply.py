"""Days of supply and the shortage flags: boundary table (just below, at, just above)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bloodline.inventory.stock import Level, days_of_supply, level

D = Decimal


@pytest.mark.parametrize(
    ("available", "daily_use", "days"),
    [(0, D(3), D("0.0")), (3, D(1), D("3.0")), (10, D(3), D("3.3")), (2, D(3), D("0.6"))],
)
def test_days_of_supply_are_rounded_down_to_a_tenth(available, daily_use, days) -> None:
    assert days_of_supply(available, daily_use) == days


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (D("0.9"), Level.CRITICAL),  # just below critical
        (D("1.0"), Level.SHORTAGE),  # at critical: no longer an emergency
        (D("1.1"), Level.SHORTAGE),
        (D("2.9"), Level.SHORTAGE),  # just below minimum
        (D("3.0"), Level.OK),  # at minimum
        (D("3.1"), Level.OK),
    ],
)
def test_the_flag_follows_the_minimum_and_critical_days(days, expected) -> None:
    assert level(days, minimum_days=D(3), critical_days=D(1)) == expected


def test_no_days_no_flag() -> None:
    assert level(None, D(3), D(1)) == ""


def test_with_a_critical_of_zero_only_an_empty_shelf_is_not_critical() -> None:
    assert level(D(0), minimum_days=D(2), critical_days=D(0)) == Level.SHORTAGE

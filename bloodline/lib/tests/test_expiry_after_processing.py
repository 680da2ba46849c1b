"""Expiry after a processing event: the earlier of the old expiry and the event instant plus
the event's period, in the period's own unit — elapsed hours across DST changes, calendar
days across 29 February — and never later than before (components.md §4, [S58])."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bloodline.lib.expiry import after_processing

UTC = dt.UTC


def at(zone: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc,arg-type]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


FAR = utc(2030, 1, 1)


@pytest.mark.parametrize(
    ("old", "event", "value", "unit", "zone", "expected"),
    [
        # Opened 24 h before the spring change in Paris (30 March 2025): 24 elapsed hours,
        # although the wall clock shows 13:00 the next day.
        (FAR, at("Europe/Paris", 2025, 3, 29, 12), 24, "hours", "Europe/Paris",
         utc(2025, 3, 30, 11)),
        # ...and across the autumn change (26 October 2025): the wall clock shows 11:00.
        (FAR, at("Europe/Paris", 2025, 10, 25, 12), 24, "hours", "Europe/Paris",
         utc(2025, 10, 26, 10)),
        # Thawed plasma, 6 h, in Ho Chi Minh City (no DST).
        (FAR, at("Asia/Ho_Chi_Minh", 2025, 1, 1, 22), 6, "hours", "Asia/Ho_Chi_Minh",
         utc(2025, 1, 1, 21)),
        # Opened on 28 February 2024 at 23:00 in Shanghai: expires on 29 February at 23:00.
        (FAR, at("Asia/Shanghai", 2024, 2, 28, 23), 24, "hours", "Asia/Shanghai",
         utc(2024, 2, 29, 15)),
        # Irradiated (a 28-day rule) on 15 February 2024: 28 calendar days over 29 February
        # end on 14 March, same wall clock.
        (FAR, at("Europe/Paris", 2024, 2, 15, 10), 28, "days", "Europe/Paris",
         utc(2024, 3, 14, 9)),
        # ...and 28 calendar days across the spring change keep the wall clock (9:00 → 8:00 UTC).
        (FAR, at("Europe/Paris", 2025, 3, 20, 10), 28, "days", "Europe/Paris",
         utc(2025, 4, 17, 8)),
        # The old expiry is earlier: it stays (min, never later than the original [S58]).
        (utc(2024, 2, 29, 3), at("Asia/Shanghai", 2024, 2, 28, 23), 24, "hours",
         "Asia/Shanghai", utc(2024, 2, 29, 3)),
        (utc(2025, 3, 30, 8), at("Europe/Paris", 2025, 3, 29, 12), 24, "hours", "Europe/Paris",
         utc(2025, 3, 30, 8)),
    ],
)  # fmt: skip
def test_it_takes_the_earlier_of_the_old_expiry_and_the_event_rule(
    old, event, value, unit, zone, expected
):
    assert after_processing(old, event, value, unit, zone) == expected


def test_it_refuses_a_naive_expiry():
    with pytest.raises(ValueError):
        after_processing(dt.datetime(2030, 1, 1), utc(2025, 1, 1), 24, "hours", "UTC")


def test_it_refuses_a_naive_event_instant():
    with pytest.raises(ValueError):
        after_processing(FAR, dt.datetime(2025, 1, 1), 24, "hours", "UTC")


zones = st.sampled_from(["Europe/Paris", "Europe/London", "Asia/Shanghai", "Asia/Ho_Chi_Minh"])
instants = st.datetimes(
    min_value=dt.datetime(2023, 1, 1), max_value=dt.datetime(2029, 1, 1), timezones=st.just(UTC)
)


@given(
    old=instants,
    event=instants,
    value=st.integers(min_value=1, max_value=48),
    unit=st.sampled_from(["hours", "days"]),
    zone=zones,
)
def test_it_never_lengthens_the_expiry(old, event, value, unit, zone):
    after = after_processing(old, event, value, unit, zone)
    assert after <= old
    assert after == old or after > event

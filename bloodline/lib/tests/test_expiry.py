"""Component expiry: elapsed hours, calendar days/months/years, DST, 29 February, month ends."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bloodline.lib.expiry import add_months_clamped, component_expiry, expiry

UTC = dt.UTC


def at(zone: str, *args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone), fold=fold)  # type: ignore[misc,arg-type]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


@pytest.mark.parametrize(
    ("collected", "value", "unit", "zone", "end_of_day", "expected"),
    [
        # Platelets in hours across the London spring change (30 March 2025, 01:00 UTC):
        # exactly 24 elapsed hours, although the wall clock shows 25.
        (at("Europe/London", 2025, 3, 29, 12), 24, "hours", "Europe/London", False,
         utc(2025, 3, 30, 12)),
        # ...and across the autumn change (26 October 2025): the wall clock shows 23.
        (at("Europe/Paris", 2025, 10, 25, 12), 24, "hours", "Europe/Paris", False,
         utc(2025, 10, 26, 10)),  # 11:00 CET on the wall clock
        # Platelets 5 days on the calendar across the spring change: same wall-clock time.
        (at("Europe/Paris", 2025, 3, 27, 9), 5, "days", "Europe/Paris", False,
         utc(2025, 4, 1, 7)),
        # Days into a skipped local time (02:30 does not exist on 30 March 2025 in Paris):
        # the earlier candidate instant (01:30 CET = 00:30 UTC).
        (at("Europe/Paris", 2025, 3, 25, 2, 30), 5, "days", "Europe/Paris", False,
         utc(2025, 3, 30, 0, 30)),
        # Into a repeated local time (01:30 twice on 26 October 2025 in London): the first.
        (at("Europe/London", 2025, 10, 21, 1, 30), 5, "days", "Europe/London", False,
         utc(2025, 10, 26, 0, 30)),
        # No DST: Shanghai and Ho Chi Minh City.
        (at("Asia/Shanghai", 2025, 1, 1, 8), 21, "days", "Asia/Shanghai", False,
         utc(2025, 1, 22, 0)),
        (at("Asia/Ho_Chi_Minh", 2025, 1, 1, 23, 30), 5, "days", "Asia/Ho_Chi_Minh", False,
         utc(2025, 1, 6, 16, 30)),
        (at("Asia/Ho_Chi_Minh", 2025, 1, 1, 10), 6, "hours", "Asia/Ho_Chi_Minh", False,
         utc(2025, 1, 1, 9)),
        # 29 February + 1 year → 28 February (never later than the source allows).
        (at("Asia/Shanghai", 2024, 2, 29, 10), 1, "years", "Asia/Shanghai", False,
         utc(2025, 2, 28, 2)),
        (at("Asia/Shanghai", 2024, 2, 29, 10), 12, "months", "Asia/Shanghai", False,
         utc(2025, 2, 28, 2)),
        (at("Asia/Shanghai", 2024, 2, 29, 10), 4, "years", "Asia/Shanghai", False,
         utc(2028, 2, 29, 2)),
        # Month ends: 31 January + 1 month → last day of February.
        (at("Europe/Paris", 2025, 1, 31, 10), 1, "months", "Europe/Paris", False,
         utc(2025, 2, 28, 9)),
        (at("Europe/Paris", 2024, 1, 31, 10), 1, "months", "Europe/Paris", False,
         utc(2024, 2, 29, 9)),
        (at("Asia/Ho_Chi_Minh", 2025, 8, 31, 10), 12, "months", "Asia/Ho_Chi_Minh", False,
         utc(2026, 8, 31, 3)),
        # Weeks are 7 days.
        (at("Europe/London", 2025, 3, 1, 9), 2, "weeks", "Europe/London", False,
         utc(2025, 3, 15, 9)),
        # End of day: 23:59 local of the last day, in summer time.
        (at("Europe/London", 2025, 6, 1, 9), 21, "days", "Europe/London", True,
         utc(2025, 6, 22, 22, 59)),
        (at("Asia/Shanghai", 2025, 1, 1, 23, 30), 24, "hours", "Asia/Shanghai", True,
         utc(2025, 1, 2, 15, 59)),
        # The facility's zone decides the local day, whatever zone the input carries.
        (utc(2025, 1, 1, 20), 1, "days", "Asia/Shanghai", True, utc(2025, 1, 3, 15, 59)),
    ],
)  # fmt: skip
def test_expiry_table(collected, value, unit, zone, end_of_day, expected):
    result = expiry(collected, value, unit, zone, end_of_day=end_of_day)
    assert result == expected
    assert result.tzinfo is UTC


def test_elapsed_hours_are_exact_across_a_dst_change():
    collected = at("Europe/London", 2025, 10, 24, 18)
    result = expiry(collected, 120, "hours", "Europe/London")
    assert result - collected == dt.timedelta(hours=120)
    # On the wall clock that is 17:00, an hour "earlier" than the calendar-day rule gives.
    assert result.astimezone(ZoneInfo("Europe/London")).hour == 17
    assert expiry(collected, 5, "days", "Europe/London") - collected == dt.timedelta(hours=121)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2025, 3, 31), 1, dt.date(2025, 4, 30)),
        (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 15)),
    ],
)
def test_months_clamp_to_the_last_day(start, months, expected):
    assert add_months_clamped(start, months) == expected


@pytest.mark.parametrize(
    ("collected", "value", "unit", "zone"),
    [
        (dt.datetime(2025, 1, 1, 8), 5, "days", "Asia/Shanghai"),
        (at("Asia/Shanghai", 2025, 1, 1), 0, "days", "Asia/Shanghai"),
        (at("Asia/Shanghai", 2025, 1, 1), 5, "fortnights", "Asia/Shanghai"),
    ],
)
def test_bad_input_is_refused(collected, value, unit, zone):
    with pytest.raises(ValueError):
        expiry(collected, value, unit, zone)


def test_component_expiry_reads_the_rule_set():
    from bloodline.jurisdictions.loader import registry

    rules = registry.get("CN-GB18467-2011", dt.date(2026, 1, 1))
    platelets = rules.component("platelets_apheresis")
    assert platelets is not None
    collected = at("Asia/Shanghai", 2026, 1, 1, 9)
    assert component_expiry(platelets, collected, "Asia/Shanghai") == utc(2026, 1, 6, 1)


ZONES = [
    "Europe/London",
    "Europe/Paris",
    "Asia/Shanghai",
    "Asia/Ho_Chi_Minh",
    "America/New_York",
    "Australia/Lord_Howe",
    "UTC",
]
UNIT_NAMES = ["hours", "days", "weeks", "months", "years"]
instants = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2090, 1, 1), timezones=st.just(UTC)
)


@given(
    collected=instants,
    zone=st.sampled_from(ZONES),
    unit=st.sampled_from(UNIT_NAMES),
    shorter=st.integers(1, 60),
    extra=st.integers(0, 60),
    end_of_day=st.booleans(),
)
def test_expiry_properties(collected, zone, unit, shorter, extra, end_of_day):
    first = expiry(collected, shorter, unit, zone, end_of_day=end_of_day)
    longer = expiry(collected, shorter + extra, unit, zone, end_of_day=end_of_day)
    assert first > collected
    assert longer >= first
    assert first.tzinfo is UTC and longer.tzinfo is UTC
    # Whatever zone the collection instant is written in, the answer is the same.
    same = expiry(collected.astimezone(ZoneInfo(zone)), shorter, unit, zone, end_of_day=end_of_day)
    assert same == first

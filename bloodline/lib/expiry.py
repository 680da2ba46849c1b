"""Expiry instant of a blood component from its collection instant and shelf life.

Pure functions; no database, no settings. Semantics (domain components.md §4, safety.md §5):

- ``hours`` are elapsed time: the exact number of hours is added to the collection instant,
  so a platelet or thawed-plasma period is exact across a DST change [R22].
- ``days`` and ``weeks`` (7 days) are added on the facility's local calendar: the unit expires
  at the same local wall-clock time on the resulting date.
- ``months`` are calendar months and ``years`` are 12 months (as in
  ``bloodline.screening.calendar``). A day the target month lacks is clamped *back* to that
  month's last day (31 January + 1 month → 28/29 February; 29 February + 1 year → 28
  February). This is the opposite of the deferral calendar on purpose: for a deferral the safe
  side is later, for an expiry it is earlier, so a unit never keeps longer than its source
  allows [R36].
- A local time that does not exist (spring-forward gap) or occurs twice (autumn fold) resolves
  to the *earlier* of the two candidate instants, again the safe side.
- ``end_of_day``: only where the rule says so, the unit expires at 23:59 local time of the day
  on which the period ends (the ISBT 128 default time, isbt128.md §6).

The result is always an aware datetime in UTC.

A processing event (system opened, thawed, washed, irradiated) shortens the expiry: the new
expiry is the earlier of the old one and the event instant plus the event's period, computed
with the same semantics (``after_processing``; components.md §4, China's open-system rule
[S58]). It never lengthens it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

UTC = dt.UTC
END_OF_DAY = dt.time(23, 59)
UNITS = ("hours", "days", "weeks", "months", "years")


class ShelfLife(Protocol):
    @property
    def value(self) -> int: ...

    @property
    def unit(self) -> str: ...


class ComponentRule(Protocol):
    @property
    def shelf_life(self) -> ShelfLife: ...

    @property
    def expires_at_end_of_day(self) -> bool: ...


def add_months_clamped(start: dt.date, months: int) -> dt.date:
    """``start`` plus calendar months; a missing day becomes the month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def local_instant(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The instant of wall-clock ``time`` on ``day`` in ``zone``; the earlier one if the
    time is skipped or repeated by a clock change."""
    naive = dt.datetime.combine(day, time.replace(tzinfo=None))
    candidates = [naive.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)]
    return min(candidates)


def expiry(
    collected_at: dt.datetime,
    value: int,
    unit: str,
    zone: str,
    *,
    end_of_day: bool = False,
) -> dt.datetime:
    """When a component collected at ``collected_at`` expires, in UTC."""
    if collected_at.tzinfo is None or collected_at.utcoffset() is None:
        raise ValueError("the collection instant must be timezone-aware")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"a shelf life must be a positive whole number, not {value!r}")
    if unit not in UNITS:
        raise ValueError(f"unknown period unit {unit!r}")
    tz = ZoneInfo(zone)
    if unit == "hours":
        end = collected_at.astimezone(UTC) + dt.timedelta(hours=value)
        if not end_of_day:
            return end
        return local_instant(end.astimezone(tz).date(), END_OF_DAY, tz)
    local = collected_at.astimezone(tz)
    if unit == "days":
        day = local.date() + dt.timedelta(days=value)
    elif unit == "weeks":
        day = local.date() + dt.timedelta(weeks=value)
    elif unit == "months":
        day = add_months_clamped(local.date(), value)
    else:
        day = add_months_clamped(local.date(), 12 * value)
    return local_instant(day, END_OF_DAY if end_of_day else local.timetz(), tz)


def component_expiry(rule: ComponentRule, collected_at: dt.datetime, zone: str) -> dt.datetime:
    """Expiry for a rule-set component (``RuleSet.components`` entry)."""
    return expiry(
        collected_at,
        rule.shelf_life.value,
        rule.shelf_life.unit,
        zone,
        end_of_day=rule.expires_at_end_of_day,
    )


def after_processing(
    expires_at: dt.datetime,
    event_at: dt.datetime,
    value: int,
    unit: str,
    zone: str,
    *,
    end_of_day: bool = False,
) -> dt.datetime:
    """The expiry after a processing event at ``event_at``: min(old expiry, event + period)."""
    if expires_at.tzinfo is None or expires_at.utcoffset() is None:
        raise ValueError("the expiry instant must be timezone-aware")
    after = expiry(event_at, value, unit, zone, end_of_day=end_of_day)
    return min(expires_at.astimezone(UTC), after)

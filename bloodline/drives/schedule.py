"""A drive's timetable: its slots and its group arrival windows.

Opening hours are local hours at the collecting establishment. Each day's opening and closing
are turned into UTC instants first and the slots are counted from there, so a day on which the
clocks change still gets distinct, correctly ordered slots.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bloodline.drives.models import MAX_ARRIVAL_WINDOWS, MAX_DRIVE_DAYS, MIN_SLOT_MINUTES

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MAX_WINDOW_LABEL = 80

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class Hours:
    """What the timetable is built from."""

    starts_on: dt.date
    ends_on: dt.date
    opens_at: dt.time
    closes_at: dt.time
    slot_minutes: int
    beds: int


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def check_hours(hours: Hours, errors: Errors) -> None:
    """Days, hours, slot length and beds: every problem at its field."""
    if hours.ends_on < hours.starts_on:
        _add(errors, "ends_on", _("The last day cannot be before the first day."))
    elif (hours.ends_on - hours.starts_on).days + 1 > MAX_DRIVE_DAYS:
        _add(
            errors,
            "ends_on",
            ngettext(
                "A drive can last at most %(days)s day.",
                "A drive can last at most %(days)s days.",
                MAX_DRIVE_DAYS,
            )
            % {"days": MAX_DRIVE_DAYS},
        )
    if hours.closes_at <= hours.opens_at:
        _add(errors, "closes_at", _("The closing time must be after the opening time."))
    if hours.beds < 1:
        # Each slot takes as many donors as there are beds, so no beds means empty slots.
        _add(
            errors,
            "beds",
            _("A drive needs at least one bed: each slot takes as many donors as there are beds."),
        )
    if hours.slot_minutes < MIN_SLOT_MINUTES:
        _add(
            errors,
            "slot_minutes",
            ngettext(
                "A slot must last at least %(minutes)s minute.",
                "A slot must last at least %(minutes)s minutes.",
                MIN_SLOT_MINUTES,
            )
            % {"minutes": MIN_SLOT_MINUTES},
        )
    elif hours.closes_at > hours.opens_at and hours.slot_minutes > _open_minutes(hours):
        _add(errors, "slot_minutes", _("A slot cannot be longer than the opening hours."))


def _open_minutes(hours: Hours) -> int:
    day = dt.date(2000, 1, 1)
    span = dt.datetime.combine(day, hours.closes_at) - dt.datetime.combine(day, hours.opens_at)
    return int(span.total_seconds() // 60)


def local_instant(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant of a local wall-clock time at the establishment."""
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


def slot_times(hours: Hours, zone: zoneinfo.ZoneInfo) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) in UTC of every slot; the day's last slot ends at closing time."""
    step = dt.timedelta(minutes=hours.slot_minutes)
    times = []
    day = hours.starts_on
    while day <= hours.ends_on:
        start = local_instant(day, hours.opens_at, zone)
        close = local_instant(day, hours.closes_at, zone)
        while start < close:
            times.append((start, min(start + step, close)))
            start += step
        day += dt.timedelta(days=1)
    return times


def parse_hhmm(value: Any) -> dt.time | None:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    match = _HHMM.match(str(value or "").strip())
    if match is None:
        return None
    return dt.time(int(match.group(1)), int(match.group(2)))


def clean_arrival_windows(
    raw: Iterable[Any], opens_at: dt.time, closes_at: dt.time, errors: Errors
) -> list[dict[str, str]]:
    """Group arrival windows as stored: ``[{"label", "start", "end"}]`` within opening hours."""
    windows: list[dict[str, str]] = []
    items = list(raw)
    if len(items) > MAX_ARRIVAL_WINDOWS:
        _add(
            errors,
            "arrival_windows",
            ngettext(
                "Give at most %(count)s arrival window.",
                "Give at most %(count)s arrival windows.",
                MAX_ARRIVAL_WINDOWS,
            )
            % {"count": MAX_ARRIVAL_WINDOWS},
        )
        return []
    for number, item in enumerate(items, start=1):
        window = _clean_window(item, number, opens_at, closes_at, errors)
        if window is not None:
            windows.append(window)
    return windows


def _clean_window(
    item: Any, number: int, opens_at: dt.time, closes_at: dt.time, errors: Errors
) -> dict[str, str] | None:
    data = item if isinstance(item, dict) else {}
    label = str(data.get("label") or "").strip()
    start, end = parse_hhmm(data.get("start")), parse_hhmm(data.get("end"))
    where = {"number": number}
    if not label or len(label) > MAX_WINDOW_LABEL:
        message = _("Arrival window %(number)s: give a label of at most %(max)s characters.")
        _add(errors, "arrival_windows", message % {**where, "max": MAX_WINDOW_LABEL})
    if start is None or end is None:
        message = _("Arrival window %(number)s: write its start and end as HH:MM.")
        _add(errors, "arrival_windows", message % where)
        return None
    if start >= end:
        message = _("Arrival window %(number)s: the end must be after the start.")
        _add(errors, "arrival_windows", message % where)
    elif start < opens_at or end > closes_at:
        message = _("Arrival window %(number)s must lie within the opening hours.")
        _add(errors, "arrival_windows", message % where)
    if not label:
        return None
    return {"label": label, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}

"""The month view of the drive calendar: weeks of days, each with the drives held that day."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bloodline.drives.models import Drive

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class Day:
    date: dt.date
    in_month: bool
    drives: list[Drive] = field(default_factory=list)


@dataclass
class Month:
    first: dt.date
    last: dt.date
    weeks: list[list[Day]]

    @property
    def previous(self) -> str:
        return f"{self.first - dt.timedelta(days=1):%Y-%m}"

    @property
    def next(self) -> str:
        return f"{self.last + dt.timedelta(days=1):%Y-%m}"


def parse_month(text: str, today: dt.date) -> tuple[dt.date, bool]:
    """The first day of the month written as YYYY-MM, or of today's month if it cannot be
    read (the flag says whether it could)."""
    match = _MONTH.match(text.strip())
    if match and 1 <= int(match.group(2)) <= 12 and 1 <= int(match.group(1)) <= 9998:
        return dt.date(int(match.group(1)), int(match.group(2)), 1), True
    return today.replace(day=1), not text


def bounds(first: dt.date) -> tuple[dt.date, dt.date]:
    days = calendar.monthrange(first.year, first.month)[1]
    return first, first.replace(day=days)


def build(first: dt.date, drives: Iterable[Drive]) -> Month:
    """Weeks from Monday; a drive of several days appears on each of its days."""
    start, end = bounds(first)
    weeks = [
        [Day(day, day.month == first.month) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    by_date = {day.date: day for week in weeks for day in week}
    for drive in drives:
        day = max(drive.starts_on, start)
        while day <= min(drive.ends_on, end):
            by_date[day].drives.append(drive)
            day += dt.timedelta(days=1)
    return Month(start, end, weeks)

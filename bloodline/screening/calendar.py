"""Calendar arithmetic for rule periods: each period is added in the unit its source states.

Dates carry no time of day, and a safety period must never come out shorter than stated, so
a period that would end on a day the month lacks (31 August + 6 months, 29 February + 1 year)
ends on the first day of the following month, and hours are rounded up to whole days plus one
day (an exposure late on day D ends 24 hours later on D + 1, so only D + 2 is certainly clear).
"""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(start: dt.date, months: int) -> dt.date:
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if start.day <= calendar.monthrange(year, month)[1]:
        return dt.date(year, month, start.day)
    # The day does not exist in that month: roll forward rather than shorten the period.
    return dt.date(year, month, 1) + dt.timedelta(days=calendar.monthrange(year, month)[1])


def add_period(start: dt.date, value: int, unit: str) -> dt.date:
    """The first date on which a period of ``value`` ``unit`` from ``start`` has passed."""
    if unit == "hours":
        return start + dt.timedelta(days=-(-value // 24) + 1)
    if unit == "days":
        return start + dt.timedelta(days=value)
    if unit == "weeks":
        return start + dt.timedelta(weeks=value)
    if unit == "months":
        return add_months(start, value)
    if unit == "years":
        return add_months(start, 12 * value)
    raise ValueError(f"unknown period unit {unit!r}")


def birthday(date_of_birth: dt.date, years: int) -> dt.date:
    """The day a person completes ``years``; 29 February birthdays fall on 1 March."""
    return add_months(date_of_birth, 12 * years)


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Completed years on ``on``: a person is 18 from their 18th birthday."""
    years = on.year - date_of_birth.year
    return years if birthday(date_of_birth, years) <= on else years - 1

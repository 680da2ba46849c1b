""" "In force on a day" is one rule (screening/models.py): the database filter and the check on
rows already read agree on every shape of deferral, and a deferral that has not started yet
blocks neither today's screening nor a release (the release gate asks the same rule)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from bloodline.demo.factories.collection import donors
from bloodline.screening.assessment import deferrals_in_force
from bloodline.screening.models import Deferral

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 15)


def _every_shape() -> list[Deferral]:
    (donor,) = donors(1, None)
    made = []
    for start, length, permanent in itertools.product(range(-3, 4), [None, 1, 3], [False, True]):
        if permanent and length is not None:
            continue  # a permanent deferral has no end (database constraint)
        starts_on = DAY + dt.timedelta(days=start)
        until = None if length is None else starts_on + dt.timedelta(days=length)
        made.append(
            Deferral(
                donor=donor,
                code="test",
                reason="",
                starts_on=starts_on,
                until=until,
                permanent=permanent,
            )
        )
    return Deferral.objects.bulk_create(made)


def test_the_database_filter_and_the_row_check_agree_on_every_day() -> None:
    rows = _every_shape()
    assert len(rows) == 7 * 4  # 7 starts × (3 ends + permanent)
    for offset in range(-5, 8):
        on = DAY + dt.timedelta(days=offset)
        in_db = set(Deferral.objects.filter(Deferral.in_force_on(on)).values_list("pk", flat=True))
        assert in_db == {d.pk for d in rows if d.in_force(on)}, on
        # a first read covering several days holds every row in force on one of them
        wide = set(
            Deferral.objects.filter(
                Deferral.in_force_during(on, on + dt.timedelta(days=2))
            ).values_list("pk", flat=True)
        )
        assert wide == {
            d.pk for d in rows if any(d.in_force(on + dt.timedelta(days=k)) for k in range(3))
        }, on


def test_a_deferral_that_starts_tomorrow_is_not_in_force_today() -> None:
    (donor,) = donors(1, None)
    Deferral.objects.create(
        donor=donor,
        code="test",
        reason="",
        starts_on=DAY + dt.timedelta(days=1),
        until=DAY + dt.timedelta(days=30),
    )
    assert not deferrals_in_force(donor, DAY).exists()
    assert deferrals_in_force(donor, DAY + dt.timedelta(days=1)).count() == 1
    assert not deferrals_in_force(donor, DAY + dt.timedelta(days=30)).exists()

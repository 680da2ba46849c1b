"""The tree's tally (decision 0049): changes reach every level above the credited
organisation, settling folds each key's rows into one without changing any sum, and the
worker settles on its own."""

from __future__ import annotations

import datetime as dt

import pytest

from bloodline.jobs import queue
from bloodline.organisations import tally
from bloodline.organisations.models import Tally, path_pks

DAY = dt.date(2026, 3, 2)


@pytest.mark.django_db
def test_a_change_reaches_every_level_above_the_credited_organisation(demo):
    unit = demo.nodes["vn_garment"]
    Tally.objects.all().delete()
    tally.add({(unit.pk, DAY, None): {"donations": 2, "ml": 700, "bags": 0}})
    above = path_pks(unit.path)[:-1]
    assert len(above) >= 2  # a country, a province, …
    kept = tally.kept()
    assert kept == {
        **{(n, DAY, None, "donations"): 2 for n in above},
        **{(n, DAY, None, "ml"): 700 for n in above},
    }
    assert not Tally.objects.filter(node=unit).exists()  # its own day rows are that level


@pytest.mark.django_db
def test_settling_folds_each_key_into_one_row_and_keeps_every_sum(demo):
    unit, other = demo.nodes["vn_garment"], demo.nodes["vn_dong_school"]
    Tally.objects.all().delete()
    for amount in (1, 1, 3):
        tally.add({(unit.pk, DAY, None): {"donations": amount}})
    tally.add({(other.pk, DAY, 7): {"presented": 1, "deferred": 1}})
    tally.add({(unit.pk, DAY, None): {"donations": -5}})  # adds up to nothing: no row kept
    before = tally.kept()
    assert tally.settle_all()["keys"] > 0
    assert tally.kept() == before
    assert not Tally.objects.filter(settled=False).exists()
    keys = list(Tally.objects.values_list("node_id", "day", "drive_id", "measure"))
    assert len(keys) == len(set(keys)) == len(before)
    assert tally.settle() == 0  # nothing left to fold


def test_the_worker_settles_the_tally_every_minute():
    assert queue.HANDLERS[tally.SETTLE_JOB] is tally.settle_all

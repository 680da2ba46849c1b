"""DIN allocation: sequential per facility and year, no duplicates or gaps under concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from bloodline.collection import dins
from bloodline.collection.models import DinCounter, Facility
from bloodline.lib import isbt128


@pytest.fixture
def facility(demo):
    return Facility.objects.create(establishment=demo.nodes["vn_centre"], fin="W0001")


def test_numbers_follow_each_other_and_restart_each_year(facility):
    centre = facility.establishment
    with transaction.atomic():
        first = dins.allocate(establishment=centre, on=dt.date(2026, 12, 31))
        second = dins.allocate(establishment=centre, on=dt.date(2026, 12, 31))
        next_year = dins.allocate(establishment=centre, on=dt.date(2027, 1, 1))
    assert (first.din, second.din, next_year.din) == (
        "W000126000001",
        "W000126000002",
        "W000127000001",
    )
    assert isbt128.parse(first.din + first.check).din == first.din


def test_a_rolled_back_collection_leaves_no_gap(facility):
    centre = facility.establishment
    with pytest.raises(RuntimeError), transaction.atomic():
        dins.allocate(establishment=centre, on=dt.date(2026, 5, 1))
        raise RuntimeError("collection failed")
    with transaction.atomic():
        assert dins.allocate(establishment=centre, on=dt.date(2026, 5, 1)).sequence == 1


def test_an_establishment_without_a_facility_number_is_refused(demo):
    with pytest.raises(ValidationError), transaction.atomic():
        dins.allocate(establishment=demo.nodes["cn_centre"], on=dt.date(2026, 5, 1))


def test_the_last_number_of_the_year_is_the_last(facility):
    DinCounter.objects.create(facility=facility, year=26, last_sequence=dins.MAX_SEQUENCE)
    with pytest.raises(ValidationError), transaction.atomic():
        dins.allocate(establishment=facility.establishment, on=dt.date(2026, 5, 1))


@pytest.mark.postgres_only
def test_parallel_workers_get_distinct_gap_free_numbers(flushable_audit):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to lose")
    from bloodline.demo.seed import seed

    centre = seed().nodes["vn_centre"]
    Facility.objects.create(establishment=centre, fin="W0002")
    got: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def work() -> None:
        try:
            start.wait()
            for _ in range(10):
                with transaction.atomic():
                    din = dins.allocate(establishment=centre, on=dt.date(2026, 6, 1))
                with lock:
                    got.append(din.sequence)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 201))

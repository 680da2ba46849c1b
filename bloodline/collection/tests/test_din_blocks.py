"""Each collection station takes its numbers from its own block of the facility's sequence
(decision 0043): blocks follow each other, the counter moves only when a block is cut, numbers
already taken are still skipped, and a block's unused tail is accounted at reconciliation and
never handed out again. PostgreSQL: a station holding its block's lock does not make another
drive wait, and many stations at once never share a number."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.collection import dins
from bloodline.collection.models import DinBlock, DinCounter, Facility
from bloodline.collection.tests.test_din_allocator_skips_taken_numbers import typed_in_the_way
from bloodline.drives import actions as drive_actions
from bloodline.drives.models import Drive
from bloodline.drives.reconciliation import block_account, reconcile, was_issued
from bloodline.organisations.models import Organisation

DAY = dt.date(2026, 6, 1)


@pytest.fixture
def facility(demo: Any, settings: Any) -> Facility:
    settings.DIN_BLOCK_SIZE = 5
    return Facility.objects.create(establishment=demo.nodes["vn_centre"], fin="W0003")


def make_drive(centre: Organisation, host: Organisation, title: str) -> Drive:
    today = timezone.localdate()
    return drive_actions.create_drive(
        by=User.objects.get(username="establishment_admin"),
        establishment=centre,
        hosts=[host],
        title=title,
        venue="Hội trường",
        starts_on=today,
        ends_on=today,
        opens_at=dt.time(7, 0),
        closes_at=dt.time(11, 0),
        slot_minutes=60,
        beds=4,
    )


def station(drive: Drive, holder: User, times: int = 1) -> list[int]:
    with transaction.atomic():
        return [
            dins.allocate(
                establishment=drive.establishment, on=DAY, drive=drive, holder=holder
            ).sequence
            for _n in range(times)
        ]


def test_each_station_numbers_from_its_own_block(facility, demo, users_by_name):
    nurse, physician = users_by_name["drive_nurse"], users_by_name["physician"]
    one = make_drive(facility.establishment, demo.nodes["vn_garment"], "Một")
    two = make_drive(facility.establishment, demo.nodes["vn_garment"], "Hai")
    assert station(one, nurse, 2) == [1, 2]
    assert station(two, nurse) == [6]  # another drive: another block
    assert station(one, physician) == [11]  # another person at the same drive: another block
    assert station(one, nurse, 4) == [3, 4, 5, 16]  # the block used up, the next one cut
    assert DinCounter.objects.get(facility=facility, year=26).last_sequence == 20
    blocks = DinBlock.objects.filter(drive=one, holder=nurse).order_by("first")
    assert [(b.first, b.last, b.next) for b in blocks] == [(1, 5, 6), (16, 20, 17)]


def test_numbers_without_a_station_come_after_every_block(facility, demo, users_by_name):
    drive = make_drive(facility.establishment, demo.nodes["vn_garment"], "Một")
    station(drive, users_by_name["drive_nurse"])
    with transaction.atomic():
        assert dins.allocate(establishment=facility.establishment, on=DAY).sequence == 6


def test_a_rolled_back_collection_gives_its_number_back_to_the_block(facility, demo, users_by_name):
    drive = make_drive(facility.establishment, demo.nodes["vn_garment"], "Một")
    nurse = users_by_name["drive_nurse"]
    station(drive, nurse)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert station(drive, nurse) == [2]
        raise RuntimeError("collection failed")
    assert station(drive, nurse) == [2]


def test_numbers_taken_inside_a_block_are_skipped(facility, demo, users_by_name):
    drive = make_drive(facility.establishment, demo.nodes["vn_garment"], "Một")
    typed_in_the_way(facility, 2)
    for n in (6, 7, 8, 9, 10):
        typed_in_the_way(facility, n)  # the whole second block is taken
    assert station(drive, users_by_name["drive_nurse"], 5) == [1, 3, 4, 5, 11]


def test_only_numbers_handed_out_were_issued(facility, demo, users_by_name):
    drive = make_drive(facility.establishment, demo.nodes["vn_garment"], "Một")
    station(drive, users_by_name["drive_nurse"], 2)
    centre = facility.establishment
    assert was_issued(establishment=centre, din13="W000326000002")
    # Reserved for the station, not handed out: a number typed from the block is refused.
    assert not was_issued(establishment=centre, din13="W000326000003")
    assert not was_issued(establishment=centre, din13="W000326000006")


def test_a_closed_drive_reports_its_unused_block_tail(facility, demo, users_by_name, running_drive):
    drive = running_drive()
    station(drive, users_by_name["drive_nurse"], 2)
    station(drive, users_by_name["physician"], 5)
    drive = drive_actions.change_status(
        by=users_by_name["establishment_admin"], drive=drive, status="closed"
    )
    assert drive.status == "closed"
    account = block_account(drive)
    assert (account.reserved, account.used, account.unused_count) == (10, 7, 3)
    assert account.unused == [("W000326000003", "W000326000005")]
    assert reconcile(drive).blocks == account
    # The tail is never given to anyone else: the next station starts past every block.
    other = make_drive(facility.establishment, demo.nodes["vn_garment"], "Hai")
    assert station(other, users_by_name["drive_nurse"]) == [11]


def test_the_reconcile_page_shows_the_reserved_numbers(
    facility, users_by_name, login, running_drive
):
    drive = running_drive()
    station(drive, users_by_name["drive_nurse"], 2)
    admin = login("establishment_admin")
    admin.cookies["django_language"] = "en"
    page = admin.get(reverse("drives:reconcile", args=[drive.uuid])).content.decode()
    assert 'data-figure="reserved_unused">3<' in page
    assert "W000326000003 to W000326000005" in page


# --- PostgreSQL: real transactions on several connections ------------------------------------


def _pg_world(size: int) -> tuple[Organisation, Organisation]:
    from bloodline.demo.seed import seed

    demo = seed()
    centre = demo.nodes["vn_centre"]
    Facility.objects.create(establishment=centre, fin="W0004")
    return centre, demo.nodes["vn_garment"]


@pytest.mark.postgres_only
def test_a_station_holding_its_block_does_not_hold_up_another_drive(flushable_audit, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    settings.DIN_BLOCK_SIZE = 3
    centre, host = _pg_world(3)
    one, two = make_drive(centre, host, "Một"), make_drive(centre, host, "Hai")
    nurse = User.objects.get(username="drive_nurse")
    station(one, nurse, 3)  # block 1–3 used up; the next block is cut after the commit
    station(two, nurse)  # block 7–9 (4–6 was cut ahead for drive one)
    holding, release = threading.Event(), threading.Event()
    got: dict[str, Any] = {}

    def slow_collection() -> None:
        try:
            with transaction.atomic():
                got["one"] = station(one, nurse)
                holding.set()  # drive one's block stays locked until this commits
                release.wait(timeout=30)
        finally:
            connection.close()

    def other_drive() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '3s'")  # a wait would fail, not hang
            got["two"] = station(two, nurse, 3)  # uses up its block and cuts the next
        except BaseException as exc:  # reported below
            got["error"] = exc
        finally:
            connection.close()

    first = threading.Thread(target=slow_collection)
    first.start()
    assert holding.wait(timeout=30)
    second = threading.Thread(target=other_drive)
    second.start()
    second.join(timeout=20)
    finished_while_held = not second.is_alive() and not release.is_set()
    release.set()
    first.join()
    second.join()
    assert "error" not in got and finished_while_held
    assert got["one"] == [4] and got["two"] == [8, 9, 10]


@pytest.mark.postgres_only
def test_many_stations_at_once_never_share_a_number(flushable_audit, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    settings.DIN_BLOCK_SIZE = 4
    centre, host = _pg_world(4)
    drives = [make_drive(centre, host, f"Drive {n}") for n in range(4)]
    people = list(User.objects.filter(username__in=["drive_nurse", "physician"]))
    got: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    # Four drives × two staff members, and each station on two tablets at once.
    stations = [(d, p) for d in drives for p in people] * 2
    start = threading.Barrier(len(stations))

    def work(drive: Drive, holder: User) -> None:
        try:
            start.wait()
            for _ in range(6):
                with transaction.atomic():
                    din = dins.allocate(establishment=centre, on=DAY, drive=drive, holder=holder)
                with lock:
                    got.append(din.din)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=s) for s in stations]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(got) == len(set(got)) == len(stations) * 6
    # Every number handed out is accounted to a block; nothing beyond the counter.
    counter = DinCounter.objects.get(facility__establishment=centre, year=26).last_sequence
    handed = sorted(int(d[7:]) for d in got)
    assert handed[-1] <= counter
    accounted = sum(block_account(d).used for d in drives)
    assert accounted == len(got)

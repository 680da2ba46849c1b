"""Capacity stays exact under concurrent booking (issue 13 acceptance, PostgreSQL, real
transactions in threads): many donors booking the last places, cancellations racing for the
waiting list, and offers accepted while the expiry job runs."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from bloodline.accounts.models import User
from bloodline.demo.seed import seed
from bloodline.donors.access import registry_for
from bloodline.donors.models import Donor
from bloodline.drives import actions
from bloodline.drives.models import Drive, Registration, Slot, WaitlistEntry, WaitStatus
from bloodline.drives.tests.conftest import in_days
from bloodline.drives.waitlist_offers import expire_offers
from bloodline.portal import booking_service
from bloodline.portal.tests.booking_fixtures import account_for

BEDS = 5
PEOPLE = 16

pytestmark = pytest.mark.postgres_only


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite queues writers, so there is no race to lose")


def _drive() -> Drive:
    nodes = seed().nodes
    admin = User.objects.get(username="establishment_admin")
    drive = actions.create_drive(
        by=admin,
        establishment=nodes["vn_centre"],
        hosts=[nodes["vn_garment"]],
        title="Giờ cao điểm",
        venue="Hội trường",
        starts_on=in_days(10),
        ends_on=in_days(10),
        opens_at=dt.time(7, 0),
        closes_at=dt.time(7, 30),
        slot_minutes=30,
        beds=BEDS,
    )
    return actions.change_status(by=admin, drive=drive, status="confirmed")


def _donors(drive: Drive, count: int) -> list[User]:
    users = []
    for n in range(count):
        donor = Donor.objects.create(
            full_name=f"Người hiến song song {n}",
            date_of_birth=dt.date(1990, 1, 1) + dt.timedelta(days=n),
            sex="F",
            phone=f"+84977{n:06d}",
            registry=registry_for(drive.establishment),
        )
        users.append(account_for(donor))
    return users


def _in_threads(work: Callable[[int], str], count: int) -> list[str]:
    start = threading.Barrier(count)
    outcomes: list[str] = []

    def run(n: int) -> None:
        try:
            start.wait(timeout=60)
            outcomes.append(work(n))
        except ValidationError as refused:
            outcomes.append(" ".join(refused.messages))
        except Exception as other:  # reported, so the assertion shows what went wrong
            outcomes.append(repr(other))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _book(users: list[User], drive: Drive, slot: Slot) -> Callable[[int], str]:
    def work(n: int) -> str:
        user = User.objects.get(pk=users[n].pk)
        booking_service.book(
            by=user,
            drive=Drive.objects.select_related("establishment").get(pk=drive.pk),
            slot=Slot.objects.get(pk=slot.pk),
        )
        return "booked"

    return work


def _seats_add_up(slot: Slot) -> None:
    """``booked`` counts exactly the active registrations and the places held by offers."""
    slot.refresh_from_db()
    held = WaitlistEntry.objects.filter(slot=slot, status=WaitStatus.OFFERED).count()
    booked = Registration.objects.filter(slot=slot, cancelled_at__isnull=True).count()
    assert slot.booked == booked + held <= slot.capacity


def test_many_donors_booking_the_last_places_get_exactly_those_places(flushable_audit: Any) -> None:
    _needs_postgresql()
    drive = _drive()
    slot = drive.slots.get()
    users = _donors(drive, PEOPLE)
    for user in users[:2]:  # two places already taken: three are left
        _book(users, drive, slot)(users.index(user))
    rest = users[2:]
    outcomes = _in_threads(_book(rest, drive, slot), len(rest))
    full = "The slot at 07:00 is full. Choose another slot."
    assert sorted(outcomes) == sorted(["booked"] * (BEDS - 2) + [full] * (len(rest) - BEDS + 2))
    _seats_add_up(slot)
    assert Slot.objects.get(pk=slot.pk).booked == BEDS
    # Those refused take the waiting list they were offered, all at once: each gets a place
    # in line, in one queue.
    refused = [u for u in rest if not Registration.objects.filter(donor__account__user=u)]

    def join(n: int) -> str:
        user = User.objects.get(pk=refused[n].pk)
        booking_service.join_waitlist(by=user, drive=drive, slot=Slot.objects.get(pk=slot.pk))
        return "waiting"

    assert _in_threads(join, len(refused)) == ["waiting"] * len(refused)
    assert WaitlistEntry.objects.filter(slot=slot, status=WaitStatus.WAITING).count() == len(
        refused
    )


def test_cancellations_and_accepts_racing_the_expiry_job_keep_every_seat_counted(
    flushable_audit: Any,
) -> None:
    _needs_postgresql()
    drive = _drive()
    slot = drive.slots.get()
    users = _donors(drive, BEDS + 8)
    holders, waiting = users[:BEDS], users[BEDS:]
    for n in range(BEDS):
        _book(holders, drive, slot)(n)
    for user in waiting:
        booking_service.join_waitlist(by=user, drive=drive, slot=slot)

    # Three holders cancel at once: three different waiting donors are offered a place.
    def cancel(n: int) -> str:
        user = User.objects.get(pk=holders[n].pk)
        registration = Registration.objects.get(donor__account__user=user, cancelled_at=None)
        booking_service.cancel(by=user, registration=registration)
        return "cancelled"

    assert _in_threads(cancel, 3) == ["cancelled"] * 3
    offered = list(WaitlistEntry.objects.filter(status=WaitStatus.OFFERED))
    assert len({e.donor_id for e in offered}) == 3
    _seats_add_up(slot)

    # Each offered donor accepts while the expiry job, run as if the holds were over, races
    # them: each offer ends exactly one way, and the seats still add up.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)

    def accept_or_expire(n: int) -> str:
        if n == len(offered):
            expire_offers(now=later)
            return "job"
        entry = WaitlistEntry.objects.select_related("donor", "drive", "slot").get(pk=offered[n].pk)
        user = User.objects.get(donor_account__donor=entry.donor)
        booking_service.accept_offer(by=user, entry=entry)
        return "accepted"

    outcomes = _in_threads(accept_or_expire, len(offered) + 1)
    assert "job" in outcomes
    assert all(o in ("job", "accepted") or "no longer open" in o for o in outcomes), outcomes
    for entry in offered:
        entry.refresh_from_db()
        assert entry.status in (WaitStatus.BOOKED, WaitStatus.EXPIRED)
    _seats_add_up(slot)
    booked = Registration.objects.filter(slot=slot, cancelled_at__isnull=True).count()
    assert booked == BEDS - 3 + sum(o == "accepted" for o in outcomes)

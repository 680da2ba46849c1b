# ruff: noqa: F811  (pytest fixtures are imported by name from booking_fixtures)
"""Whatever donors do in whatever order — book, cancel, wait, accept, leave, let an offer run
out — a slot's seats add up: ``booked`` is its active bookings plus the places held for
offers, never above capacity; nobody holds two bookings; a free seat never leaves anyone
waiting (Hypothesis, CONVENTIONS 19)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bloodline.drives.models import Registration, Slot, WaitlistEntry, WaitStatus
from bloodline.drives.waitlist_offers import expire_offers
from bloodline.portal import booking_service
from bloodline.portal.tests.booking_fixtures import (  # noqa: F401
    consenting,
    donor_user,
    drive,
    make_donor,
    make_drive,
    nurse,
    users,
)

pytestmark = pytest.mark.django_db

PEOPLE = 4
OPS = ("book", "cancel", "wait", "accept", "leave", "run_out")
steps = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, PEOPLE - 1)), max_size=12)


def _do(op: str, user: Any, drive: Any, slot: Slot) -> None:
    donor = user.donor_account.donor
    booking = Registration.objects.filter(donor=donor, cancelled_at__isnull=True).first()
    entry = WaitlistEntry.objects.filter(
        donor=donor, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]
    ).first()
    fresh = Slot.objects.get(pk=slot.pk)
    if op == "book":
        booking_service.book(by=user, drive=drive, slot=fresh)
    elif op == "cancel" and booking is not None:
        booking_service.cancel(by=user, registration=booking)
    elif op == "wait":
        booking_service.join_waitlist(by=user, drive=drive, slot=fresh)
    elif op == "accept" and entry is not None:
        booking_service.accept_offer(by=user, entry=entry)
    elif op == "leave" and entry is not None:
        booking_service.leave_waitlist(by=user, entry=entry)
    elif op == "run_out":
        WaitlistEntry.objects.filter(status=WaitStatus.OFFERED).update(
            hold_until=timezone.now() - dt.timedelta(seconds=1)
        )
        expire_offers()


def _check(slot: Slot) -> None:
    slot.refresh_from_db()
    active = Registration.objects.filter(slot=slot, cancelled_at__isnull=True)
    held = WaitlistEntry.objects.filter(slot=slot, status=WaitStatus.OFFERED).count()
    assert slot.booked == active.count() + held <= slot.capacity
    assert active.values("donor").distinct().count() == active.count()
    waiting = WaitlistEntry.objects.filter(slot=slot, status=WaitStatus.WAITING).exists()
    assert not (slot.free > 0 and waiting)


@pytest.fixture
def people(donor_user: Any) -> list[Any]:
    """Made once for the test; each example runs in a transaction rolled back."""
    return [donor_user()[0] for _ in range(PEOPLE)]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps)
# The paths through the waiting list, spelt out so every run takes them.
@example([("book", 0), ("book", 1), ("wait", 2), ("wait", 3), ("cancel", 0), ("run_out", 0)])
@example([("book", 0), ("book", 1), ("wait", 2), ("cancel", 1), ("leave", 2), ("book", 3)])
@example([("book", 0), ("book", 1), ("wait", 2), ("cancel", 1), ("accept", 2), ("cancel", 0)])
def test_the_seats_of_a_slot_always_add_up(drive: Any, people: list[Any], ops: Any) -> None:
    slot = drive.slots.first()
    with transaction.atomic():
        for op, who in ops:
            try:
                with transaction.atomic():
                    _do(op, people[who], drive, slot)
            except ValidationError:
                pass  # refused, with its message: nothing written
            _check(slot)
        transaction.set_rollback(True)

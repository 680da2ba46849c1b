# ruff: noqa: F811  (pytest fixtures are imported by name from booking_fixtures)
"""The waiting list of a full slot (issue 13 §2): a freed place is held for the next donor,
who is messaged and may accept within the hold; an offer that runs out passes on; a stale
offer answers with a clear message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.drives.booking_jobs import expire_offers
from bloodline.drives.models import Slot, WaitlistEntry, WaitStatus
from bloodline.portal.tests.booking_fixtures import (  # noqa: F401
    active,
    consenting,
    donor_user,
    drive,
    gateway,
    make_donor,
    make_drive,
    messages_to,
    nurse,
    signed_in,
    system,
    users,
)

pytestmark = pytest.mark.django_db


def book(user: Any, drive: Any, slot: Slot) -> Any:
    url = reverse("portal:booking_book", args=[drive.uuid])
    return signed_in(user).post(url, {"slot": slot.starts_at.isoformat()})


def wait(user: Any, drive: Any, slot: Slot) -> Any:
    url = reverse("portal:booking_waitlist", args=[drive.uuid])
    return signed_in(user).post(url, {"slot": slot.starts_at.isoformat()})


@pytest.fixture
def full(donor_user: Any, drive: Any) -> Any:
    """The first slot booked full by two donors; returns (slot, [(user, donor), …])."""
    slot = drive.slots.first()
    people = [donor_user() for _ in range(slot.capacity)]
    for user, _donor in people:
        assert book(user, drive, slot).status_code == 302
    return slot, people


def entry_of(donor: Any) -> WaitlistEntry:
    return WaitlistEntry.objects.get(donor=donor)


def test_a_cancellation_offers_the_place_to_the_first_in_line_and_holds_it(
    full: Any, donor_user: Any, drive: Any
) -> None:
    slot, people = full
    (first_user, first), (second_user, second) = donor_user(), donor_user()
    assert wait(first_user, drive, slot).status_code == 302
    assert wait(second_user, drive, slot).status_code == 302
    (booking,) = active(people[0][1])
    signed_in(people[0][0]).post(reverse("portal:booking_cancel", args=[booking.uuid]))
    offer = entry_of(first)
    assert offer.status == WaitStatus.OFFERED and offer.hold_until is not None
    assert entry_of(second).status == WaitStatus.WAITING
    # The place is held: nobody else can book it while the offer runs.
    assert Slot.objects.get(pk=slot.pk).booked == slot.capacity
    outsider_user, _outsider = donor_user()
    assert book(outsider_user, drive, slot).status_code == 400
    (message,) = messages_to(first, "waitlist_offer")
    assert drive.venue in message.body
    page = signed_in(first_user).get(reverse("portal:booking_mine"))
    assert 'data-testid="booking-accept"' in page.content.decode()


def test_accepting_within_the_hold_books_the_held_place(
    full: Any, donor_user: Any, drive: Any
) -> None:
    slot, people = full
    user, donor = donor_user()
    wait(user, drive, slot)
    (booking,) = active(people[1][1])
    signed_in(people[1][0]).post(reverse("portal:booking_cancel", args=[booking.uuid]))
    entry = entry_of(donor)
    response = signed_in(user).post(reverse("portal:booking_accept", args=[entry.uuid]))
    assert response.status_code == 302
    (mine,) = active(donor)
    assert mine.slot == slot and Slot.objects.get(pk=slot.pk).booked == slot.capacity
    entry.refresh_from_db()
    assert entry.status == WaitStatus.BOOKED and entry.registration == mine
    assert len(messages_to(donor, "booking_confirmed")) == 1


def test_an_offer_that_runs_out_passes_to_the_next_and_answers_stale(
    full: Any, donor_user: Any, drive: Any
) -> None:
    slot, people = full
    (late_user, late), (next_user, following) = donor_user(), donor_user()
    wait(late_user, drive, slot)
    wait(next_user, drive, slot)
    (booking,) = active(people[0][1])
    signed_in(people[0][0]).post(reverse("portal:booking_cancel", args=[booking.uuid]))
    entry = entry_of(late)
    assert expire_offers() == {"expired": 0}  # still within the hold
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        hold_until=timezone.now() - dt.timedelta(minutes=1)
    )
    assert expire_offers() == {"expired": 1}
    assert entry_of(late).status == WaitStatus.EXPIRED
    assert entry_of(following).status == WaitStatus.OFFERED
    assert Slot.objects.get(pk=slot.pk).booked == slot.capacity
    client = signed_in(late_user)
    stale = client.post(reverse("portal:booking_accept", args=[entry.uuid]))
    assert stale.status_code == 302
    shown = client.get(reverse("portal:booking_mine")).content.decode()
    assert "This offer is no longer open" in shown
    assert active(late) == []


def test_an_offer_nobody_takes_frees_the_place(full: Any, donor_user: Any, drive: Any) -> None:
    slot, people = full
    user, donor = donor_user()
    wait(user, drive, slot)
    (booking,) = active(people[0][1])
    signed_in(people[0][0]).post(reverse("portal:booking_cancel", args=[booking.uuid]))
    entry = entry_of(donor)
    signed_in(user).post(reverse("portal:booking_leave", args=[entry.uuid]))
    assert entry_of(donor).status == WaitStatus.LEFT
    assert Slot.objects.get(pk=slot.pk).booked == slot.capacity - 1


def test_a_slot_with_free_places_has_no_waiting_list(donor_user: Any, drive: Any) -> None:
    user, donor = donor_user()
    response = wait(user, drive, drive.slots.first())
    assert response.status_code == 400 and "book one instead" in response.content.decode()
    assert not WaitlistEntry.objects.filter(donor=donor).exists()


def test_joining_the_same_waiting_list_twice_is_refused(
    full: Any, donor_user: Any, drive: Any
) -> None:
    slot, _people = full
    user, donor = donor_user()
    wait(user, drive, slot)
    again = wait(user, drive, slot)
    assert again.status_code == 400 and "already on the waiting list" in again.content.decode()
    assert WaitlistEntry.objects.filter(donor=donor).count() == 1


def test_a_place_freed_at_night_is_held_from_when_the_text_may_be_sent(
    donor_user: Any, drive: Any
) -> None:
    from bloodline.drives.waitlist_offers import hold_start

    _user, donor = donor_user()
    late_evening = dt.datetime(2026, 12, 9, 16, 30, tzinfo=dt.UTC)  # 23:30 in Hanoi
    assert hold_start(donor, drive, late_evening) == dt.datetime(2026, 12, 10, 0, 0, tzinfo=dt.UTC)
    noon = dt.datetime(2026, 12, 9, 5, 0, tzinfo=dt.UTC)
    assert hold_start(donor, drive, noon) == noon

# ruff: noqa: F811  (pytest fixtures are imported by name from booking_fixtures)
"""A donor books, moves and cancels their own booking (issue 13 §2), each with its message
through the outbox (§6), and is refused clearly when the booking cannot be (Bad input)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.donors.models import Donor, DonorAccount
from bloodline.drives.models import Channel, Registration, Slot
from bloodline.notifications import worker
from bloodline.portal.tests.booking_fixtures import (  # noqa: F401
    account_for,
    active,
    consenting,
    donor_user,
    drive,
    gateway,
    make_donor,
    make_drive,
    messages_to,
    noon_after,
    nurse,
    signed_in,
    system,
    users,
)
from bloodline.screening.models import Deferral

pytestmark = pytest.mark.django_db


def book_page(client: Any, drive: Any, slot: Slot, **extra: str) -> Any:
    url = reverse("portal:booking_book", args=[drive.uuid])
    return client.post(url, {"slot": slot.starts_at.isoformat(), **extra})


def test_a_donor_books_a_free_slot_and_is_texted_the_confirmation(
    donor_user: Any, drive: Any, gateway: Any
) -> None:
    user, donor = donor_user()
    slot = drive.slots.first()
    response = book_page(signed_in(user), drive, slot)
    assert response.status_code == 302 and response["Location"] == reverse("portal:booking_mine")
    (booking,) = active(donor)
    assert (booking.slot, booking.channel, booking.registered_by) == (slot, Channel.ONLINE, user)
    slot.refresh_from_db()
    assert slot.booked == 1
    (message,) = messages_to(donor, "booking_confirmed")
    assert drive.venue in message.body and "07:00" in message.body
    # The worker sends it to the fake SMS gateway (at noon in Hanoi, outside quiet hours).
    worker.send_due(worker="test", now=noon_after(message))
    assert [d["key"] for d in gateway.delivered] == [message.key]


def test_the_drive_page_lists_free_slots_with_their_local_times(
    donor_user: Any, drive: Any
) -> None:
    user, _donor = donor_user()
    page = signed_in(user).get(reverse("portal:booking_drive", args=[drive.uuid]))
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="booking-form"' in text
    assert "07:00" in text and "08:30" in text and "2 places free" in text


def test_booking_the_same_drive_twice_is_refused(donor_user: Any, drive: Any) -> None:
    user, donor = donor_user()
    slots = list(drive.slots.all())
    client = signed_in(user)
    book_page(client, drive, slots[0])
    page = client.get(reverse("portal:booking_drive", args=[drive.uuid])).content.decode()
    assert 'data-testid="booking-already"' in page
    again = book_page(client, drive, slots[1])
    assert again.status_code == 400
    assert "already registered for this drive" in again.content.decode()
    assert len(active(donor)) == 1 and Slot.objects.get(pk=slots[1].pk).booked == 0


def test_a_full_slot_is_refused_and_offers_the_waiting_list(donor_user: Any, drive: Any) -> None:
    slot = drive.slots.first()
    for _ in range(slot.capacity):
        user, _donor = donor_user()
        book_page(signed_in(user), drive, slot)
    late_user, late = donor_user()
    response = book_page(signed_in(late_user), drive, slot)
    text = response.content.decode()
    assert response.status_code == 400
    assert "is full" in text and 'data-testid="booking-waitlist-offer"' in text
    assert active(late) == [] and Slot.objects.get(pk=slot.pk).booked == slot.capacity


def test_a_donor_deferred_on_the_drive_day_is_told_from_when_they_may_give(
    donor_user: Any, drive: Any, nurse: Any
) -> None:
    user, donor = donor_user()
    until = drive.starts_on + dt.timedelta(days=20)
    Deferral.objects.create(
        donor=donor,
        code="tattoo",
        reason="x",
        starts_on=timezone.localdate(),
        until=until,
        created_by=nurse,
    )
    response = book_page(signed_in(user), drive, drive.slots.first())
    text = response.content.decode()
    assert response.status_code == 400 and "You cannot give blood on" in text
    assert f"{until:%m/%d/%Y}" in text or until.strftime("%d/%m/%Y") in text
    assert active(donor) == [] and messages_to(donor, "booking_confirmed") == []


def test_a_first_booking_makes_an_unclaimed_record_linked_to_the_account(drive: Any) -> None:
    user = account_for(None)
    response = book_page(
        signed_in(user),
        drive,
        drive.slots.first(),
        full_name="Nguyễn Thị Mới",
        date_of_birth="1995-04-02",
        sex="F",
        phone="0912 345 678",
    )
    assert response.status_code == 302
    account = DonorAccount.objects.get(user=user)
    assert account.donor is not None and account.claimed_at is None
    assert account.donor.full_name == "Nguyễn Thị Mới" and account.donor.phone == "+84912345678"
    assert len(active(account.donor)) == 1


def test_a_first_booking_with_someone_elses_details_is_refused_and_links_nothing(
    drive: Any, make_donor: Any
) -> None:
    known = make_donor(full_name="Phạm Văn Có", date_of_birth=dt.date(1988, 3, 3))
    user = account_for(None)
    response = book_page(
        signed_in(user),
        drive,
        drive.slots.first(),
        full_name="Phạm Văn Có",
        date_of_birth="1988-03-03",
        sex="M",
        phone="0988 111 222",
    )
    assert (
        response.status_code == 400 and "claim your donor record first" in response.content.decode()
    )
    assert DonorAccount.objects.get(user=user).donor is None
    assert active(known) == [] and Slot.objects.filter(booked__gt=0).count() == 0


def test_a_first_booking_without_the_persons_details_is_refused_at_each_field(drive: Any) -> None:
    user = account_for(None)
    response = book_page(signed_in(user), drive, drive.slots.first())
    assert response.status_code == 400
    assert Donor.objects.filter(account__user=user).count() == 0


def test_moving_a_booking_is_one_step_and_texts_the_change(donor_user: Any, drive: Any) -> None:
    user, donor = donor_user()
    first, later = list(drive.slots.all())[:2]
    client = signed_in(user)
    book_page(client, drive, first)
    (booking,) = active(donor)
    response = client.post(
        reverse("portal:booking_move", args=[booking.uuid]), {"slot": later.starts_at.isoformat()}
    )
    assert response.status_code == 302
    (moved,) = active(donor)
    assert moved.slot == later
    assert [s.booked for s in Slot.objects.filter(pk__in=[first.pk, later.pk]).order_by("pk")] == [
        0,
        1,
    ]
    assert len(messages_to(donor, "booking_changed")) == 1


def test_moving_to_a_full_slot_keeps_the_booking_where_it_was(donor_user: Any, drive: Any) -> None:
    first, later = list(drive.slots.all())[:2]
    for _ in range(later.capacity):
        other, _d = donor_user()
        book_page(signed_in(other), drive, later)
    user, donor = donor_user()
    client = signed_in(user)
    book_page(client, drive, first)
    (booking,) = active(donor)
    response = client.post(
        reverse("portal:booking_move", args=[booking.uuid]), {"slot": later.starts_at.isoformat()}
    )
    assert response.status_code == 400 and "is full" in response.content.decode()
    assert active(donor) == [booking] and Slot.objects.get(pk=first.pk).booked == 1
    assert messages_to(donor, "booking_changed") == []


def test_cancelling_frees_the_seat_and_texts_the_cancellation(donor_user: Any, drive: Any) -> None:
    user, donor = donor_user()
    slot = drive.slots.first()
    client = signed_in(user)
    book_page(client, drive, slot)
    (booking,) = active(donor)
    response = client.post(reverse("portal:booking_cancel", args=[booking.uuid]))
    assert response.status_code == 302
    assert active(donor) == [] and Slot.objects.get(pk=slot.pk).booked == 0
    assert len(messages_to(donor, "booking_cancelled")) == 1
    again = client.post(reverse("portal:booking_cancel", args=[booking.uuid]))
    assert again.status_code == 404  # no longer among their bookings


def test_a_donor_cannot_see_or_change_someone_elses_booking(donor_user: Any, drive: Any) -> None:
    owner, owner_donor = donor_user()
    book_page(signed_in(owner), drive, drive.slots.first())
    (booking,) = active(owner_donor)
    intruder, _other = donor_user()
    client = signed_in(intruder)
    assert client.post(reverse("portal:booking_cancel", args=[booking.uuid])).status_code == 404
    assert client.get(reverse("portal:booking_move", args=[booking.uuid])).status_code == 404
    api = client.post(f"/api/v1/me/bookings/{booking.uuid}/cancel", content_type="application/json")
    assert api.status_code == 404
    assert client.get("/api/v1/me/bookings").json() == []
    assert Registration.objects.get(pk=booking.pk).cancelled_at is None


def test_staff_without_a_donor_account_cannot_book(users: Any, drive: Any) -> None:
    client = signed_in(users["establishment_admin"])
    assert book_page(client, drive, drive.slots.first()).status_code == 403
    assert client.get(reverse("portal:booking_mine")).status_code == 403


def test_a_donor_booking_before_their_interval_is_over_is_told_from_when_they_may_give(
    donor_user: Any, drive: Any
) -> None:
    from bloodline.collection.models import Donation

    user, donor = donor_user()
    Donation.objects.create(
        din="W000326000077",
        donor=donor,
        establishment=drive.establishment,
        collected_at=timezone.now(),
        donation_type="whole_blood",
        volume_ml=350,
        bag_volume_ml=350,
        credited_to=drive.establishment,
    )
    response = book_page(signed_in(user), drive, drive.slots.first())
    text = response.content.decode()
    assert response.status_code == 400 and "You may give again from" in text
    assert active(donor) == []


def test_booking_without_choosing_a_slot_is_refused(donor_user: Any, drive: Any) -> None:
    user, donor = donor_user()
    url = reverse("portal:booking_book", args=[drive.uuid])
    response = signed_in(user).post(url, {"slot": "not a time"})
    assert response.status_code == 400
    assert "Choose one of the drive&#x27;s slots." in response.content.decode()
    assert active(donor) == []


def test_a_booking_moves_to_a_slot_of_another_drive(
    donor_user: Any, drive: Any, make_drive: Any
) -> None:
    other = make_drive("confirmed", title="Đợt khác", starts_on=drive.starts_on)
    user, donor = donor_user()
    client = signed_in(user)
    book_page(client, drive, drive.slots.first())
    (booking,) = active(donor)
    url = reverse("portal:booking_move", args=[booking.uuid])
    shown = client.get(url, {"drive": str(other.uuid)}).content.decode()
    assert other.title in shown
    target = other.slots.last()
    moved = client.post(url, {"drive": str(other.uuid), "slot": target.starts_at.isoformat()})
    assert moved.status_code == 302
    (now,) = active(donor)
    assert now.drive == other and now.slot == target
    assert Slot.objects.get(pk=drive.slots.first().pk).booked == 0

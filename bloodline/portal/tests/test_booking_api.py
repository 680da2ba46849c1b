# ruff: noqa: F811  (pytest fixtures are imported by name from booking_fixtures)
"""The booking endpoints under /api/v1/me (issue 13 API): a donor books, moves, cancels and
waits through JSON, with the same rules and translated refusals as the pages."""

from __future__ import annotations

from typing import Any

import pytest

from bloodline.drives.models import Slot
from bloodline.portal.tests.booking_fixtures import (  # noqa: F401
    account_for,
    active,
    consenting,
    donor_user,
    drive,
    make_donor,
    make_drive,
    messages_to,
    nurse,
    signed_in,
    users,
)

pytestmark = pytest.mark.django_db


def post(client: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/me{path}", body or {}, content_type="application/json")


def test_a_donor_books_moves_and_cancels_through_the_api(donor_user: Any, drive: Any) -> None:
    user, donor = donor_user()
    client = signed_in(user)
    first, later = list(drive.slots.all())[:2]
    made = post(
        client, "/bookings", {"drive": str(drive.uuid), "slot": first.starts_at.isoformat()}
    )
    assert made.status_code == 201 and made.json()["slot"]["free"] == first.capacity - 1
    booking = made.json()["uuid"]
    assert [b["uuid"] for b in client.get("/api/v1/me/bookings").json()] == [booking]
    moved = post(client, f"/bookings/{booking}/move", {"slot": later.starts_at.isoformat()})
    assert moved.status_code == 200 and moved.json()["uuid"] != booking
    (current,) = active(donor)
    assert current.slot == later
    cancelled = post(client, f"/bookings/{moved.json()['uuid']}/cancel")
    assert cancelled.status_code == 200 and active(donor) == []
    assert len(messages_to(donor, "booking_cancelled")) == 1


def test_a_full_slot_answers_422_and_the_donor_can_wait_then_accept(
    donor_user: Any, drive: Any
) -> None:
    slot = drive.slots.first()
    holders = [donor_user() for _ in range(slot.capacity)]
    body = {"drive": str(drive.uuid), "slot": slot.starts_at.isoformat()}
    for user, _donor in holders:
        assert post(signed_in(user), "/bookings", body).status_code == 201
    user, donor = donor_user()
    client = signed_in(user)
    refused = post(client, "/bookings", body)
    assert refused.status_code == 422 and "is full" in refused.json()["detail"][0]["msg"]
    waiting = post(client, "/waitlist", body)
    assert waiting.status_code == 201 and waiting.json()["status"] == "waiting"
    (holder_booking,) = active(holders[0][1])
    post(signed_in(holders[0][0]), f"/bookings/{holder_booking.uuid}/cancel")
    (entry,) = client.get("/api/v1/me/waitlist").json()
    assert entry["status"] == "offered" and entry["hold_until"]
    accepted = post(client, f"/waitlist/{entry['uuid']}/accept")
    assert accepted.status_code == 200 and len(active(donor)) == 1
    again = post(client, f"/waitlist/{entry['uuid']}/accept")
    assert again.status_code == 422 and "no longer open" in again.json()["detail"][0]["msg"]
    assert Slot.objects.get(pk=slot.pk).booked == slot.capacity


def test_an_unknown_slot_is_refused_at_its_field(donor_user: Any, drive: Any) -> None:
    user, _donor = donor_user()
    refused = post(
        signed_in(user), "/bookings", {"drive": str(drive.uuid), "slot": "2030-01-01T03:00:00Z"}
    )
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "slot"


def test_staff_without_a_donor_account_are_refused(users: Any, drive: Any) -> None:
    client = signed_in(users["drive_nurse"])
    slot = drive.slots.first()
    body = {"drive": str(drive.uuid), "slot": slot.starts_at.isoformat()}
    assert post(client, "/bookings", body).status_code == 403
    assert client.get("/api/v1/me/bookings").status_code == 403

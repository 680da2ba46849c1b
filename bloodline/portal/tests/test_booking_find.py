# ruff: noqa: F811  (pytest fixtures are imported by name from booking_fixtures)
"""Finding a drive (issue 13 §2): a list by area or nearest first, a month calendar and a map
drawn from the stored coordinates without any tile server; the same through /api/v1/me."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from bloodline.drives.models import DriveStatus
from bloodline.drives.tests.conftest import in_days
from bloodline.portal.booking_find import Position, distance_km
from bloodline.portal.tests.booking_fixtures import (  # noqa: F401
    account_for,
    consenting,
    donor_user,
    drive,
    make_donor,
    make_drive,
    nurse,
    signed_in,
    users,
)

pytestmark = pytest.mark.django_db

# Generated places around Da Nang (degrees).
NEAR = (Decimal("16.054400"), Decimal("108.202200"))
FAR = (Decimal("16.467400"), Decimal("107.590500"))


@pytest.fixture
def two_drives(make_drive: Any) -> tuple[Any, Any]:
    far = make_drive(
        DriveStatus.CONFIRMED, title="Xa", starts_on=in_days(3), latitude=FAR[0], longitude=FAR[1]
    )
    near = make_drive(
        DriveStatus.CONFIRMED,
        title="Gần",
        starts_on=in_days(9),
        latitude=NEAR[0],
        longitude=NEAR[1],
    )
    return near, far


def titles(response: Any) -> list[str]:
    return [d["title"] for d in response.json()]


def test_the_list_is_by_date_and_nearest_first_when_a_position_is_given(
    client: Any, two_drives: Any
) -> None:
    near, far = two_drives
    by_date = client.get(reverse("portal:booking_drives")).content.decode()
    assert by_date.index(far.title) < by_date.index(near.title)
    nearest = client.get(
        reverse("portal:booking_drives"), {"latitude": "16.06", "longitude": "108.21"}
    ).content.decode()
    assert nearest.index(near.title) < nearest.index(far.title) and "km away" in nearest


def test_an_unreadable_position_is_said_and_the_list_still_shown(
    client: Any, two_drives: Any
) -> None:
    page = client.get(reverse("portal:booking_drives"), {"latitude": "north", "longitude": "1"})
    text = page.content.decode()
    assert page.status_code == 200 and "could not be read" in text and two_drives[0].title in text


def test_an_area_choice_works_without_a_position(client: Any, drive: Any, demo: Any) -> None:
    page = client.get(reverse("portal:booking_drives"))
    assert drive.title in page.content.decode()
    chosen = client.get(reverse("portal:booking_drives"), {"area": str(demo.nodes["cn"].uuid)})
    assert drive.title not in chosen.content.decode()


def test_unconfirmed_and_past_drives_are_not_offered(client: Any, make_drive: Any) -> None:
    proposed = make_drive(DriveStatus.PROPOSED, title="Chưa xác nhận")
    assert proposed.title not in client.get(reverse("portal:booking_drives")).content.decode()
    response = client.get(reverse("portal:booking_drive", args=[proposed.uuid]))
    assert response.status_code == 404


def test_the_month_calendar_shows_the_drive_on_its_day(client: Any, drive: Any) -> None:
    month = f"{drive.starts_on:%Y-%m}"
    page = client.get(reverse("portal:booking_calendar"), {"month": month}).content.decode()
    assert drive.title in page and 'data-testid="booking-calendar"' in page


def test_the_map_places_drives_by_their_coordinates_without_a_tile_server(
    client: Any, two_drives: Any, drive: Any
) -> None:
    page = client.get(reverse("portal:booking_map")).content.decode()
    assert page.count("<circle") == 2 and "http" not in page.split("<svg")[1].split("</svg>")[0]
    # The drive without coordinates is listed under the map, not drawn.
    assert drive.title in page.split("</svg>")[1]


def test_distances_are_great_circle_kilometres() -> None:
    hanoi, saigon = Position(21.0285, 105.8542), Position(10.8231, 106.6297)
    assert 1130 < distance_km(hanoi, saigon) < 1150


def test_the_api_lists_drives_and_slots_for_a_signed_in_person(
    two_drives: Any, donor_user: Any
) -> None:
    user, _donor = donor_user()
    client = signed_in(user)
    near, far = two_drives
    assert titles(client.get("/api/v1/me/drives")) == [far.title, near.title]
    nearest = client.get("/api/v1/me/drives", {"latitude": "16.06", "longitude": "108.21"})
    assert titles(nearest)[0] == near.title and nearest.json()[0]["km"] < 2
    detail = client.get(f"/api/v1/me/drives/{near.uuid}").json()
    assert [s["free"] for s in detail["slots"]] == [2, 2, 2, 2]


def _queries(client: Any, name: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as seen:
        assert client.get(reverse(name)).status_code == 200
    return len(seen)


def test_the_list_and_the_map_cost_the_same_queries_for_2_or_20_drives(
    client: Any, make_drive: Any
) -> None:
    def add(count: int) -> None:
        for n in range(count):
            make_drive(
                DriveStatus.CONFIRMED,
                title=f"Đợt {n}",
                starts_on=in_days(2 + n),
                latitude=NEAR[0] + n,
                longitude=NEAR[1],
            )

    add(2)
    small = {
        name: _queries(client, name) for name in ("portal:booking_drives", "portal:booking_map")
    }
    add(18)
    large = {
        name: _queries(client, name) for name in ("portal:booking_drives", "portal:booking_map")
    }
    assert small == large

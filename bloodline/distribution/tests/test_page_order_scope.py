"""Who sees an order: the hospital that placed it and the desk of the establishment it was
placed with. Anyone else gets 404, so an order's existence is not revealed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.distribution import actions
from bloodline.distribution.models import Order

pytestmark = pytest.mark.django_db


def place(by: User, hospital: Any, supplier: Any) -> Order:
    return actions.place_order(
        by=by,
        hospital=hospital,
        supplier=supplier,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=6),
        lines=[actions.LineRequest("red_cells_additive", "O", "pos", 1)],
    )


@pytest.fixture
def district_order(centre: Any, demo: Any) -> Order:
    """An order of the district health centre, another hospital of the province."""
    admin = User.objects.get(username="admin")
    return place(admin, demo.nodes["vn_dong_health"], centre.centre)


def test_a_hospital_user_cannot_see_another_hospitals_order(
    district_order: Order, login: Any
) -> None:
    hospital = login("hospital_user")
    url = reverse("distribution:order", args=[district_order.uuid])
    assert hospital.get(url).status_code == 404
    response = hospital.post(
        reverse("distribution:cancel", args=[district_order.uuid]),
        {"version": district_order.version},
    )
    assert response.status_code == 404
    listed = hospital.get(reverse("distribution:orders")).content.decode()
    assert district_order.number not in listed


def test_the_supplying_desk_sees_every_hospitals_order(district_order: Order, login: Any) -> None:
    url = reverse("distribution:order", args=[district_order.uuid])
    assert login("inventory_clerk").get(url).status_code == 200
    assert (
        district_order.number
        in login("inventory_clerk").get(reverse("distribution:orders")).content.decode()
    )


def test_people_of_another_country_or_role_get_404(district_order: Order, login: Any) -> None:
    url = reverse("distribution:order", args=[district_order.uuid])
    assert login("cn_establishment_admin").get(url).status_code == 404
    assert login("lab_technician").get(url).status_code == 404
    assert login("drive_nurse").get(reverse("distribution:orders")).status_code == 403


def test_the_hospital_cannot_press_the_desks_buttons(centre: Any, login: Any) -> None:
    order = place(centre.hospital_user, centre.hospital, centre.centre)
    hospital = login("hospital_user")
    for name in ("allocate", "pick", "dispatch", "allocate_unit", "unallocate"):
        response = hospital.post(reverse(f"distribution:{name}", args=[order.uuid]), {})
        assert response.status_code == 403, name
    assert (
        login("inventory_clerk")
        .post(reverse("distribution:receive", args=[order.uuid]), {"received_count": "1"})
        .status_code
        == 403
    )


def test_the_hospital_may_cancel_its_order_while_placed(centre: Any, login: Any) -> None:
    order = place(centre.hospital_user, centre.hospital, centre.centre)
    hospital = login("hospital_user")
    hospital.cookies["django_language"] = "en"
    url = reverse("distribution:order", args=[order.uuid])
    assert "Cancel this order" in hospital.get(url).content.decode()
    response = hospital.post(
        reverse("distribution:cancel", args=[order.uuid]), {"version": order.version}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert "Cancel this order" not in hospital.get(url).content.decode()

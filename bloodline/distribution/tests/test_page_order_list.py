"""The orders page: the hospital's own orders; the desk's orders open first, the most urgent
and the soonest needed first; a fixed number of queries however many orders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bloodline.distribution import actions
from bloodline.distribution.models import Order
from bloodline.lib.querycount import assert_flat, counted

pytestmark = pytest.mark.django_db


def place(centre: Any, urgency: str, hours: int, quantity: int = 1) -> Order:
    return actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency=urgency,
        needed_by=timezone.now() + dt.timedelta(hours=hours),
        lines=[
            actions.LineRequest("red_cells_additive", "O", "pos", quantity),
            actions.LineRequest("plasma_fresh_frozen", "A", "pos", 1),
        ],
    )


def positions(page: str, orders: list[Order]) -> list[int]:
    return [page.index(o.number) for o in orders]


def test_the_desk_sees_open_orders_first_the_most_urgent_and_soonest_first(
    centre: Any, login: Any
) -> None:
    late_routine = place(centre, "routine", 10)
    soon_routine = place(centre, "routine", 2)
    urgent = place(centre, "urgent", 8)
    emergency = place(centre, "emergency", 9)
    cancelled = place(centre, "emergency", 1)
    actions.cancel_order(by=centre.hospital_user, order=cancelled)
    page = login("inventory_clerk").get(reverse("distribution:orders")).content.decode()
    expected = [emergency, urgent, soon_routine, late_routine, cancelled]
    assert positions(page, expected) == sorted(positions(page, expected))


def test_the_hospital_sees_its_orders_with_the_units_ordered(centre: Any, login: Any) -> None:
    order = place(centre, "urgent", 4, quantity=3)
    client: Client = login("hospital_user")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("distribution:orders")).content.decode()
    assert order.number in page and "Orders placed by your hospital" in page
    assert "Orders to fulfil" not in page
    row = page.split(order.number)[1].split("</tr>")[0]
    assert "<td>4</td>" in row  # 3 red cells + 1 plasma


def test_the_orders_page_takes_the_same_queries_for_ten_times_the_orders(
    centre: Any, login: Any
) -> None:
    desk, hospital = login("inventory_clerk"), login("hospital_user")

    def orders_allocated(n: int) -> None:
        for hours in range(n):
            order = place(centre, "urgent", 5 + hours)
            centre.stocked("O", "pos")
            actions.allocate(by=centre.clerk, order=order)

    orders_allocated(1)
    place(centre, "routine", 4)  # one still waiting for stock
    for client in (desk, hospital):
        client.get(reverse("distribution:orders"))  # session and grants settle
    with counted() as desk_few:
        assert desk.get(reverse("distribution:orders")).status_code == 200
    with counted() as hospital_few:
        assert hospital.get(reverse("distribution:orders")).status_code == 200
    orders_allocated(9)
    for _ in range(9):
        place(centre, "routine", 4)
    with counted() as desk_many:
        page = desk.get(reverse("distribution:orders"))
    with counted() as hospital_many:
        assert hospital.get(reverse("distribution:orders")).status_code == 200
    assert_flat(desk_few, desk_many, sizes=(1, 10))
    assert_flat(hospital_few, hospital_many, sizes=(1, 10))
    assert len(desk_few) <= 6 and len(hospital_few) <= 6
    assert len(page.context["desk"].object_list) == 20

"""Placing an order on the page: the person's hospitals, the blood establishments of the same
country, lines left blank ignored; whatever the order action refuses is shown and nothing is
placed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bloodline.distribution.models import Order

pytestmark = pytest.mark.django_db
NEW = "/orders/new/"


@pytest.fixture
def hospital(login: Any) -> Client:
    client: Client = login("hospital_user")
    client.cookies["django_language"] = "en"
    return client


def form(centre: Any, **values: str) -> dict[str, str]:
    data = {
        "hospital": str(centre.hospital.uuid),
        "supplier": str(centre.centre.uuid),
        "urgency": "routine",
        "needed_by": "2031-06-01T08:00",
        "note": "",
        "lines-TOTAL_FORMS": "4",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
    }
    for n in range(4):
        data[f"lines-{n}-quantity"] = "1"
    return data | values


def line(n: int, product: str, abo: str, rhd: str, quantity: str = "1") -> dict[str, str]:
    return {
        f"lines-{n}-product": product,
        f"lines-{n}-abo": abo,
        f"lines-{n}-rhd": rhd,
        f"lines-{n}-quantity": quantity,
    }


def test_the_new_order_page_is_at_orders_new(centre: Any) -> None:
    assert reverse("distribution:new") == NEW


def test_it_offers_the_persons_hospitals_and_the_countrys_blood_establishments(
    centre: Any, demo: Any, hospital: Client
) -> None:
    page = hospital.get(NEW).content.decode()
    assert str(centre.hospital.uuid) in page
    assert str(demo.nodes["vn_hospital_bank"].uuid) in page
    assert str(demo.nodes["vn_dong_health"].uuid) not in page  # another hospital
    assert str(centre.centre.uuid) in page and str(demo.nodes["vn_station"].uuid) in page
    assert str(demo.nodes["cn_centre"].uuid) not in page
    assert "fresh frozen plasma" in page and "unknown (emergency)" in page
    assert page.count('name="lines-') >= 4 * 5


def test_blank_lines_are_ignored(centre: Any, hospital: Client) -> None:
    data = form(centre, **line(1, "red_cells_additive", "unknown", "unknown", "2"))
    response = hospital.post(NEW, data)
    assert response.status_code == 302
    [only] = Order.objects.get().lines.all()
    assert (only.component_code, only.abo, only.rhd, only.quantity) == (
        "red_cells_additive",
        "",
        "",
        2,
    )


def test_an_order_without_lines_is_refused(centre: Any, hospital: Client) -> None:
    response = hospital.post(NEW, form(centre))
    assert "Add at least one line." in response.content.decode()
    assert not Order.objects.exists()


def test_the_order_actions_refusal_is_shown_on_the_form(centre: Any, hospital: Client) -> None:
    data = form(
        centre,
        **line(0, "red_cells_additive", "O", "neg", "1"),
        **line(1, "whole_blood", "unknown", "pos", "1"),
    )
    page = hospital.post(NEW, data).content.decode()
    assert "Line 2: no unit of this product suits an unknown group" in page
    assert not Order.objects.exists()


def test_a_time_in_the_past_is_refused(centre: Any, hospital: Client) -> None:
    data = form(centre, needed_by="2020-01-01T08:00", **line(0, "plasma_fresh_frozen", "A", "pos"))
    assert "must not be in the past" in hospital.post(NEW, data).content.decode()
    assert not Order.objects.exists()


def test_a_half_filled_line_is_refused_at_its_field(centre: Any, hospital: Client) -> None:
    data = form(centre, **{"lines-2-product": "plasma_fresh_frozen"})
    page = hospital.post(NEW, data).content.decode()
    assert "This field is required." in page
    assert not Order.objects.exists()


def test_a_blood_establishment_of_another_country_cannot_be_chosen(
    centre: Any, demo: Any, hospital: Client
) -> None:
    data = form(
        centre,
        supplier=str(demo.nodes["cn_centre"].uuid),
        **line(0, "plasma_fresh_frozen", "A", "pos"),
    )
    assert "Select a valid choice" in hospital.post(NEW, data).content.decode()
    assert not Order.objects.exists()


def test_only_people_who_order_for_a_hospital_open_the_page(centre: Any, login: Any) -> None:
    assert login("inventory_clerk").get(NEW).status_code == 403
    assert login("donor").get(NEW).status_code == 403

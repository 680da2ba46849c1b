"""The recipient's facts on the order pages: typed on the new-order form, refused there with a
translated message when wrong (nothing placed), shown on the order with what they close or open,
and carried onto the shipment (anti-D prophylaxis)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bloodline.distribution.models import Order
from bloodline.distribution.tests.test_page_new_order import NEW, form, line

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital(login: Any) -> Client:
    client: Client = login("hospital_user")
    client.cookies["django_language"] = "en"
    return client


def woman(n: int, age: str, **more: str) -> dict[str, str]:
    return {
        **line(n, "red_cells_additive", "O", "neg"),
        f"lines-{n}-recipient_sex": "F",
        f"lines-{n}-recipient_age": age,
        **{f"lines-{n}-{key}": value for key, value in more.items()},
    }


@pytest.mark.parametrize("age", ["-3", "131"])
def test_an_age_out_of_range_is_refused_on_the_form(
    centre: Any, hospital: Client, age: str
) -> None:
    page = hospital.post(NEW, form(centre, **woman(0, age))).content.decode()
    assert "Line 1: the recipient&#x27;s age must be a whole number of years from 0 to 130." in page
    assert not Order.objects.exists()


def test_the_shortage_flag_for_a_woman_who_may_bear_children_is_refused(
    centre: Any, hospital: Client
) -> None:
    data = form(centre, **woman(0, "30", allow_rhd_shortage="on"))
    page = hospital.post(NEW, data).content.decode()
    assert "RhD-positive red cells cannot be accepted in shortage for this recipient" in page
    assert "a woman of child-bearing potential" in page
    assert not Order.objects.exists()


def test_the_page_tells_the_hospital_in_its_language(centre: Any, hospital: Client) -> None:
    hospital.cookies["django_language"] = "vi"
    page = hospital.post(NEW, form(centre, **woman(0, "200"))).content.decode()
    assert "Dòng 1:" in page and "130" in page
    assert "must be a whole number" not in page


def test_the_order_shows_the_recipient_and_why_only_rhd_negative_red_cells_go(
    centre: Any, hospital: Client, login: Any
) -> None:
    response = hospital.post(NEW, form(centre, **woman(0, "30", anti_d="on")))
    assert response.status_code == 302
    order = Order.objects.get()
    desk: Client = login("inventory_clerk")
    desk.cookies["django_language"] = "en"
    page = desk.get(reverse("distribution:order", args=[order.uuid])).content.decode()
    assert "Recipient: female, 30 years, known anti-D" in page
    assert (
        "RhD-negative red cells only (known anti-D, a woman of child-bearing potential), "
        "even in shortage" in page
    )


def test_an_emergency_release_is_typed_on_the_form_and_shown_on_the_order(
    centre: Any, hospital: Client
) -> None:
    data = form(
        centre,
        urgency="emergency",
        **woman(0, "30", emergency_clinician="Dr Lan", emergency_reason="Massive bleeding"),
    )
    response = hospital.post(NEW, data)
    assert response.status_code == 302
    line_ = Order.objects.get().lines.get()
    assert line_.emergency_release and line_.emergency_clinician == "Dr Lan"
    page = hospital.get(response["Location"]).content.decode()
    assert "Emergency release signed by Dr Lan" in page and "Massive bleeding" in page


def test_the_hospital_signs_an_emergency_release_from_the_order_page(
    centre: Any, hospital: Client
) -> None:
    hospital.post(NEW, form(centre, **woman(0, "30")))
    order = Order.objects.get()
    url = reverse("distribution:order", args=[order.uuid])
    assert "Record the emergency release" in hospital.get(url).content.decode()
    release = reverse("distribution:release", args=[order.uuid])
    empty = hospital.post(release, {"version": order.version, "line": 1, "clinician": "Dr Lan"})
    assert "This field is required." in empty.content.decode()
    assert not order.lines.get().emergency_release
    done = hospital.post(
        release,
        {"version": order.version, "line": 1, "clinician": "Dr Lan", "reason": "Bleeding"},
        follow=True,
    )
    page = done.content.decode()
    assert "The emergency release for line 1 is recorded." in page
    assert "Emergency release signed by Dr Lan" in page
    assert "Record the emergency release" not in page

"""A component's page: identity, status, expiry in local time, history; who may see it."""

from __future__ import annotations

import zoneinfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from bloodline.lib import isbt128


def _url(component) -> str:
    return reverse("inventory:component", args=[component.uuid])


def test_it_shows_the_unit_with_its_din_check_character_and_local_expiry(centre, english) -> None:
    red, _plasma = centre.stocked("A", "neg")
    page = english("inventory_clerk").get(_url(red))
    assert page.status_code == 200
    text = page.content.decode()
    assert isbt128.Din(red.donation.din).eye_readable() in text
    assert red.product_code in text and "red cells in additive solution" in text
    local = timezone.localtime(red.expires_at, zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
    with translation.override("en"):
        shown = formats.date_format(local, "SHORT_DATETIME_FORMAT")
    assert shown in text
    assert "available" in text
    assert "Fridge 1" in text
    # The history: made, released, label printed, in stock.
    for step in ("Made", "Released", "Label printed", "Label checked, in stock"):
        assert step in text


def test_the_inventory_clerk_gets_the_action_forms(centre, english) -> None:
    red, _plasma = centre.stocked()
    text = english("inventory_clerk").get(_url(red)).content.decode()
    assert reverse("inventory:move", args=[red.uuid]) in text
    assert reverse("inventory:discard", args=[red.uuid]) in text
    assert f'name="version" value="{red.version}"' in text


def test_the_lab_technician_sees_the_unit_without_stock_actions(centre, english) -> None:
    red, _plasma = centre.stocked()
    page = english("lab_technician").get(_url(red))
    assert page.status_code == 200
    assert reverse("inventory:discard", args=[red.uuid]) not in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("hospital_user", 404), ("cn_establishment_admin", 404), ("drive_nurse", 403)],
)
def test_it_hides_the_unit_from_people_outside_the_stock(centre, english, persona, status) -> None:
    red, _plasma = centre.stocked()
    assert english(persona).get(_url(red)).status_code == status


def test_an_unknown_unit_is_not_found(centre, english) -> None:
    url = reverse("inventory:component", args=["00000000-0000-4000-8000-000000000000"])
    assert english("inventory_clerk").get(url).status_code == 404

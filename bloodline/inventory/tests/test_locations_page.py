"""Storage locations: listed, added with a valid temperature range, taken out of use."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from bloodline.audit.models import AuditEvent
from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import StorageLocation
from bloodline.lib.querycount import assert_flat, counted

URL = reverse("inventory:locations")


def _add(client, **values):
    data = {"name": "Fridge 9", "kind": "fridge", "min_c": "2", "max_c": "6"} | values
    return client.post(URL, data)


def test_it_lists_the_locations_with_the_units_kept(centre, english) -> None:
    centre.stocked()
    page = english("inventory_clerk").get(URL)
    assert page.status_code == 200
    kept = {loc.display_name("en"): loc.units for loc in page.context["rows"]}
    assert kept["Fridge 1"] == 1 and kept["Platelet agitator 1"] == 0


def test_it_adds_a_location(centre, english) -> None:
    assert _add(english("inventory_clerk")).status_code == 302
    fridge = StorageLocation.objects.get(establishment=centre.centre, name="Fridge 9")
    assert (fridge.min_c, fridge.max_c, fridge.active) == (Decimal(2), Decimal(6), True)
    assert AuditEvent.objects.filter(action="location.add", object_id=str(fridge.uuid)).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"min_c": "6.1", "max_c": "6"}, "max_c"),
        ({"name": "Tủ lạnh 1"}, "name"),  # the demo fridge, named in Vietnamese
        ({"name": "   "}, "name"),
    ],
)
def test_it_refuses_a_bad_location(centre, english, values, field) -> None:
    before = StorageLocation.objects.count()
    page = _add(english("inventory_clerk"), **values)
    assert page.status_code == 400
    assert field in page.context["form"].errors
    assert StorageLocation.objects.count() == before


def test_equal_lowest_and_highest_temperatures_are_allowed(centre, english) -> None:
    assert _add(english("inventory_clerk"), min_c="4", max_c="4").status_code == 302


def test_an_empty_location_is_taken_out_of_use(centre, english) -> None:
    agitator = factories.location(centre.centre, "Platelet agitator 1")
    url = reverse("inventory:location_deactivate", args=[agitator.uuid])
    assert english("inventory_clerk").post(url).status_code == 302
    agitator.refresh_from_db()
    assert not agitator.active


def test_a_location_holding_units_stays_in_use(centre, english) -> None:
    centre.stocked()
    fridge = factories.location(centre.centre, "Fridge 1")
    client = english("inventory_clerk")
    response = client.post(reverse("inventory:location_deactivate", args=[fridge.uuid]))
    assert response.status_code == 302
    fridge.refresh_from_db()
    assert fridge.active
    assert "move them before" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("lab_technician", 403), ("hospital_user", 404), ("cn_establishment_admin", 404)],
)
def test_only_stock_managers_take_a_location_out_of_use(centre, english, persona, status) -> None:
    freezer = factories.location(centre.centre, "Freezer 1")
    url = reverse("inventory:location_deactivate", args=[freezer.uuid])
    assert english(persona).post(url).status_code == status
    freezer.refresh_from_db()
    assert freezer.active


def test_the_locations_page_is_for_stock_managers(centre, english) -> None:
    assert english("lab_technician").get(URL).status_code == 403
    assert english("hospital_user").get(URL).status_code == 403


def test_the_location_list_takes_the_same_queries_for_ten_times_the_locations(
    centre, english
) -> None:
    client = english("inventory_clerk")
    centre.stocked()
    equipped = StorageLocation.objects.filter(establishment=centre.centre).count()
    client.get(URL)
    with counted() as few:
        client.get(URL)
    for n in range(9 * equipped):
        inventory.add_location(
            by=centre.clerk,
            establishment=centre.centre,
            name=f"Fridge {n + 10}",
            kind="fridge",
            min_c=Decimal(2),
            max_c=Decimal(6),
        )
    centre.stocked("A", "neg")
    with counted() as many:
        page = client.get(URL)
    assert_flat(few, many, sizes=(equipped, 10 * equipped))
    assert len(few) <= 20
    assert len(page.context["rows"]) == 10 * equipped

"""Processing a donation into components through the pages: scan the DIN, choose a recipe of
the rule set, give the volumes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bloodline.inventory.models import Component
from bloodline.inventory.status import Status
from bloodline.lib import isbt128
from bloodline.lib.querycount import assert_flat, counted


def _url(donation) -> str:
    return reverse("inventory:process", args=[donation.din])


def test_the_search_page_lists_donations_not_yet_processed(centre, english, processed) -> None:
    waiting = centre.donation()
    done = processed()[0].donation
    page = english("inventory_clerk").get(reverse("inventory:process_search"))
    assert page.status_code == 200
    text = page.content.decode()
    assert isbt128.Din(waiting.din).eye_readable() in text
    assert isbt128.Din(done.din).eye_readable() not in text


def test_the_search_list_takes_the_same_queries_for_many_donations(centre, english) -> None:
    client = english("inventory_clerk")
    centre.donation()
    client.get(reverse("inventory:process_search"))  # warm the caches
    with counted() as few:
        client.get(reverse("inventory:process_search"))
    for _ in range(9):
        centre.donation()
    with counted() as many:
        page = client.get(reverse("inventory:process_search"))
    assert_flat(few, many, sizes=(1, 10))
    assert len(few) <= 8
    assert len(page.context["rows"]) == 10


def test_a_din_typed_with_its_check_character_opens_the_donation(centre, english) -> None:
    donation = centre.donation()
    typed = donation.din + isbt128.check_character(donation.din)
    response = english("inventory_clerk").get(reverse("inventory:process_search"), {"din": typed})
    assert response.status_code == 302 and response["Location"] == _url(donation)


def test_a_scanned_din_opens_the_donation(centre, english) -> None:
    donation = centre.donation()
    scanned = f"={donation.din}{isbt128.type3_flag(donation.din)}"
    response = english("inventory_clerk").get(reverse("inventory:process_search"), {"din": scanned})
    assert response["Location"] == _url(donation)


def test_a_wrong_check_character_is_refused(centre, english) -> None:
    donation = centre.donation()
    right = isbt128.check_character(donation.din)
    wrong = next(c for c in "ABC" if c != right)
    page = english("inventory_clerk").get(
        reverse("inventory:process_search"), {"din": donation.din + wrong}
    )
    assert page.status_code == 200
    assert "check character does not match" in page.content.decode()


def test_an_unknown_din_is_said_so(centre, english) -> None:
    page = english("inventory_clerk").get(
        reverse("inventory:process_search"), {"din": "G9999269999999"[:13]}
    )
    assert "No donation with this DIN" in page.content.decode()


def test_it_offers_the_recipes_of_the_rule_set_for_whole_blood(centre, english) -> None:
    donation = centre.donation()
    page = english("inventory_clerk").get(_url(donation))
    form = page.context["form"]
    assert [r.code for r in form.recipes] == [
        "keep_whole_blood",
        "keep_whole_blood_cpda1",
        "red_cells_plasma",
    ]
    # One output keeps the whole donation: its volume is offered; split outputs start blank.
    assert form["volume_whole_blood"].value() == donation.volume_ml
    assert form["volume_red_cells_additive"].value() is None


def test_it_makes_the_components_of_the_chosen_recipe(centre, english) -> None:
    donation = centre.donation()
    client = english("inventory_clerk")
    response = client.post(
        _url(donation),
        {
            "recipe": "red_cells_plasma",
            "volume_red_cells_additive": "250",
            "volume_plasma_fresh_frozen": "200",
            "volume_whole_blood": "350",  # another recipe's field, ignored
        },
    )
    assert response.status_code == 302
    made = Component.objects.filter(donation=donation).order_by("component_code")
    assert [(c.component_code, c.volume_ml, c.status) for c in made] == [
        ("plasma_fresh_frozen", 200, Status.QUARANTINED),
        ("red_cells_additive", 250, Status.QUARANTINED),
    ]
    page = client.get(_url(donation))
    assert page.context["form"] is None
    assert reverse("inventory:component", args=[made[0].uuid]) in page.content.decode()


def test_a_missing_volume_shows_on_its_field_and_makes_nothing(centre, english) -> None:
    donation = centre.donation()
    page = english("inventory_clerk").post(
        _url(donation), {"recipe": "red_cells_plasma", "volume_red_cells_additive": "250"}
    )
    assert page.status_code == 200
    assert "volume_plasma_fresh_frozen" in page.context["form"].errors
    assert not Component.objects.filter(donation=donation).exists()


def test_a_recipe_must_be_chosen(centre, english) -> None:
    donation = centre.donation()
    page = english("inventory_clerk").post(_url(donation), {"volume_whole_blood": "350"})
    assert "recipe" in page.context["form"].errors
    assert not Component.objects.filter(donation=donation).exists()


def test_a_donation_is_processed_once(centre, english, processed) -> None:
    donation = processed()[0].donation
    response = english("inventory_clerk").post(
        _url(donation), {"recipe": "keep_whole_blood", "volume_whole_blood": "350"}
    )
    assert response.status_code == 302
    assert Component.objects.filter(donation=donation).count() == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [("hospital_user", 404), ("cn_establishment_admin", 404), ("drive_nurse", 403)],
)
def test_people_who_do_not_process_cannot(centre, english, persona, status) -> None:
    donation = centre.donation()
    client = english(persona)
    assert client.get(_url(donation)).status_code == status
    client.post(_url(donation), {"recipe": "keep_whole_blood", "volume_whole_blood": "350"})
    assert not Component.objects.filter(donation=donation).exists()


def test_the_search_page_is_closed_to_hospital_users(centre, english) -> None:
    assert english("hospital_user").get(reverse("inventory:process_search")).status_code == 403


def test_another_country_does_not_see_these_donations(centre, english) -> None:
    donation = centre.donation()
    page = english("cn_establishment_admin").get(reverse("inventory:process_search"))
    assert page.status_code == 200
    assert donation not in [d for d, _din in page.context["rows"]]

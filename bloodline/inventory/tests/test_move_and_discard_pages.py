"""Moving a unit to another suitable location and discarding it, from its page."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions
from bloodline.inventory.models import LocationKind, StorageLocation
from bloodline.inventory.status import Status


def _second_fridge(centre) -> StorageLocation:
    return StorageLocation.objects.create(
        establishment=centre.centre,
        name="Fridge 2",
        kind=LocationKind.FRIDGE,
        min_c=Decimal(2),
        max_c=Decimal(6),
    )


def test_it_moves_a_unit_to_another_fridge(centre, english) -> None:
    red, _plasma = centre.stocked()
    fridge = _second_fridge(centre)
    response = english("inventory_clerk").post(
        reverse("inventory:move", args=[red.uuid]),
        {"location": str(fridge.uuid), "version": red.version},
    )
    assert response.status_code == 302
    red.refresh_from_db()
    assert red.location == fridge


def test_it_does_not_offer_a_freezer_for_red_cells(centre, english) -> None:
    red, _plasma = centre.stocked()
    freezer = factories.location(centre.centre, "Freezer 1")
    response = english("inventory_clerk").post(
        reverse("inventory:move", args=[red.uuid]),
        {"location": str(freezer.uuid), "version": red.version},
    )
    assert response.status_code == 400
    red.refresh_from_db()
    assert red.location.display_name("en") == "Fridge 1"


def test_a_stale_move_is_refused(centre, english) -> None:
    red, _plasma = centre.stocked()
    fridge = _second_fridge(centre)
    seen = red.version
    actions.move(by=centre.clerk, component=red, location=fridge)
    original = factories.location(centre.centre, "Fridge 1")
    response = english("inventory_clerk").post(
        reverse("inventory:move", args=[red.uuid]),
        {"location": str(original.uuid), "version": seen},
    )
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    red.refresh_from_db()
    assert red.location == fridge


def test_it_discards_a_unit_with_its_reason(centre, english) -> None:
    red, _plasma = centre.stocked()
    response = english("inventory_clerk").post(
        reverse("inventory:discard", args=[red.uuid]),
        {"reason": "bag_damaged", "note": "Leaking at the port", "version": red.version},
    )
    assert response.status_code == 302
    red.refresh_from_db()
    assert (red.status, red.discard_reason, red.discarded_by) == (
        Status.DISCARDED,
        "bag_damaged",
        centre.clerk,
    )


def test_other_reasons_need_a_note(centre, english) -> None:
    red, _plasma = centre.stocked()
    response = english("inventory_clerk").post(
        reverse("inventory:discard", args=[red.uuid]),
        {"reason": "other", "note": " ", "version": red.version},
    )
    assert response.status_code == 400
    assert "note" in response.context["discard_form"].errors
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE


def test_a_discarded_unit_offers_no_more_actions(centre, english) -> None:
    red, _plasma = centre.stocked()
    actions.discard(by=centre.clerk, component=red, reason="qc_failure")
    page = english("inventory_clerk").get(reverse("inventory:component", args=[red.uuid]))
    assert "discard_form" not in page.context and "move_form" not in page.context
    assert "failed quality control" in page.content.decode()


def test_the_laboratory_cannot_discard_stock(centre, english) -> None:
    red, _plasma = centre.stocked()
    response = english("lab_technician").post(
        reverse("inventory:discard", args=[red.uuid]),
        {"reason": "bag_damaged", "note": "", "version": red.version},
    )
    assert response.status_code == 403
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE

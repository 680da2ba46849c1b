"""Scan-back through the component page (QUALITY T7): the label read back must match the
unit's DIN, group and product code before it enters stock; a stale page is refused."""

from __future__ import annotations

from django.urls import reverse

from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions
from bloodline.inventory.models import StorageLocation
from bloodline.inventory.status import Status


def _post(client, component, location, **scans):
    data = factories.label_scans(component) | scans
    data |= {"location": str(location.uuid), "version": component.version}
    return client.post(reverse("inventory:scan_back", args=[component.uuid]), data)


def _fridge(centre) -> StorageLocation:
    return factories.location(centre.centre, "Fridge 1")


def test_the_page_offers_the_scan_form_first_field_focused(centre, english, labelled) -> None:
    red, _plasma = labelled()
    text = english("inventory_clerk").get(reverse("inventory:component", args=[red.uuid]))
    html = text.content.decode()
    assert "data-scan-form" in html
    assert 'name="din_scan"' in html and "autofocus" in html.split('name="din_scan"')[1][:200]
    assert "inventory/scan.js" in html


def test_correct_scans_put_the_unit_in_stock(centre, english, labelled) -> None:
    red, _plasma = labelled("A", "pos")
    response = _post(english("inventory_clerk"), red, _fridge(centre))
    assert response.status_code == 302
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE
    assert red.location == _fridge(centre)
    assert red.stocked_by == centre.clerk


def test_a_label_with_the_wrong_group_is_refused_and_changes_nothing(
    centre, english, labelled
) -> None:
    red, _plasma = labelled("A", "pos")
    before = red.version
    response = _post(english("inventory_clerk"), red, _fridge(centre), group_scan="=%0600")
    assert response.status_code == 400
    errors = response.context["scan_form"].errors
    assert errors["group_scan"] == ["The blood group on the label is not this unit's."]
    assert "din_scan" not in errors
    red.refresh_from_db()
    assert (red.status, red.stocked_at, red.location, red.version) == (
        Status.RELEASED,
        None,
        None,
        before,
    )


def test_a_wrong_din_and_product_show_at_their_fields(centre, english, labelled) -> None:
    red, plasma = labelled()
    other = factories.label_scans(plasma)
    response = _post(
        english("inventory_clerk"),
        red,
        _fridge(centre),
        din_scan="=G99992612345600",
        product_scan=other["product_scan"],
    )
    errors = response.context["scan_form"].errors
    assert set(errors) == {"din_scan", "product_scan"}
    red.refresh_from_db()
    assert red.status == Status.RELEASED


def test_a_stale_page_is_refused(centre, english, labelled) -> None:
    red, _plasma = labelled()
    stale_version = red.version
    # Someone else acts on the unit after this page was shown.
    actions.move(by=centre.clerk, component=red, location=_fridge(centre))
    red.version = stale_version
    response = _post(english("inventory_clerk"), red, _fridge(centre))
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    red.refresh_from_db()
    assert red.status == Status.RELEASED and red.stocked_at is None


def test_only_suitable_locations_are_offered(centre, english, labelled) -> None:
    _red, plasma = labelled()
    page = english("inventory_clerk").get(reverse("inventory:component", args=[plasma.uuid]))
    offered = dict(page.context["scan_form"].fields["location"].choices).values()
    assert "Freezer 1" in offered
    assert "Fridge 1" not in offered and "Platelet agitator 1" not in offered


def test_a_location_not_offered_is_refused(centre, english, labelled) -> None:
    _red, plasma = labelled()
    response = _post(english("inventory_clerk"), plasma, _fridge(centre))
    assert response.status_code == 400
    assert "location" in response.context["scan_form"].errors
    plasma.refresh_from_db()
    assert plasma.stocked_at is None


def test_people_without_stock_rights_cannot_scan_back(centre, english, labelled) -> None:
    red, _plasma = labelled()
    assert _post(english("lab_technician"), red, _fridge(centre)).status_code == 403
    assert _post(english("hospital_user"), red, _fridge(centre)).status_code == 404
    assert _post(english("cn_establishment_admin"), red, _fridge(centre)).status_code == 404
    red.refresh_from_db()
    assert red.stocked_at is None


def test_a_unit_stocked_meanwhile_by_someone_else_keeps_the_refusal_visible(
    centre, english, labelled
) -> None:
    red, _plasma = labelled()
    seen = red.version
    scans = factories.label_scans(red)
    actions.scan_back(
        by=centre.clerk,
        component=red,
        location=_fridge(centre),
        din_scan=scans["din_scan"],
        group_scan=scans["group_scan"],
        product_scan=scans["product_scan"],
    )
    red.version = seen
    response = _post(english("inventory_clerk"), red, _fridge(centre))
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()

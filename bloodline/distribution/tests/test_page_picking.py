"""Scanning units into a shipment from the order page: only an allocated unit that passes the
gate now goes in; a refused scan says why and adds nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions
from bloodline.distribution.models import Order, ShipmentItem
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component
from bloodline.lib import isbt128

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(login: Any) -> Client:
    client: Client = login("inventory_clerk")
    client.cookies["django_language"] = "en"
    return client


def order_for(centre: Any, abo: str = "O", rhd: str = "pos") -> Order:
    return actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=6),
        lines=[actions.LineRequest("red_cells_additive", abo, rhd, 1)],
    )


def pick_url(order: Order) -> str:
    return reverse("distribution:pick", args=[order.uuid])


def test_it_refuses_to_scan_a_quarantined_unit_and_says_why(centre: Any, desk: Client) -> None:
    order = order_for(centre)
    red, _plasma = inventory.process_donation(
        by=centre.clerk,
        donation=centre.donation(),
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    din = red.donation.din
    response = desk.post(
        pick_url(order),
        {
            "din_scan": f"={din}{isbt128.type3_flag(din)}",
            "product_scan": isbt128.product_code_data(red.product_code, red.division),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "label has not been checked into stock" in page
    assert "has not received this donation" in page
    assert not ShipmentItem.objects.exists()


def test_it_refuses_to_scan_a_unit_that_has_expired(centre: Any, desk: Client) -> None:
    red, _plasma = centre.stocked("O", "pos")
    order = order_for(centre)
    actions.allocate(by=centre.clerk, order=order)
    # The shelf life ran out while the unit waited on its allocation.
    Component.objects.filter(pk=red.pk).update(
        expires_at=red.released_at + dt.timedelta(microseconds=1)
    )
    response = desk.post(pick_url(order), factories.label_scans(red))
    assert "The unit has expired." in response.content.decode()
    assert not ShipmentItem.objects.exists()


def test_it_refuses_a_unit_not_allocated_to_the_order(centre: Any, desk: Client) -> None:
    red, _plasma = centre.stocked("O", "pos")
    order = order_for(centre)
    response = desk.post(pick_url(order), factories.label_scans(red))
    assert "not allocated to this order" in response.content.decode()
    assert not ShipmentItem.objects.exists()


def test_a_scan_with_htmx_answers_the_shipment_part_ready_for_the_next_bag(
    centre: Any, desk: Client
) -> None:
    red, _plasma = centre.stocked("O", "pos")
    order = order_for(centre)
    actions.allocate(by=centre.clerk, order=order)
    response = desk.post(pick_url(order), factories.label_scans(red), HTTP_HX_REQUEST="true")
    part = response.content.decode()
    assert response.status_code == 200
    assert part.startswith('<section id="shipment"') and "<html" not in part
    assert f"Unit {red} is in the shipment." in part
    assert 'name="din_scan" id="id_din_scan" value=""' in part
    assert "autofocus" in part.split('name="din_scan"')[1].split(">")[0]
    assert ShipmentItem.objects.get().component == red


def test_the_product_label_may_be_scanned_first(centre: Any, desk: Client) -> None:
    red, _plasma = centre.stocked("O", "pos")
    order = order_for(centre)
    actions.allocate(by=centre.clerk, order=order)
    scans = factories.label_scans(red)
    # The scanner typed the product code into the focused DIN field and pressed Enter.
    page = desk.post(pick_url(order), {"din_scan": scans["product_scan"]}).content.decode()
    product_input = page.split('name="product_scan"')[1].split(">")[0]
    assert f'value="{escape(scans["product_scan"])}"' in product_input
    assert "autofocus" in page.split('name="din_scan"')[1].split(">")[0]
    assert not ShipmentItem.objects.exists()
    desk.post(
        pick_url(order), {"din_scan": scans["din_scan"], "product_scan": scans["product_scan"]}
    )
    assert ShipmentItem.objects.get().component == red


def test_a_mistyped_din_is_refused_with_the_reason(centre: Any, desk: Client) -> None:
    red, _plasma = centre.stocked("O", "pos")
    order = order_for(centre)
    actions.allocate(by=centre.clerk, order=order)
    din = red.donation.din
    wrong = next(c for c in "0123456789" if c != isbt128.check_character(din))
    response = desk.post(
        pick_url(order),
        {"din_scan": din + wrong, "product_scan": factories.label_scans(red)["product_scan"]},
    )
    assert "The check character does not match" in response.content.decode()
    assert not ShipmentItem.objects.exists()


def test_a_misread_first_scan_is_refused_before_the_second(centre: Any, desk: Client) -> None:
    order = order_for(centre)
    page = desk.post(pick_url(order), {"din_scan": "=G99992600000"}).content.decode()
    assert "A scanned DIN has 16 characters" in page
    assert "autofocus" in page.split('name="din_scan"')[1].split(">")[0]
    assert not ShipmentItem.objects.exists()

"""Allocation from the order page: suggestions best group first, a unit forced by hand is
refused unless compatible, and a page left open while the order changed is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bloodline.collection.models import DonationType
from bloodline.demo.factories import collection
from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions
from bloodline.distribution.models import Allocation, Order, OrderStatus
from bloodline.inventory.status import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(login: Any) -> Client:
    client: Client = login("inventory_clerk")
    client.cookies["django_language"] = "en"
    return client


def order_for(
    centre: Any, product: str, abo: str, rhd: str, quantity: int = 1, **facts: Any
) -> Order:
    return actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=6),
        lines=[actions.LineRequest(product, abo, rhd, quantity, **facts)],
    )


def test_it_refuses_an_incompatible_unit_forced_by_hand(centre: Any, desk: Client) -> None:
    a_red, _plasma = centre.stocked("A", "pos")
    order = order_for(centre, "red_cells_additive", "O", "pos")
    page = desk.get(reverse("distribution:order", args=[order.uuid])).content.decode()
    assert a_red.donation.din not in page  # never suggested
    response = desk.post(
        reverse("distribution:allocate_unit", args=[order.uuid]),
        {"version": order.version, "line": "1", "unit": str(a_red.uuid)},
    )
    assert response.status_code == 200
    assert "A A+ unit is not compatible with a recipient of group O+." in response.content.decode()
    assert not Allocation.objects.exists()
    a_red.refresh_from_db()
    assert a_red.status == Status.AVAILABLE


def test_the_desk_allocates_a_suggested_unit_and_can_take_it_back(
    centre: Any, desk: Client
) -> None:
    o_neg, _plasma = centre.stocked("O", "neg")
    order = order_for(centre, "red_cells_additive", "A", "pos")
    page = desk.get(reverse("distribution:order", args=[order.uuid])).content.decode()
    assert o_neg.donation.din in page and "alternative (rank" in page
    response = desk.post(
        reverse("distribution:allocate_unit", args=[order.uuid]),
        {
            "version": order.version,
            "line": "1",
            "unit": str(o_neg.uuid),
            "unit_version": o_neg.version,
        },
    )
    assert response.status_code == 302
    allocation = Allocation.objects.get()
    assert allocation.component == o_neg and allocation.rank > 0
    order.refresh_from_db()
    response = desk.post(
        reverse("distribution:unallocate", args=[order.uuid]),
        {"version": order.version, "unit": str(o_neg.uuid)},
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    o_neg.refresh_from_db()
    assert allocation.cancelled_at is not None and o_neg.status == Status.AVAILABLE


def test_it_warns_of_anti_d_prophylaxis_for_rhd_positive_platelets(
    centre: Any, desk: Client
) -> None:
    donation = collection.donations(
        collection.donors(1, centre.unit, prefix="Platelet donor"),
        credited_to=centre.unit,
        establishment=centre.centre,
        at=timezone.now() - dt.timedelta(hours=3),
        volume_ml=250,
        donation_type=DonationType.PLATELETS,
    )[0]
    made: list[Any] = factories.stocked(
        donation,
        lab=centre.lab,
        clerk=centre.clerk,
        abo="O",
        rhd="pos",
        recipe="platelets_apheresis",
        volumes={"platelets_apheresis": 250},
    )
    [platelets] = made
    without = order_for(centre, "platelets_apheresis", "O", "neg", recipient_sex="F")
    page = desk.get(reverse("distribution:order", args=[without.uuid])).content.decode()
    assert platelets.donation.din not in page
    assert "RhD-negative platelets only: the recipient may bear children" in page
    order = order_for(
        centre, "platelets_apheresis", "O", "neg", recipient_sex="F", anti_d_prophylaxis=True
    )
    url = reverse("distribution:order", args=[order.uuid])
    page = desk.get(url).content.decode()
    assert platelets.donation.din in page and "give anti-D prophylaxis" in page
    assert "Anti-D prophylaxis: the recipient may bear children" in page
    desk.post(reverse("distribution:allocate", args=[order.uuid]), {"version": order.version})
    allocation = Allocation.objects.get()
    assert allocation.component == platelets
    assert "give anti-D prophylaxis" in desk.get(url).content.decode()


def test_it_refuses_a_button_pressed_on_a_page_older_than_the_order(
    centre: Any, desk: Client
) -> None:
    centre.stocked("O", "pos")
    centre.stocked("O", "pos")
    order = order_for(centre, "red_cells_additive", "O", "pos", quantity=2)
    seen = order.version
    # Someone else allocates one unit by hand meanwhile.
    unit = actions.candidates(order.lines.get())[0][0]
    actions.allocate_unit(by=centre.second, line=order.lines.get(), component=unit)
    response = desk.post(reverse("distribution:allocate", args=[order.uuid]), {"version": seen})
    assert "Someone else changed this record" in response.content.decode()
    assert Allocation.objects.count() == 1
    response = desk.post(reverse("distribution:cancel", args=[order.uuid]), {"version": seen})
    assert "Someone else changed this record" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_allocate_suggested_units_fills_every_open_line(centre: Any, desk: Client) -> None:
    centre.stocked("O", "pos")
    order = order_for(centre, "red_cells_additive", "O", "pos")
    response = desk.post(
        reverse("distribution:allocate", args=[order.uuid]), {"version": order.version}, follow=True
    )
    assert "1 unit allocated." in response.content.decode()
    assert Allocation.objects.filter(line__order=order).count() == 1

"""Dispatch from the order page: the count packed must equal the count scanned, and every unit
passes the gate again at that moment; otherwise nothing leaves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions
from bloodline.distribution.models import Order, OrderStatus
from bloodline.inventory.status import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(login: Any) -> Client:
    client: Client = login("inventory_clerk")
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def packed(centre: Any) -> tuple[Order, Any]:
    """An order whose one red-cell unit is allocated and scanned into the shipment."""
    red, _plasma = centre.stocked("O", "pos")
    order = actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="urgent",
        needed_by=timezone.now() + dt.timedelta(hours=2),
        lines=[actions.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    actions.allocate(by=centre.clerk, order=order)
    scans = factories.label_scans(red)
    actions.pick(
        by=centre.clerk,
        order=order,
        din_scan=scans["din_scan"],
        product_scan=scans["product_scan"],
    )
    order.refresh_from_db()
    return order, red


def test_it_refuses_to_dispatch_when_the_count_packed_differs_from_the_scans(
    packed: tuple[Order, Any], desk: Client
) -> None:
    order, red = packed
    response = desk.post(
        reverse("distribution:dispatch", args=[order.uuid]),
        {"version": order.version, "packed_count": "2"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 units packed but 1 scanned: reconcile before dispatch." in page
    order.refresh_from_db()
    red.refresh_from_db()
    assert order.status == OrderStatus.PLACED and red.status == Status.RESERVED
    assert order.shipment.dispatched_at is None


def test_the_dispatch_form_keeps_the_count_typed_when_refused(
    packed: tuple[Order, Any], desk: Client
) -> None:
    order, _red = packed
    page = desk.post(
        reverse("distribution:dispatch", args=[order.uuid]),
        {"version": order.version, "packed_count": "3"},
    ).content.decode()
    assert 'name="packed_count" value="3"' in page


def test_a_matching_count_dispatches_and_issues_the_unit(
    packed: tuple[Order, Any], desk: Client
) -> None:
    order, red = packed
    response = desk.post(
        reverse("distribution:dispatch", args=[order.uuid]),
        {"version": order.version, "packed_count": "1"},
        follow=True,
    )
    assert "Dispatched: 1 unit packed and scanned." in response.content.decode()
    red.refresh_from_db()
    assert red.status == Status.ISSUED


def test_a_second_dispatch_from_a_stale_page_is_refused_in_plain_sight(
    packed: tuple[Order, Any], desk: Client
) -> None:
    order, _red = packed
    url = reverse("distribution:dispatch", args=[order.uuid])
    desk.post(url, {"version": order.version, "packed_count": "1"})
    again = desk.post(url, {"version": order.version, "packed_count": "1"})
    page = again.content.decode()
    assert "Someone else changed this record" in page
    assert 'role="alert"' in page

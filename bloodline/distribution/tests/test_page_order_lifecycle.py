"""A hospital orders red cells, the desk allocates, scans, dispatches, the hospital receives
and reports the transfusion: every step through the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from bloodline.demo.factories import distribution as factories
from bloodline.distribution.models import Order, OrderStatus, ShipmentItem
from bloodline.inventory.status import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(login: Any) -> Any:
    def as_persona(username: str) -> Client:
        client: Client = login(username)
        client.cookies["django_language"] = "en"
        return client

    return as_persona


def order_form(centre: Any, **lines: str) -> dict[str, str]:
    data = {
        "hospital": str(centre.hospital.uuid),
        "supplier": str(centre.centre.uuid),
        "urgency": "urgent",
        "needed_by": "2030-03-01T10:30",
        "note": "Ca mổ 14:00",
        "lines-TOTAL_FORMS": "4",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
    }
    for n in range(4):  # blank lines as the browser sends them
        data |= {f"lines-{n}-quantity": "1"}
    return data | lines


def test_an_order_goes_from_the_hospital_to_a_transfusion_through_the_pages(
    centre: Any, english: Any
) -> None:
    red, _plasma = centre.stocked("O", "pos")
    hospital, desk = english("hospital_user"), english("inventory_clerk")

    page = hospital.get(reverse("distribution:new")).content.decode()
    assert "red cells in additive solution" in page and 'value="unknown"' in page
    response = hospital.post(
        reverse("distribution:new"),
        order_form(
            centre,
            **{
                "lines-0-product": "red_cells_additive",
                "lines-0-abo": "O",
                "lines-0-rhd": "pos",
                "lines-0-quantity": "1",
            },
        ),
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("distribution:order", args=[order.uuid])
    # Typed as the hospital's wall clock (Vietnam, UTC+7), whatever the server's zone.
    assert order.needed_by == dt.datetime(2030, 3, 1, 10, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert order.lines.count() == 1 and order.urgency == "urgent"

    url = reverse("distribution:order", args=[order.uuid])
    page = desk.get(url).content.decode()
    assert red.donation.din in page and "Allocate this unit" in page
    response = desk.post(
        reverse("distribution:allocate", args=[order.uuid]), {"version": order.version}
    )
    assert response.status_code == 302
    red.refresh_from_db()
    assert red.status == Status.RESERVED

    scans = factories.label_scans(red)
    pick = reverse("distribution:pick", args=[order.uuid])
    waiting = desk.post(pick, {"din_scan": scans["din_scan"]}).content.decode()
    assert f'value="{scans["din_scan"]}"' in waiting
    assert 'name="product_scan"' in waiting and not ShipmentItem.objects.exists()
    response = desk.post(
        pick, {"din_scan": scans["din_scan"], "product_scan": scans["product_scan"]}
    )
    assert response.status_code == 302 and ShipmentItem.objects.count() == 1

    order.refresh_from_db()
    response = desk.post(
        reverse("distribution:dispatch", args=[order.uuid]),
        {"version": order.version, "packed_count": "1"},
    )
    assert response.status_code == 302
    red.refresh_from_db()
    assert red.status == Status.ISSUED and red.issued_to == centre.hospital

    response = hospital.post(
        reverse("distribution:receive", args=[order.uuid]), {"received_count": "1"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    page = hospital.get(url).content.decode()
    assert "What became of" in page
    response = hospital.post(
        reverse("distribution:outcome", args=[order.uuid]),
        {"unit": str(red.uuid), "outcome": "transfused", "cold_chain_ok": "", "note": ""},
    )
    assert response.status_code == 302
    red.refresh_from_db()
    assert red.status == Status.TRANSFUSED
    page = hospital.get(url).content.decode()
    assert "transfused" in page and 'name="outcome"' not in page


def test_a_return_needs_the_cold_chain_answer_and_a_discard_its_reason(
    centre: Any, english: Any
) -> None:
    from django.utils import timezone

    from bloodline.distribution import actions

    red, _plasma = centre.stocked("O", "pos")
    order = actions.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[actions.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    actions.allocate(by=centre.clerk, order=order)
    scans = factories.label_scans(red)
    actions.pick(
        by=centre.clerk, order=order, din_scan=scans["din_scan"], product_scan=scans["product_scan"]
    )
    actions.dispatch(by=centre.clerk, order=order, packed_count=1)
    hospital = english("hospital_user")
    outcome = reverse("distribution:outcome", args=[order.uuid])
    wrong_count = hospital.post(
        reverse("distribution:receive", args=[order.uuid]), {"received_count": "2"}
    )
    assert "call the blood establishment before accepting" in wrong_count.content.decode()
    hospital.post(reverse("distribution:receive", args=[order.uuid]), {"received_count": "1"})
    page = hospital.post(outcome, {"unit": str(red.uuid), "outcome": "returned"})
    assert "Say whether the cold chain was kept." in page.content.decode()
    page = hospital.post(outcome, {"unit": str(red.uuid), "outcome": "discarded", "note": " "})
    assert "Say why the unit was discarded." in page.content.decode()
    red.refresh_from_db()
    assert red.status == Status.ISSUED
    hospital.post(outcome, {"unit": str(red.uuid), "outcome": "returned", "cold_chain_ok": "yes"})
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE  # back on the centre's shelf

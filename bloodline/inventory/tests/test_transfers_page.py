"""Transfers between establishments: units scanned into a transfer, received at the other end."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bloodline.demo.factories import distribution as factories
from bloodline.inventory.forms import UnitScan, parse_unit_line
from bloodline.inventory.models import Transfer
from bloodline.inventory.status import Status
from bloodline.lib import isbt128
from bloodline.lib.querycount import assert_flat, counted

URL = reverse("inventory:transfers")


def _line(component) -> str:
    scans = factories.label_scans(component)
    return f"{scans['din_scan']}{scans['product_scan']}"


def _send(client, destination, lines, number="T-001"):
    return client.post(
        URL, {"destination": str(destination.uuid), "number": number, "units": "\n".join(lines)}
    )


def test_it_offers_the_other_establishments_of_the_country(centre, english, demo) -> None:
    page = english("inventory_clerk").get(URL)
    offered = set(page.context["form"].destinations.values())
    nodes = demo.nodes
    assert {nodes["vn_point"], nodes["vn_station"], nodes["vn_hospital_bank"]} <= offered
    assert centre.centre not in offered
    assert not any(o.path.startswith(nodes["cn"].path) for o in offered)


def test_scanned_units_are_sent_and_reserved(centre, english, demo) -> None:
    red, plasma = centre.stocked()
    station = demo.nodes["vn_station"]
    response = _send(english("inventory_clerk"), station, [_line(red), _line(plasma)])
    assert response.status_code == 302
    transfer = Transfer.objects.get(number="T-001")
    assert (transfer.source, transfer.destination) == (centre.centre, station)
    assert set(transfer.components.all()) == {red, plasma}
    red.refresh_from_db()
    assert red.status == Status.RESERVED and red.establishment == centre.centre


def test_a_unit_not_held_here_is_named_and_nothing_is_sent(centre, english, demo) -> None:
    red, _plasma = centre.stocked()
    unknown = f"=G99992699999900 =<{red.product_code}V00"
    page = _send(english("inventory_clerk"), demo.nodes["vn_station"], [_line(red), unknown])
    assert page.status_code == 400
    assert "is not held here" in " ".join(page.context["form"].errors["units"])
    assert not Transfer.objects.exists()
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE


def test_a_unit_not_available_is_refused(centre, english, demo, released) -> None:
    red, _plasma = released()
    page = _send(english("inventory_clerk"), demo.nodes["vn_station"], [_line(red)])
    assert page.status_code == 400
    assert "is not available stock here" in " ".join(page.context["form"].errors["units"])
    assert not Transfer.objects.exists()


def test_a_garbled_line_is_pointed_at(centre, english, demo) -> None:
    red, _plasma = centre.stocked()
    page = _send(english("inventory_clerk"), demo.nodes["vn_station"], [_line(red), "hello"])
    assert page.status_code == 400
    assert any(e.startswith("Line 2:") for e in page.context["form"].errors["units"])


def test_the_destination_receives_the_units(centre, english, demo) -> None:
    red, _plasma = centre.stocked()
    point = demo.nodes["vn_point"]
    client = english("inventory_clerk")
    _send(client, point, [_line(red)])
    transfer = Transfer.objects.get()
    page = client.get(URL, {"establishment": str(point.uuid)})
    receive = reverse("inventory:transfer_receive", args=[transfer.uuid])
    assert receive in page.content.decode()
    assert client.post(receive).status_code == 302
    red.refresh_from_db()
    transfer.refresh_from_db()
    assert red.establishment == point and red.status == Status.AVAILABLE
    assert transfer.received_by == centre.clerk


def test_the_sender_cannot_receive_for_another_establishment(centre, english, demo) -> None:
    red, _plasma = centre.stocked()
    client = english("inventory_clerk")
    _send(client, demo.nodes["vn_station"], [_line(red)])
    transfer = Transfer.objects.get()
    assert (
        client.post(reverse("inventory:transfer_receive", args=[transfer.uuid])).status_code == 404
    )
    transfer.refresh_from_db()
    assert transfer.received_at is None


@pytest.mark.parametrize(("persona", "status"), [("hospital_user", 403), ("drive_nurse", 403)])
def test_the_transfers_page_is_for_stock_staff(centre, english, persona, status) -> None:
    assert english(persona).get(URL).status_code == status


def test_the_laboratory_sees_transfers_but_cannot_send(centre, english, demo) -> None:
    red, _plasma = centre.stocked()
    client = english("lab_technician")
    page = client.get(URL)
    assert page.status_code == 200 and page.context["form"] is None
    assert _send(client, demo.nodes["vn_station"], [_line(red)]).status_code == 403
    assert not Transfer.objects.exists()


@pytest.mark.parametrize(
    "line",
    [
        "=G99992600001261=<D0001V00",
        "=G99992600001261 =<D0001V00",
        "G9999 26 000012 {check} D0001",
        "G999926000012{check} D0001 00",
        "G999926000012 D0001",
    ],
)
def test_a_line_is_read_as_scanned_or_as_typed(line) -> None:
    din = "G999926000012"
    text = line.replace("{check}", isbt128.check_character(din))
    if text.startswith("="):
        text = text.replace("=G99992600001261", f"={din}{isbt128.type3_flag(din)}")
    assert parse_unit_line(text) == UnitScan(din, "D0001", "00")


def test_a_din_and_product_scanned_one_after_the_other_make_one_unit(centre, english, demo) -> None:
    red, plasma = centre.stocked()
    lines = []
    for unit in (red, plasma):
        scans = factories.label_scans(unit)
        lines += [scans["din_scan"], scans["product_scan"]]
    response = _send(english("inventory_clerk"), demo.nodes["vn_station"], lines)
    assert response.status_code == 302
    assert set(Transfer.objects.get().components.all()) == {red, plasma}


def test_a_divided_unit_keeps_its_division() -> None:
    assert parse_unit_line("G999926000012 D0001 Ab").division == "Ab"


def test_the_transfer_list_takes_the_same_queries_for_ten_times_the_transfers(
    centre, english, demo
) -> None:
    client = english("inventory_clerk")
    units = [u for abo in ("O", "A", "B", "AB", "O") for u in centre.stocked(abo, "pos")]
    places = [demo.nodes["vn_station"], demo.nodes["vn_point"]]
    _send(client, places[0], [_line(units[0])], number="T-1")
    client.get(URL)
    with counted() as few:
        client.get(URL)
    for n, unit in enumerate(units[1:], start=2):
        _send(client, places[n % 2], [_line(unit)], number=f"T-{n}")
    with counted() as many:
        page = client.get(URL)
    assert_flat(few, many, sizes=(1, 10))
    assert len(few) <= 20
    assert len(page.context["rows"]) == 10

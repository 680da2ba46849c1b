"""The distribution API: a hospital orders, the desk allocates, scans and dispatches, the
hospital receives and reports each unit's outcome; scope and refusals as in the actions."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import Order, OrderStatus, Shipment, ShipmentItem
from bloodline.inventory import actions as inventory
from bloodline.inventory.status import Status
from bloodline.lib import isbt128
from bloodline.lib.querycount import assert_flat, counted


@pytest.fixture
def api(login):
    """A signed-in persona's API client, answered in English (people's saved language is
    Vietnamese; an API client's Accept-Language wins over it)."""
    return lambda persona: login(persona, HTTP_ACCEPT_LANGUAGE="en")


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _detail(response):
    return {tuple(d["loc"]): d["msg"] for d in response.json()["detail"]}


def _order_body(centre, **changes):
    return {
        "hospital": str(centre.hospital.uuid),
        "supplier": str(centre.centre.uuid),
        "urgency": "urgent",
        "needed_by": (timezone.now() + dt.timedelta(hours=6)).isoformat(),
        "note": "Ca mổ lúc 14 giờ",
        "lines": [
            {"component_code": "red_cells_additive", "abo": "A", "rhd": "pos", "quantity": 1}
        ],
        **changes,
    }


def _placed(centre, abo="A", rhd="pos", quantity=1):
    return distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[distribution.LineRequest("red_cells_additive", abo, rhd, quantity)],
    )


def _scans(unit):
    scans = factories.label_scans(unit)
    return {"din_scan": scans["din_scan"], "product_scan": scans["product_scan"]}


def test_the_distribution_paths_are_in_the_schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert {
        "/api/v1/distribution/orders",
        "/api/v1/distribution/orders/{public_id}",
        "/api/v1/distribution/orders/{public_id}/allocate",
        "/api/v1/distribution/orders/{public_id}/pick",
        "/api/v1/distribution/orders/{public_id}/dispatch",
        "/api/v1/distribution/orders/{public_id}/receive",
        "/api/v1/distribution/orders/{public_id}/shipment",
        "/api/v1/distribution/shipment-items/{component_id}/outcome",
    } <= set(response.json()["paths"])


# Placing orders -----------------------------------------------------------------------------


def test_a_hospital_places_an_order(centre, api):
    response = _post(api("hospital_user"), "/api/v1/distribution/orders", _order_body(centre))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["urgency"], body["version"]) == ("placed", "urgent", 1)
    assert body["hospital"]["uuid"] == str(centre.hospital.uuid)
    assert body["supplier"]["uuid"] == str(centre.centre.uuid)
    [line] = body["lines"]
    assert (line["component_code"], line["abo"], line["rhd"], line["quantity"]) == (
        "red_cells_additive",
        "A",
        "pos",
        1,
    )
    assert line["allocated"] == []
    assert Order.objects.get(uuid=body["uuid"]).number == body["number"]


def test_a_time_without_an_offset_is_read_at_the_hospital(centre, api):
    zone = ZoneInfo(centre.hospital.effective_time_zone())
    tomorrow = timezone.localtime(timezone.now(), zone) + dt.timedelta(days=1)
    body = _order_body(centre, needed_by=f"{tomorrow:%Y-%m-%d}T14:00:00")
    response = _post(api("hospital_user"), "/api/v1/distribution/orders", body)
    assert response.status_code == 201, response.content
    order = Order.objects.get(uuid=response.json()["uuid"])
    assert timezone.localtime(order.needed_by, zone).hour == 14


def test_a_bad_order_answers_422_at_the_fields_and_saves_nothing(centre, api):
    client = api("hospital_user")
    body = _order_body(
        centre,
        urgency="whenever",
        lines=[{"component_code": "unicorn_milk", "abo": "A", "rhd": "pos", "quantity": 1}],
    )
    response = _post(client, "/api/v1/distribution/orders", body)
    assert response.status_code == 422
    assert _detail(response) == {("body", "urgency"): "Choose the urgency."}
    lines = _post(client, "/api/v1/distribution/orders", {**body, "urgency": "routine"})
    assert _detail(lines) == {
        ("body", "lines"): "Line 1: choose a product this establishment supplies."
    }
    unknown = _order_body(centre, supplier="00000000-0000-0000-0000-000000000000")
    assert _detail(_post(client, "/api/v1/distribution/orders", unknown)) == {
        ("body", "supplier"): "Choose a blood centre or blood station."
    }
    missing = _post(client, "/api/v1/distribution/orders", {"hospital": str(centre.hospital.uuid)})
    assert missing.status_code == 422
    assert {d["type"] for d in missing.json()["detail"]} == {"missing"}
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("inventory_clerk", 404), ("cn_establishment_admin", 404), ("lab_technician", 404)],
)
def test_only_a_hospital_places_its_orders(centre, api, persona, expected):
    response = _post(api(persona), "/api/v1/distribution/orders", _order_body(centre))
    assert response.status_code == expected
    assert not Order.objects.exists()


# Seeing orders ------------------------------------------------------------------------------


def test_hospital_and_desk_see_the_orders_they_are_party_to(centre, api):
    order = _placed(centre)
    for persona in ("hospital_user", "inventory_clerk", "establishment_admin"):
        listed = api(persona).get("/api/v1/distribution/orders").json()
        assert [o["uuid"] for o in listed["items"]] == [str(order.uuid)], persona
    for persona in ("cn_establishment_admin", "lab_technician", "drive_nurse"):
        assert api(persona).get("/api/v1/distribution/orders").json()["items"] == [], persona


def test_an_order_is_found_by_uuid_or_by_number(centre, api):
    order = _placed(centre)
    client = api("hospital_user")
    by_uuid = client.get(f"/api/v1/distribution/orders/{order.uuid}")
    by_number = client.get(f"/api/v1/distribution/orders/{order.number}")
    assert by_uuid.status_code == by_number.status_code == 200
    assert by_uuid.json() == by_number.json()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("cn_establishment_admin", 404),  # sees neither the hospital nor the centre
        ("lab_technician", 403),  # sees the centre, does not fulfil orders
        ("inventory_clerk", 200),
        ("hospital_user", 200),
    ],
)
def test_one_order_is_shown_to_its_parties(centre, api, persona, expected):
    order = _placed(centre)
    assert api(persona).get(f"/api/v1/distribution/orders/{order.uuid}").status_code == expected


def test_the_order_list_takes_the_same_queries_for_ten_times_the_orders(centre, api):
    client = api("inventory_clerk")

    def allocated_orders(n):
        for i in range(n):
            abo = ("A", "B", "AB", "O")[i % 4]
            centre.stocked(abo, "pos")
            distribution.allocate(by=centre.clerk, order=_placed(centre, abo=abo))

    allocated_orders(1)
    client.get("/api/v1/distribution/orders")  # session and language settle
    with counted() as few:
        client.get("/api/v1/distribution/orders")
    allocated_orders(9)
    with counted() as many:
        response = client.get("/api/v1/distribution/orders")
    assert_flat(few, many, sizes=(1, 10))
    assert len(few) <= 9
    items = response.json()["items"]
    assert len(items) == 10 and all(len(o["lines"][0]["allocated"]) == 1 for o in items)


# From the desk to the bedside ---------------------------------------------------------------


def test_a_unit_goes_from_the_shelf_to_the_bedside_through_the_api(centre, api):
    red, _plasma = centre.stocked("O", "pos")
    hospital, desk = api("hospital_user"), api("inventory_clerk")
    order = _post(hospital, "/api/v1/distribution/orders", _order_body(centre)).json()
    base = f"/api/v1/distribution/orders/{order['uuid']}"

    allocated = _post(desk, f"{base}/allocate", {"version": order["version"]})
    assert allocated.status_code == 200, allocated.content
    [unit] = allocated.json()["lines"][0]["allocated"]
    assert (unit["component"], unit["din"], unit["group"]) == (
        str(red.uuid),
        red.donation.din,
        "O+",
    )

    picked = _post(desk, f"{base}/pick", _scans(red))
    assert picked.status_code == 201, picked.content
    assert picked.json()["scanned_count"] == 1 and picked.json()["dispatched_at"] is None

    version = desk.get(base).json()["version"]
    dispatched = _post(desk, f"{base}/dispatch", {"packed_count": 1, "version": version})
    assert dispatched.status_code == 200, dispatched.content
    assert dispatched.json()["dispatched_at"] and dispatched.json()["packed_count"] == 1
    red.refresh_from_db()
    assert red.status == Status.ISSUED and red.issued_to == centre.hospital

    received = _post(hospital, f"{base}/receive", {"received_count": 1})
    assert received.status_code == 200, received.content
    assert hospital.get(base).json()["status"] == "received"

    outcome = _post(
        hospital,
        f"/api/v1/distribution/shipment-items/{red.uuid}/outcome",
        {"outcome": "transfused"},
    )
    assert outcome.status_code == 200, outcome.content
    assert outcome.json()["outcome"] == "transfused" and outcome.json()["din"] == red.donation.din
    red.refresh_from_db()
    assert red.status == Status.TRANSFUSED

    shipment = hospital.get(f"{base}/shipment").json()
    assert [i["outcome"] for i in shipment["items"]] == ["transfused"]
    assert red.donation.donor.full_name not in json.dumps(shipment, ensure_ascii=False)


def test_picking_a_quarantined_unit_is_refused_and_nothing_is_added(centre, api):
    centre.stocked("O", "pos")
    order = _placed(centre)
    distribution.allocate(by=centre.clerk, order=order)
    quarantined, _plasma = inventory.process_donation(
        by=centre.clerk,
        donation=centre.donation(),
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    din = quarantined.donation.din
    scans = {
        "din_scan": f"={din}{isbt128.type3_flag(din)}",
        "product_scan": isbt128.product_code_data(quarantined.product_code),
    }
    response = _post(
        api("inventory_clerk"), f"/api/v1/distribution/orders/{order.uuid}/pick", scans
    )
    assert response.status_code == 422
    messages = [d["msg"] for d in response.json()["detail"]]
    assert {tuple(d["loc"]) for d in response.json()["detail"]} == {("body", "din_scan")}
    assert "The unit's label has not been checked into stock." in messages
    assert not ShipmentItem.objects.exists() and not Shipment.objects.exists()
    quarantined.refresh_from_db()
    assert quarantined.status == Status.QUARANTINED


def test_a_stale_version_is_refused_at_allocation_and_dispatch(centre, api):
    red, _plasma = centre.stocked("A", "pos")
    order = _placed(centre)
    desk = api("inventory_clerk")
    base = f"/api/v1/distribution/orders/{order.uuid}"
    stale = _post(desk, f"{base}/allocate", {"version": order.version + 1})
    assert stale.status_code == 409
    assert list(_detail(stale)) == [("body", "version")]
    assert desk.get(base).json()["lines"][0]["allocated"] == []

    _post(desk, f"{base}/allocate", {"version": order.version})
    _post(desk, f"{base}/pick", _scans(red))
    late = _post(desk, f"{base}/dispatch", {"packed_count": 1, "version": order.version})
    assert late.status_code == 409 and list(_detail(late)) == [("body", "version")]
    red.refresh_from_db()
    assert red.issued_at is None


def test_dispatch_reconciles_packed_and_scanned_counts(centre, api):
    red, _plasma = centre.stocked("A", "pos")
    order = _placed(centre)
    desk = api("inventory_clerk")
    base = f"/api/v1/distribution/orders/{order.uuid}"
    _post(desk, f"{base}/allocate", {"version": 1})
    _post(desk, f"{base}/pick", _scans(red))
    version = desk.get(base).json()["version"]
    response = _post(desk, f"{base}/dispatch", {"packed_count": 2, "version": version})
    assert response.status_code == 422
    assert _detail(response) == {
        ("body", "packed_count"): "2 units packed but 1 scanned: reconcile before dispatch."
    }


# Who may do what ----------------------------------------------------------------------------


def test_the_hospital_cannot_fulfil_and_the_desk_cannot_receive(centre, api):
    red, _plasma = centre.stocked("A", "pos")
    order = _placed(centre)
    base = f"/api/v1/distribution/orders/{order.uuid}"
    hospital, desk = api("hospital_user"), api("inventory_clerk")
    assert _post(hospital, f"{base}/allocate", {"version": 1}).status_code == 403
    assert _post(desk, f"{base}/allocate", {"version": 1}).status_code == 200
    assert _post(hospital, f"{base}/pick", _scans(red)).status_code == 403
    _post(desk, f"{base}/pick", _scans(red))
    version = desk.get(base).json()["version"]
    dispatch = {"packed_count": 1, "version": version}
    assert _post(hospital, f"{base}/dispatch", dispatch).status_code == 403
    assert _post(desk, f"{base}/dispatch", dispatch).status_code == 200
    assert _post(desk, f"{base}/receive", {"received_count": 1}).status_code == 403
    assert _post(hospital, f"{base}/receive", {"received_count": 1}).status_code == 200
    outcome_url = f"/api/v1/distribution/shipment-items/{red.uuid}/outcome"
    assert _post(desk, outcome_url, {"outcome": "transfused"}).status_code == 403
    assert api("cn_establishment_admin").get(base).status_code == 404
    assert (
        _post(api("cn_establishment_admin"), outcome_url, {"outcome": "transfused"}).status_code
        == 404
    )
    red.refresh_from_db()
    assert red.status == Status.ISSUED


def test_an_outcome_needs_its_facts(centre, api):
    red, _plasma = centre.stocked("A", "pos")
    order = _placed(centre)
    distribution.allocate(by=centre.clerk, order=order)
    distribution.pick(by=centre.clerk, order=order, **_scans(red))
    distribution.dispatch(by=centre.clerk, order=order, packed_count=1)
    distribution.receive(by=centre.hospital_user, order=order, received_count=1)
    url = f"/api/v1/distribution/shipment-items/{red.uuid}/outcome"
    hospital = api("hospital_user")
    returned = _post(hospital, url, {"outcome": "returned"})
    assert _detail(returned) == {("body", "cold_chain_ok"): "Say whether the cold chain was kept."}
    kept = _post(hospital, url, {"outcome": "returned", "cold_chain_ok": True})
    assert kept.status_code == 200, kept.content
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE  # back on the centre's shelf
    # Back on the shelf, the unit is in no live shipment: nothing to report on.
    assert _post(hospital, url, {"outcome": "transfused"}).status_code == 404


def test_a_shipment_not_yet_started_answers_404(centre, api):
    order = _placed(centre)
    response = api("hospital_user").get(f"/api/v1/distribution/orders/{order.uuid}/shipment")
    assert response.status_code == 404
    assert order.status == OrderStatus.PLACED

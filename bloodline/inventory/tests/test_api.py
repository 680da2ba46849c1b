"""The stock API: available units by product and group with their expiry bands, and one
unit, scoped like the stock pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from bloodline.distribution import actions as distribution
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, StockThreshold
from bloodline.lib.querycount import assert_flat, counted


@pytest.fixture
def api(login):
    """A signed-in persona's API client, answered in English (people's saved language is
    Vietnamese; an API client's Accept-Language wins over it)."""
    return lambda persona: login(persona, HTTP_ACCEPT_LANGUAGE="en")


def _stock(client, centre, **filters):
    return client.get("/api/v1/stock/", {"establishment": str(centre.centre.uuid), **filters})


def _row(body, component_code, abo, rhd):
    [row] = [
        r
        for r in body["rows"]
        if (r["component_code"], r["abo"], r["rhd"]) == (component_code, abo, rhd)
    ]
    return row


def _bands(row):
    return [band["units"] for band in row["expiring"]]


def _expire(unit):
    # Test data: the earliest expiry its release allows (a unit is released before it expires).
    Component.objects.filter(pk=unit.pk).update(
        expires_at=F("released_at") + dt.timedelta(microseconds=1)
    )


def test_the_stock_paths_are_in_the_schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert {"/api/v1/stock/", "/api/v1/stock/units/{public_id}"} <= set(response.json()["paths"])


def test_stock_counts_available_units_by_product_and_group(centre, api):
    centre.stocked("O", "pos")
    centre.stocked("O", "pos")
    centre.stocked("A", "neg")
    response = _stock(api("inventory_clerk"), centre)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["establishment"] == str(centre.centre.uuid) and body["total"] == 6
    o_pos = _row(body, "red_cells_additive", "O", "pos")
    assert (o_pos["available"], o_pos["group"]) == (2, "O+")
    assert _bands(o_pos) == [0, 0, 0, 2]
    assert _row(body, "plasma_fresh_frozen", "A", "neg")["available"] == 1
    assert _row(body, "red_cells_additive", "A", "neg")["group"] == "A−"


def test_units_are_banded_by_days_to_expiry(centre, api):
    units = [centre.stocked("B", "pos")[0] for _ in range(4)]
    now = timezone.now()
    for unit, hours in zip(units, (12, 48, 120, 24 * 30), strict=True):
        # Test data: expiries brought forward, as a processing step (opening, thawing) would.
        Component.objects.filter(pk=unit.pk).update(expires_at=now + dt.timedelta(hours=hours))
    body = _stock(api("inventory_clerk"), centre, component_code="red_cells_additive").json()
    [row] = body["rows"]
    assert _bands(row) == [1, 1, 1, 1]
    assert [b["up_to_days"] for b in row["expiring"]] == [1, 3, 7, None]
    assert [u["uuid"] for u in body["expiring_soon"]] == [str(units[0].uuid)]


def test_reserved_quarantined_and_expired_units_are_not_available(centre, api):
    _red, plasma = centre.stocked("AB", "pos")
    _expire(plasma)
    centre.stocked("AB", "pos")  # a second red-cell unit, and plasma
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[distribution.LineRequest("red_cells_additive", "AB", "pos", 1)],
    )
    assert len(distribution.allocate(by=centre.clerk, order=order)) == 1  # one red cell reserved
    inventory.process_donation(
        by=centre.clerk,
        donation=centre.donation(),
        recipe="red_cells_plasma",
        volumes={"red_cells_additive": 250, "plasma_fresh_frozen": 200},
    )
    body = _stock(api("inventory_clerk"), centre).json()
    assert body["total"] == 2
    available = [r for r in body["rows"] if r["available"]]
    assert [(r["component_code"], r["group"], r["available"]) for r in available] == [
        ("plasma_fresh_frozen", "AB+", 1),
        ("red_cells_additive", "AB+", 1),
    ]
    assert sum(r["quarantined"] for r in body["rows"]) == 2  # shown apart, never as stock


def test_days_of_supply_are_read_against_the_threshold(centre, api):
    centre.stocked("O", "pos")
    centre.stocked("O", "pos")
    StockThreshold.objects.create(
        establishment=centre.centre,
        component_kind="red_cells",
        abo="O",
        rhd="pos",
        daily_use=Decimal(2),
        minimum_days=Decimal(3),
        critical_days=Decimal(1),
    )
    body = _stock(api("inventory_clerk"), centre).json()
    [red] = [s for s in body["supply"] if s["component_kind"] == "red_cells"]
    assert (red["group"], red["available"], red["days"], red["level"]) == (
        "O+",
        2,
        "1.0",
        "shortage",
    )


def test_stock_is_filtered_by_product_and_group(centre, api):
    centre.stocked("O", "pos")
    centre.stocked("A", "neg")
    client = api("inventory_clerk")
    body = _stock(client, centre, component_code="red_cells_additive", abo="A", rhd="neg").json()
    assert [(r["component_code"], r["abo"], r["rhd"]) for r in body["rows"]] == [
        ("red_cells_additive", "A", "neg")
    ]
    bad = _stock(client, centre, abo="Z")
    assert bad.status_code == 422
    [error] = bad.json()["detail"]
    assert error["loc"] == ["query", "abo"] and error["type"] == "literal_error"


def test_the_stock_table_takes_the_same_queries_for_ten_times_the_donations(centre, api):
    client = api("inventory_clerk")
    centre.stocked("O", "pos")
    _stock(client, centre)  # session and language settle on the first request
    with counted() as few:
        _stock(client, centre)
    for abo in ("A", "B", "AB", "O", "A", "B", "AB", "O", "A"):
        centre.stocked(abo, "neg")
    with counted() as many:
        response = _stock(client, centre)
    assert_flat(few, many, sizes=(1, 10))
    assert len(few) <= 7
    assert len(response.json()["rows"]) == 10


def test_the_establishment_is_required(centre, api):
    response = api("inventory_clerk").get("/api/v1/stock/")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "establishment"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("hospital_user", 404),
        ("cn_establishment_admin", 404),
        ("drive_nurse", 403),  # sees the centre, not its stock
        ("lab_technician", 200),
        ("inventory_clerk", 200),
    ],
)
def test_stock_is_shown_within_scope(centre, api, persona, expected):
    red, _plasma = centre.stocked("O", "neg")
    client = api(persona)
    assert _stock(client, centre).status_code == expected
    assert client.get(f"/api/v1/stock/units/{red.uuid}").status_code == expected


def test_one_unit_shows_its_identity_status_and_place(centre, api):
    red, _plasma = centre.stocked("O", "neg")
    response = api("inventory_clerk").get(f"/api/v1/stock/units/{red.uuid}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["din"] == red.donation.din
    assert (body["product_code"], body["division"]) == (red.product_code, "00")
    assert (body["status"], body["group"], body["version"]) == ("available", "O−", red.version)
    assert body["location"]["name"] == red.location.name
    assert body["establishment"] == str(centre.centre.uuid)
    assert red.donation.donor.full_name not in response.content.decode()


def test_an_expired_unit_reads_expired_before_the_sweep(centre, api):
    red, _plasma = centre.stocked("O", "neg")
    _expire(red)
    body = api("inventory_clerk").get(f"/api/v1/stock/units/{red.uuid}").json()
    assert body["status"] == "expired"


def test_an_unknown_unit_answers_404(centre, api):
    response = api("inventory_clerk").get(
        "/api/v1/stock/units/00000000-0000-0000-0000-000000000000"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}

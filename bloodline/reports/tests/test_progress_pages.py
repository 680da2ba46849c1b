"""The live progress page, its drill-down, the xlsx export and the API."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

from openpyxl import load_workbook

from bloodline.demo.factories import collection as factories
from bloodline.lib.querycount import assert_flat, counted
from bloodline.programmes import actions

from .conftest import amounts
from .test_progress_queries import planned_district

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def record(demo, unit, count, ml=350, month=3):
    factories.donations(
        factories.donors(count, unit),
        credited_to=unit,
        establishment=demo.nodes["vn_centre"],
        at=dt.datetime(2026, month, 10, 8, tzinfo=HCM),
        volume_ml=ml,
    )


def test_progress_page_drills_down_and_exports(plan, demo, communes, chair, login):
    actions.set_targets(
        by=chair, plan=plan, parent=demo.nodes["vn_dong"], round=None, amounts=amounts(communes, 40)
    )
    record(demo, communes[0], 41)
    record(demo, communes[1], 10, ml=450)
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    page = client.get(f"/plans/{plan.uuid}/progress/{demo.nodes['vn_dong'].uuid}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "51 of 300 bags — 17.0 % of the target." in text
    assert "1 of 6 (16.7 %)" in text  # units meeting their target
    assert f"/plans/{plan.uuid}/progress/{communes[0].uuid}/" in text
    fragment = client.get(
        f"/plans/{plan.uuid}/progress/{demo.nodes['vn_dong'].uuid}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment and "51 of 300" in fragment
    export = client.get(f"/plans/{plan.uuid}/progress/{demo.nodes['vn_dong'].uuid}/export.xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == "Total")
    assert total[1:4] == (300, 51, 17.0)
    commune = next(r for r in rows if r[0] == communes[1].name)
    assert commune[6] == 18.0  # 10 × 450 mL / 250


def test_a_unit_organiser_sees_its_own_progress_only(plan, demo, login):
    client = login("unit_organiser")
    garment = demo.nodes["vn_garment"]
    assert client.get(f"/plans/{plan.uuid}/progress/{garment.uuid}/").status_code == 200
    assert (
        client.get(f"/plans/{plan.uuid}/progress/{demo.nodes['vn_dong'].uuid}/").status_code == 404
    )
    assert (
        login("hospital_user").get(f"/plans/{plan.uuid}/progress/{garment.uuid}/").status_code
        == 404
    )


def test_the_progress_page_takes_the_same_queries_for_ten_times_the_units(demo, login):
    small_plan, small, _ = planned_district(demo, 10, 20_000_000)
    large_plan, large, bags = planned_district(demo, 100, 30_000_000)
    client = login("province_committee")
    client.cookies["django_language"] = "en"
    client.get(f"/plans/{small_plan.uuid}/progress/{small.uuid}/")  # session and grants settle
    with counted() as few:
        assert client.get(f"/plans/{small_plan.uuid}/progress/{small.uuid}/").status_code == 200
    with counted() as many:
        page = client.get(f"/plans/{large_plan.uuid}/progress/{large.uuid}/")
    assert_flat(few, many, sizes=(10, 100))
    assert len(few) <= 20
    html = page.content.decode()
    assert f"{bags} of 1,000 bags" in html and html.count(">Unit 300") == 100


def test_progress_through_the_api(plan, demo, communes, chair, login):
    actions.set_targets(
        by=chair, plan=plan, parent=demo.nodes["vn_dong"], round=None, amounts=amounts(communes, 40)
    )
    record(demo, communes[0], 45, ml=250, month=5)
    client = login("district_committee")
    body = client.get(
        f"/api/v1/plans/{plan.uuid}/progress", {"node": str(demo.nodes["vn_dong"].uuid)}
    ).json()
    assert body["total"]["achieved"] == "45" and body["total"]["percent"] == "15.0"
    assert (body["units_with_target"], body["units_meeting_target"]) == (6, 1)
    round_two = plan.rounds.get(name="Đợt 2")
    body = client.get(
        f"/api/v1/plans/{plan.uuid}/progress",
        {"node": str(demo.nodes["vn_dong"].uuid), "round": str(round_two.uuid)},
    ).json()
    assert body["total"]["figures"]["bags"] == 45
    assert (
        login("cn_committee")
        .get(f"/api/v1/plans/{plan.uuid}/progress", {"node": str(demo.nodes["vn_dong"].uuid)})
        .status_code
        == 404
    )


def test_plans_and_targets_through_the_api(demo, communes, login):
    client = login("district_committee")
    created = client.post(
        "/api/v1/plans",
        {
            "issuer": str(demo.nodes["vn_dong_committee"].uuid),
            "number": "7/KH",
            "issued_on": "2026-01-02",
            "title": "API plan",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "measure": "converted_units",
            "total_target": "120.5",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    uuid = created.json()["uuid"]
    assert (
        client.post(
            f"/api/v1/plans/{uuid}/rounds",
            {"name": "Đợt 1", "starts_on": "2026-01-01", "ends_on": "2026-06-30"},
            content_type="application/json",
        ).status_code
        == 201
    )
    put = client.put(
        f"/api/v1/plans/{uuid}/targets",
        {
            "parent": str(demo.nodes["vn_dong"].uuid),
            "targets": {str(communes[0].uuid): "60.25", str(communes[1].uuid): "60"},
        },
        content_type="application/json",
    )
    assert put.status_code == 200 and {t["amount"] for t in put.json()} == {"60.25", "60.00"}
    over = client.put(
        f"/api/v1/plans/{uuid}/targets",
        {"parent": str(demo.nodes["vn_dong"].uuid), "targets": {str(communes[2].uuid): "1"}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert over.status_code == 422 and "more than the 120.5 set" in over.json()["detail"][0]["msg"]
    assert client.post(f"/api/v1/plans/{uuid}/issue").json()["status"] == "issued"
    assert Decimal(client.get(f"/api/v1/plans/{uuid}").json()["base_volume_ml"]) == 250
    assert (
        login("unit_organiser")
        .post(f"/api/v1/plans/{uuid}/close", {}, content_type="application/json")
        .status_code
        == 403
    )

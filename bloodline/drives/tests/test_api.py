"""The drive API: the same rules and messages as the pages, in the OpenAPI schema."""

from __future__ import annotations

import pytest

from bloodline.drives.models import Drive, DriveStatus, Registration
from bloodline.drives.tests.conftest import in_days


def _post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", **headers)


@pytest.fixture
def planned(demo):
    return {
        "establishment": str(demo.nodes["vn_centre"].uuid),
        "hosts": [str(demo.nodes["vn_garment"].uuid)],
        "title": "Ngày hội hiến máu",
        "venue": "Hội trường",
        "starts_on": in_days(25).isoformat(),
        "opens_at": "07:00",
        "closes_at": "09:00",
        "arrival_windows": [{"label": "Ca sáng", "start": "07:00", "end": "08:00"}],
    }


def test_the_drive_paths_are_in_the_schema(client, db):
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert {
        "/api/v1/drives",
        "/api/v1/drives/{public_id}",
        "/api/v1/drives/{public_id}/status",
        "/api/v1/drives/{public_id}/slots",
        "/api/v1/drives/{public_id}/registrations",
        "/api/v1/drives/{public_id}/registrations/{registration_id}/cancel",
        "/api/v1/drives/requests",
        "/api/v1/drives/requests/{public_id}/accept",
        "/api/v1/drives/requests/{public_id}/decline",
    } <= paths


def test_an_establishment_plans_a_drive_through_the_api(login, planned):
    client = login("establishment_admin")
    response = _post(client, "/api/v1/drives", planned)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposed" and body["ends_on"] == planned["starts_on"]
    assert body["time_zone"] == "Asia/Ho_Chi_Minh" and body["beds"] == 4
    assert body["arrival_windows"] == planned["arrival_windows"]
    slots = client.get(f"/api/v1/drives/{body['uuid']}/slots").json()
    assert len(slots) == 4 and slots[0]["starts_at"].startswith(f"{planned['starts_on']}T00:00")


def test_bad_input_answers_422_at_the_field_and_saves_nothing(login, planned):
    client = login("establishment_admin")
    client.cookies["django_language"] = "en"
    response = _post(client, "/api/v1/drives", {**planned, "beds": 0, "closes_at": "06:00"})
    assert response.status_code == 422
    detail = {tuple(d["loc"]): d["msg"] for d in response.json()["detail"]}
    assert detail[("body", "beds")].startswith("A drive needs at least one bed")
    assert detail[("body", "closes_at")] == "The closing time must be after the opening time."
    assert not Drive.objects.exists()


def test_a_drive_is_changed_and_moved_along_its_statuses(login, make_drive):
    drive = make_drive()
    client = login("establishment_admin")
    patched = client.patch(
        f"/api/v1/drives/{drive.uuid}",
        {"version": 1, "title": "Đổi tên", "beds": 3},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert patched.json()["beds"] == 3
    confirmed = _post(client, f"/api/v1/drives/{drive.uuid}/status", {"status": "confirmed"})
    assert confirmed.json()["status"] == "confirmed"
    refused = _post(client, f"/api/v1/drives/{drive.uuid}/status", {"status": "cancelled"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "reason"]
    cancelled = _post(
        client, f"/api/v1/drives/{drive.uuid}/status", {"status": "cancelled", "reason": "Bão"}
    )
    assert cancelled.json()["cancel_reason"] == "Bão"


def test_the_list_is_scoped_and_filtered(login, make_drive):
    proposed, confirmed = make_drive(), make_drive(DriveStatus.CONFIRMED)
    mine = login("unit_organiser").get("/api/v1/drives").json()
    assert {d["uuid"] for d in mine["items"]} == {str(proposed.uuid), str(confirmed.uuid)}
    outsider = login("cn_committee").get("/api/v1/drives").json()
    assert [d["uuid"] for d in outsider["items"]] == [str(confirmed.uuid)]
    filtered = login("unit_organiser").get("/api/v1/drives?status=proposed").json()
    assert [d["uuid"] for d in filtered["items"]] == [str(proposed.uuid)]


def test_requests_are_made_accepted_and_declined_through_the_api(demo, login):
    organiser, admin = login("unit_organiser"), login("establishment_admin")
    body = {
        "requested_by": str(demo.nodes["vn_garment"].uuid),
        "establishment": str(demo.nodes["vn_centre"].uuid),
        "option_1": in_days(12).isoformat(),
        "option_2": in_days(19).isoformat(),
        "expected_donors": 90,
        "venue": "Nhà ăn",
    }
    made = _post(organiser, "/api/v1/drives/requests", body)
    assert made.status_code == 201, made.content
    uuid = made.json()["uuid"]
    assert [r["uuid"] for r in admin.get("/api/v1/drives/requests").json()["items"]] == [uuid]
    wrong = _post(
        admin,
        f"/api/v1/drives/requests/{uuid}/accept",
        {"date": in_days(13).isoformat(), "opens_at": "07:00", "closes_at": "11:00"},
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "date"]
    accepted = _post(
        admin,
        f"/api/v1/drives/requests/{uuid}/accept",
        {"date": in_days(19).isoformat(), "opens_at": "07:00", "closes_at": "11:00"},
    )
    assert accepted.status_code == 201 and accepted.json()["hosts"] == [body["requested_by"]]
    second = _post(organiser, "/api/v1/drives/requests", body).json()["uuid"]
    declined = _post(admin, f"/api/v1/drives/requests/{second}/decline", {"reason": "Hết lịch"})
    assert declined.json()["status"] == "declined"
    forbidden = _post(organiser, f"/api/v1/drives/requests/{second}/decline", {"reason": "x"})
    assert forbidden.status_code == 403


def test_people_are_registered_listed_and_cancelled_through_the_api(demo, login, make_drive):
    drive = make_drive(DriveStatus.CONFIRMED)
    client = login("unit_organiser")
    body = {
        "slot": f"{drive.starts_on}T07:30:00",  # no offset: local time at the establishment
        "full_name": "Đặng Quang Tuấn",
        "date_of_birth": "1991-11-11",
        "sex": "M",
        "phone": "0934555666",
        "unit": str(demo.nodes["vn_garment"].uuid),
    }
    made = _post(client, f"/api/v1/drives/{drive.uuid}/registrations", body)
    assert made.status_code == 201, made.content
    created = made.json()
    assert created["duplicate"] is False and created["mobilised_by"] == body["unit"]
    assert created["slot"].startswith(f"{drive.starts_on}T00:30")
    other = make_drive(DriveStatus.CONFIRMED)
    again = _post(
        client, f"/api/v1/drives/{other.uuid}/registrations", body, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert again["duplicate"] is True and again["donor"] == created["donor"]
    assert "already on record" in again["warning"]
    listed = client.get(f"/api/v1/drives/{drive.uuid}/registrations").json()
    assert [r["donor_name"] for r in listed["items"]] == ["Đặng Quang Tuấn"]
    cancel = _post(
        client, f"/api/v1/drives/{drive.uuid}/registrations/{created['uuid']}/cancel", {}
    )
    assert cancel.status_code == 200 and cancel.json()["cancelled_at"]
    assert Registration.objects.get(uuid=created["uuid"]).slot.booked == 0


def test_a_full_slot_and_an_unknown_slot_answer_422(demo, login, make_drive, register):
    drive = make_drive(DriveStatus.CONFIRMED)
    register(drive)
    register(drive)
    client = login("unit_organiser")
    client.cookies["django_language"] = "en"
    body = {
        "slot": f"{drive.starts_on}T07:00:00+07:00",
        "full_name": "Lê Thị Mai",
        "date_of_birth": "1999-01-01",
        "unit": str(demo.nodes["vn_garment"].uuid),
    }
    full = _post(client, f"/api/v1/drives/{drive.uuid}/registrations", body)
    assert full.status_code == 422
    assert full.json()["detail"][0]["msg"] == "The slot at 07:00 is full. Choose another slot."
    unknown = _post(
        client, f"/api/v1/drives/{drive.uuid}/registrations", {**body, "slot": "2030-01-01T05:00"}
    )
    assert unknown.json()["detail"][0]["loc"] == ["body", "slot"]


def test_staff_without_registration_rights_are_refused(demo, login, make_drive):
    drive = make_drive(DriveStatus.CONFIRMED)
    response = _post(
        login("drive_nurse"),
        f"/api/v1/drives/{drive.uuid}/registrations",
        {
            "slot": f"{drive.starts_on}T07:00:00",
            "full_name": "X",
            "date_of_birth": "1999-01-01",
            "unit": str(demo.nodes["vn_centre"].uuid),
        },
    )
    assert response.status_code == 403

"""The registry API: the same rules and messages as the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from bloodline.donors.models import Donor
from bloodline.donors.tests.conftest import vn_number


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


@pytest.fixture
def api(demo, english):
    return english("drive_nurse")


PERSON = {
    "full_name": "Tô Văn Bình",
    "date_of_birth": "1979-11-30",
    "sex": "M",
    "phone": "0966 123 456",
}


def test_the_donor_paths_are_in_the_schema(client, db):
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert {
        "/api/v1/donors",
        "/api/v1/donors/{public_id}",
        "/api/v1/donors/{public_id}/documents",
        "/api/v1/donors/{public_id}/consents",
        "/api/v1/donors/{public_id}/duplicates",
        "/api/v1/donors/{public_id}/merge",
    } <= paths


def test_create_answers_candidates_until_confirmed_distinct(api, make_donor):
    known = make_donor(full_name="TO VAN BINH", date_of_birth=dt.date(1979, 11, 30))
    refused = _post(api, "/api/v1/donors", PERSON)
    assert refused.status_code == 422
    body = refused.json()
    assert body["candidates"][0]["donor"] == str(known.uuid)
    assert body["candidates"][0]["reason"] == "name_and_date_of_birth"
    assert body["detail"][0]["loc"] == ["body", "confirmed_distinct"]
    created = _post(api, "/api/v1/donors", PERSON | {"confirmed_distinct": True})
    assert created.status_code == 201 and created.json()["phone"] == "+84966123456"


def test_field_errors_are_keyed_by_field(api, demo):
    answer = _post(api, "/api/v1/donors", PERSON | {"phone": "12", "date_of_birth": "2999-01-01"})
    assert answer.status_code == 422
    assert {tuple(e["loc"]) for e in answer.json()["detail"]} == {
        ("body", "phone"),
        ("body", "date_of_birth"),
    }


def test_patch_needs_the_current_version(api, demo):
    donor = _post(api, "/api/v1/donors", PERSON).json()
    url = f"/api/v1/donors/{donor['uuid']}"
    changed = _patch(
        api, url, {"version": donor["version"], "abo_declared": "B", "rhd_declared": "pos"}
    )
    assert changed.status_code == 200 and changed.json()["version"] == donor["version"] + 1
    stale = _patch(api, url, {"version": donor["version"], "address": "Ấp 4"})
    assert stale.status_code == 409 and "Someone else changed" in stale.json()["detail"][0]["msg"]


def test_documents_consents_duplicates_and_merge(api, make_donor):
    keep = make_donor(full_name="Mai Văn Sơn", date_of_birth=dt.date(1990, 6, 1), sex="M")
    twin = make_donor(full_name="MAI VAN SON", date_of_birth=dt.date(1990, 6, 1), sex="M")
    base = f"/api/v1/donors/{keep.uuid}"
    wrong = _post(
        api,
        f"{base}/documents",
        {"kind": "vn_citizen_identity_card", "number": vn_number(dt.date(1990, 6, 1), "F")},
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "number"]
    number = vn_number(dt.date(1990, 6, 1), "M")
    added = _post(api, f"{base}/documents", {"kind": "vn_citizen_identity_card", "number": number})
    assert added.status_code == 201 and added.json()["issuing_country"] == "VN"
    again = _post(
        api,
        f"/api/v1/donors/{twin.uuid}/documents",
        {"kind": "vn_citizen_identity_card", "number": number},
    )
    assert again.status_code == 422
    assert (
        _post(api, f"{base}/consents", {"purpose": "donation", "text_version": "1"}).status_code
        == 201
    )
    assert [c["in_force"] for c in api.get(f"{base}/consents").json()] == [True]
    assert [d["donor"] for d in api.get(f"{base}/duplicates").json()] == [str(twin.uuid)]
    assert api.get(f"/api/v1/donors?q={number}").json()["items"][0]["uuid"] == str(keep.uuid)
    no_reason = _post(api, f"{base}/merge", {"duplicate": str(twin.uuid), "reason": " "})
    assert no_reason.status_code == 422
    merged = _post(api, f"{base}/merge", {"duplicate": str(twin.uuid), "reason": "Cùng CCCD"})
    assert merged.status_code == 200
    assert Donor.objects.get(pk=twin.pk).merged_into_id == keep.pk
    assert api.get(f"/api/v1/donors/{twin.uuid}").json()["merged_into"] == str(keep.uuid)
    assert [d["uuid"] for d in api.get("/api/v1/donors?q=mai van son").json()["items"]] == [
        str(keep.uuid)
    ]

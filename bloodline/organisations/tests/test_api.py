"""The organisation API: same rules and messages as the pages, in the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.utils import translation

from bloodline.audit.models import AuditEvent
from bloodline.organisations.models import Organisation


def test_the_schema_and_docs_are_published(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/organisations",
        "/api/v1/organisations/{public_id}",
        "/api/v1/me",
        "/api/v1/jurisdictions",
    } <= set(schema["paths"])
    assert client.get("/api/v1/docs").status_code == 200


def test_a_committee_member_adds_a_unit_through_the_api(demo, login):
    commune = demo.nodes["vn_dong_c2"]
    response = login("district_committee").post(
        "/api/v1/organisations",
        {
            "parent": str(commune.uuid),
            "kind": "enterprise",
            "name": "Công ty Gạch Tân Lập",
            "name_translations": {"en": "Tan Lap Brick Co."},
            "official_code": "VN-MST-0100000099",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent"] == str(commune.uuid) and body["kind_label"]
    created = Organisation.objects.get(uuid=body["uuid"])
    assert created.path.startswith(commune.path)
    assert AuditEvent.objects.filter(object_id=body["uuid"], action="organisation.create").exists()


@pytest.mark.parametrize(
    ("payload", "field", "english"),
    [
        ({"kind": "enterprise"}, "name", "This field is required."),
        ({"kind": "enterprise", "name": "x" * 201}, "name", "Enter at most %(n)s characters."),
        (
            {"kind": "province", "name": "Wrong"},
            "parent",
            "A %(kind)s cannot be placed under a %(parent_kind)s.",
        ),
        (
            {"kind": "enterprise", "name": "Dup", "official_code": "VN-MST-0100000001"},
            "official_code",
            "Another organisation of this kind already has this official code.",
        ),
    ],
)
def test_bad_input_gets_a_translated_422_at_the_field_and_nothing_is_written(
    demo, login, payload, field, english
):
    commune = demo.nodes["vn_dong_c2"]
    before = (Organisation.objects.count(), AuditEvent.objects.count())
    response = login("district_committee").post(
        "/api/v1/organisations",
        {"parent": str(commune.uuid), **payload},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 422
    (error,) = [e for e in response.json()["detail"] if e["loc"][-1] == field]
    with translation.override("fr"):
        french = translation.gettext(english)
    assert french != english
    assert error["msg"].startswith(french.split("%")[0])
    assert (Organisation.objects.count(), AuditEvent.objects.count()) == before


def test_a_stale_version_is_refused_through_the_api(demo, login):
    school = demo.nodes["vn_dong_school"]
    client = login("district_committee")
    ok = client.patch(
        f"/api/v1/organisations/{school.uuid}",
        {"version": school.version, "name": "Trường A"},
        content_type="application/json",
    )
    stale = client.patch(
        f"/api/v1/organisations/{school.uuid}",
        {"version": school.version, "name": "Trường B"},
        content_type="application/json",
    )
    assert (ok.status_code, stale.status_code) == (200, 409)
    school.refresh_from_db()
    assert school.name == "Trường A"


def test_moving_under_a_descendant_is_refused_through_the_api(demo, login):
    district, commune = demo.nodes["vn_dong"], demo.nodes["vn_dong_c0"]
    response = login("province_committee").post(
        f"/api/v1/organisations/{district.uuid}/move",
        {"new_parent": str(commune.uuid)},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "parent"]


def test_the_rule_sets_are_listed_with_their_sources(client, demo, login):
    client = login("drive_nurse")
    listed = {r["code"]: r for r in client.get("/api/v1/jurisdictions").json()}
    assert listed["CN-GB18467-2011"]["versions"] == ["2011", "2025-draft"]
    assert listed["CN-GB18467-2011"]["current_version"] == "2011"
    detail = client.get("/api/v1/jurisdictions/VN-TT26-2013").json()[0]
    assert detail["age"]["min_years"] == {
        "value": 18.0,
        "source": ["S34"],
        "verified": True,
        "note": {},
    }
    assert client.get("/api/v1/jurisdictions/XX-0").status_code == 404

"""Input the API fuzzer found answered with a 500 is now a clear, translated refusal
(decision 0035): a huge limit or offset, null in a PATCH body, a NUL character anywhere,
a body that is not JSON. Nothing is written."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.drives import actions
from bloodline.drives.models import Drive
from bloodline.lib.pagination import MAX_LIMIT, MAX_OFFSET

LISTS = [
    "/api/v1/donors",
    "/api/v1/drives",
    "/api/v1/organisations",
    "/api/v1/distribution/orders",
]


@pytest.fixture
def admin(demo, login):
    client = login("establishment_admin")
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 10**30}, "limit"),
        ({"limit": MAX_LIMIT + 1}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": 2**63}, "offset"),
        ({"offset": MAX_OFFSET + 1}, "offset"),
        ({"offset": -1}, "offset"),
    ],
)
def test_a_list_refuses_a_page_out_of_bounds(admin, query, field):
    response = admin.get("/api/v1/donors", query)
    assert response.status_code == 422, response.content
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", field]
    assert error["msg"].startswith("Enter a")


def test_every_list_has_the_same_bounds(admin):
    for url in LISTS:
        for query in ({"limit": 10**30}, {"offset": 2**64}):
            response = admin.get(url, query)
            assert response.status_code == 422, (url, query, response.content)


def test_a_list_answers_the_largest_page_it_allows(admin):
    response = admin.get("/api/v1/donors", {"limit": MAX_LIMIT, "offset": MAX_OFFSET})
    assert response.status_code == 200
    assert response.json()["items"] == []


def _drive(demo) -> Drive:
    return actions.create_drive(
        by=User.objects.get(username="establishment_admin"),
        establishment=demo.nodes["vn_centre"],
        hosts=[demo.nodes["vn_garment"]],
        title="Ngày hội hiến máu",
        venue="Hội trường",
        starts_on=dt.date.today() + dt.timedelta(days=30),
        ends_on=dt.date.today() + dt.timedelta(days=30),
        opens_at=dt.time(7, 0),
        closes_at=dt.time(9, 0),
        slot_minutes=30,
        beds=2,
        latitude=Decimal("21.0"),
        longitude=Decimal("105.8"),
    )


@pytest.mark.parametrize("field", ["opens_at", "closes_at", "beds", "title", "starts_on"])
def test_null_in_a_drive_patch_is_refused_at_its_field(demo, admin, field):
    drive = _drive(demo)
    events = AuditEvent.objects.count()
    response = admin.patch(
        f"/api/v1/drives/{drive.uuid}",
        {"version": drive.version, field: None},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == [
        {
            "loc": ["body", "payload", field],
            "msg": "Leave this field out instead of sending null.",
            "type": "null_not_allowed",
        }
    ]
    assert AuditEvent.objects.count() == events


def test_null_clears_a_drive_map_pin(demo, admin):
    drive = _drive(demo)
    response = admin.patch(
        f"/api/v1/drives/{drive.uuid}",
        {"version": drive.version, "latitude": None, "longitude": None},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["latitude"] is None


def test_null_in_other_patches_is_refused_alike(demo, admin):
    organisation = demo.nodes["vn_centre"]
    response = admin.patch(
        f"/api/v1/organisations/{organisation.uuid}",
        {"version": organisation.version, "name": None},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "null_not_allowed"


def test_a_nul_character_in_a_search_is_refused(admin):
    response = admin.get("/api/v1/donors", {"q": "Nguy\x00n"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["query", "q"],
            "msg": "Text cannot contain the null character.",
            "type": "null_character",
        }
    ]


def test_a_nul_character_in_a_body_is_refused_at_its_place(demo, admin):
    drive = _drive(demo)
    events = AuditEvent.objects.count()
    response = admin.patch(
        f"/api/v1/drives/{drive.uuid}",
        json.dumps({"version": drive.version, "arrival_windows": [{"label": "Ca\x00"}]}),
        content_type="application/json",
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "arrival_windows", 0, "label"]
    assert error["type"] == "null_character"
    drive.refresh_from_db()
    assert AuditEvent.objects.count() == events


def test_the_refusal_is_translated(demo, login):
    client = login("establishment_admin", HTTP_ACCEPT_LANGUAGE="vi")
    response = client.get("/api/v1/donors", {"q": "\x00"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] != "Text cannot contain the null character."


PAGE_REFUSAL = (
    "The request contained a character that cannot be stored (NUL). Remove it and try again."
)


def test_a_page_refuses_a_nul_character_with_the_site_page(admin):
    response = admin.get("/donors/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert response.templates[0].name == "400.html"
    page = response.content.decode()
    assert PAGE_REFUSAL in page
    # In the site layout, for the signed-in person, with the site's headers.
    assert 'href="/organisations/"' in page
    assert "Sign out" in page
    assert "Content-Security-Policy" in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_page_form_with_a_nul_character_writes_nothing(demo, admin):
    from bloodline.donors.models import Donor

    donors, events = Donor.objects.count(), AuditEvent.objects.count()
    response = admin.post("/donors/new/", {"full_name": "Trần\x00Văn", "sex": "M"})
    assert response.status_code == 400
    assert PAGE_REFUSAL in response.content.decode()
    assert (Donor.objects.count(), AuditEvent.objects.count()) == (donors, events)


def test_the_page_refusal_is_in_the_readers_language(admin):
    admin.cookies["django_language"] = "vi"
    response = admin.get("/donors/", {"q": "\x00"})
    assert response.status_code == 400
    assert response.headers["Content-Language"] == "vi"
    assert PAGE_REFUSAL not in response.content.decode()
    assert "NUL" in response.content.decode()


def test_a_body_that_is_not_json_is_a_translated_400(admin):
    response = admin.post("/api/v1/donors", b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON."}


def test_every_operation_declares_the_shared_error_answers(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "401", "403", "404", "409", "422"} <= declared, (method, path)
    assert schema["components"]["schemas"]["ErrorItem"]["properties"]["loc"]["items"] == {
        "anyOf": [{"type": "string"}, {"type": "integer"}]
    }

"""The processing API: a clerk records a thaw on a unit and reads it back; a step the rule
set has no rule for, a second thaw, an issued or discarded unit, a naive or future time are
refused with a translated reason and nothing written; scoped like the stock API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import ProcessingEvent, StorageLocation


@pytest.fixture
def api(login):
    return lambda persona, language="en": login(persona, HTTP_ACCEPT_LANGUAGE=language)


def _url(unit) -> str:
    return f"/api/v1/stock/units/{unit.uuid}/processing"


def _post(client, unit, body):
    return client.post(_url(unit), data=json.dumps(body), content_type="application/json")


def _fridge(centre) -> StorageLocation:
    return factories.location(centre.centre, "Fridge 1")


def test_the_processing_paths_are_in_the_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/stock/units/{public_id}/processing" in paths


def test_a_clerk_records_a_thaw_and_the_unit_carries_the_new_expiry(centre, api):
    _red, plasma = centre.stocked()
    clerk = api("inventory_clerk")
    response = _post(
        clerk,
        plasma,
        {"kind": "thaw", "location": str(_fridge(centre).uuid), "version": plasma.version},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["kind_label"], body["sources"]) == ("thaw", "thawed", ["S59"])
    assert (body["period_value"], body["period_unit"], body["verified"]) == (6, "hours", True)
    assert body["by"] == centre.clerk.get_full_name()
    at = dt.datetime.fromisoformat(body["at"])
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert expires - at == dt.timedelta(hours=6)
    unit = clerk.get(f"/api/v1/stock/units/{plasma.uuid}").json()
    assert dt.datetime.fromisoformat(unit["expires_at"]) == expires
    listed = clerk.get(_url(plasma)).json()
    assert [e["uuid"] for e in listed] == [body["uuid"]]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "open"}, "kind", "The rule set VN-TT26-2013 states no rule for"),
        ({"kind": "bake"}, "kind", "Choose what was done to the unit."),
        ({"kind": "thaw", "at": "2025-01-01T10:00:00"}, "at", "Give the time of processing"),
        ({"kind": "thaw", "at": "2099-01-01T10:00:00Z"}, "at",
         "The time of processing cannot be in the future."),
        ({"kind": "thaw", "location": "00000000-0000-0000-0000-000000000000"}, "location",
         "Choose a location of this establishment."),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_the_reason_and_nothing_written(
    centre, api, body, field, message
):
    _red, plasma = centre.stocked()
    response = _post(api("inventory_clerk"), plasma, body)
    assert response.status_code == 422, response.content
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert field in json.dumps(response.json())
    assert not ProcessingEvent.objects.exists()


def test_a_stale_version_is_refused_as_a_conflict_and_nothing_written(centre, api):
    _red, plasma = centre.stocked()
    response = _post(api("inventory_clerk"), plasma, {"kind": "thaw", "version": 1})
    assert response.status_code == 409, response.content
    assert "Someone else changed this record" in json.dumps(response.json(), ensure_ascii=False)
    assert "version" in json.dumps(response.json())
    assert not ProcessingEvent.objects.exists()


def test_a_second_thaw_is_refused(centre, api):
    _red, plasma = centre.stocked()
    inventory.record_processing(
        by=centre.clerk, component=plasma, kind="thaw", location=_fridge(centre)
    )
    response = _post(api("inventory_clerk"), plasma, {"kind": "thaw"})
    assert response.status_code == 422
    assert "already been thawed" in response.content.decode()
    assert ProcessingEvent.objects.count() == 1


def test_a_discarded_unit_is_refused_in_the_readers_language(centre, api):
    _red, plasma = centre.stocked()
    inventory.discard(by=centre.clerk, component=plasma, reason="bag_damaged")
    english = _post(api("inventory_clerk"), plasma, {"kind": "thaw"})
    assert english.status_code == 422
    assert "This unit cannot be processed: it is discarded." in english.content.decode()
    french = _post(api("inventory_clerk", "fr"), plasma, {"kind": "thaw"})
    assert french.status_code == 422
    assert "Cette unité ne peut pas être préparée" in french.json()["detail"][0]["msg"]
    assert not ProcessingEvent.objects.exists()


def test_only_people_with_stock_rights_in_scope_record_processing(centre, api):
    _red, plasma = centre.stocked()
    assert _post(api("hospital_user"), plasma, {"kind": "thaw"}).status_code in (403, 404)
    assert _post(api("cn_establishment_admin"), plasma, {"kind": "thaw"}).status_code == 404
    assert _post(api("lab_technician"), plasma, {"kind": "thaw"}).status_code == 403
    assert not ProcessingEvent.objects.exists()
    assert plasma.expires_at > timezone.now()

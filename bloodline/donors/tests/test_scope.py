"""Only people who hold the donor permissions somewhere may use the registry: drive nurses,
physicians and establishment administrators; others get 403, and 404 for a donor's id."""

from __future__ import annotations

import pytest

from bloodline.audit.models import AuditEvent


@pytest.fixture
def donor(demo, make_donor):
    return make_donor(full_name="Bùi Thị Ngọc")


@pytest.mark.parametrize("persona", ["drive_nurse", "physician", "establishment_admin"])
def test_registry_staff_can_search_and_read(english, donor, persona):
    client = english(persona)
    assert "Bùi Thị Ngọc" in client.get("/donors/?q=bui thi ngoc").content.decode()
    assert client.get(f"/donors/{donor.uuid}/").status_code == 200
    assert client.get(f"/api/v1/donors/{donor.uuid}").status_code == 200


def test_the_registry_is_national(english, donor):
    """A Chinese establishment's administrator finds a donor registered in Vietnam."""
    assert english("cn_establishment_admin").get(f"/donors/{donor.uuid}/").status_code == 200


@pytest.mark.parametrize("persona", ["unit_organiser", "hospital_user", "lab_technician", "donor"])
def test_others_are_refused(english, donor, persona):
    client = english(persona)
    assert client.get("/donors/").status_code == 403
    assert client.get("/donors/new/").status_code == 403
    assert client.get(f"/donors/{donor.uuid}/").status_code == 404
    assert client.get(f"/donors/{donor.uuid}/edit/").status_code == 404
    assert client.get("/api/v1/donors?q=bui").status_code == 403
    assert client.get(f"/api/v1/donors/{donor.uuid}").status_code == 404
    created = client.post("/api/v1/donors", {"full_name": "X Y"}, content_type="application/json")
    assert created.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, donor):
    assert client.get(f"/donors/{donor.uuid}/").status_code == 302
    assert client.get(f"/api/v1/donors/{donor.uuid}").status_code == 401


def test_reading_a_record_is_logged(english, donor):
    english("physician").get(f"/donors/{donor.uuid}/")
    event = AuditEvent.objects.get(action="donor.read")
    assert event.actor_label == "physician" and event.object_id == str(donor.uuid)

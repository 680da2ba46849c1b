"""Every read of a donor's record or health data leaves exactly one trace, saying who read it
and where (decision 0030); a search leaves one trace for the whole list, not one per row. The
donor's establishment sees the reads on the "who looked at this donor" page."""

from __future__ import annotations

import pytest

from bloodline.audit.models import AuditEvent
from bloodline.donors.reads import READ, SEARCH, ReadPlace
from bloodline.lab import actions as lab_actions


@pytest.fixture
def donor(demo, make_donor):
    return make_donor(full_name="Lê Thị Thu")


def _reads(donor) -> list[str]:
    events = AuditEvent.objects.filter(action=READ, object_id=str(donor.uuid))
    return [e.changes["read"][1] for e in events]


@pytest.mark.parametrize(
    ("persona", "path", "place"),
    [
        ("physician", "/donors/{id}/", ReadPlace.DETAIL_PAGE),
        ("physician", "/api/v1/donors/{id}", ReadPlace.DETAIL_API),
        ("physician", "/api/v1/donors/{id}/documents", ReadPlace.DOCUMENTS_API),
        ("physician", "/api/v1/donors/{id}/consents", ReadPlace.CONSENTS_API),
        ("drive_nurse", "/donors/{id}/duplicates/", ReadPlace.DUPLICATES_PAGE),
        ("drive_nurse", "/api/v1/donors/{id}/duplicates", ReadPlace.DUPLICATES_API),
        ("establishment_admin", "/trace/donor/{id}/", ReadPlace.TRACE_DONOR),
    ],
)
def test_each_read_writes_one_record(english, donor, persona, path, place):
    response = english(persona).get(path.format(id=donor.uuid))
    assert response.status_code == 200
    assert _reads(donor) == [place.value]
    event = AuditEvent.objects.get(action=READ, object_id=str(donor.uuid))
    assert event.actor_label == persona


def test_the_merge_page_logs_a_read_of_each_record(english, donor, make_donor):
    twin = make_donor(full_name="LE THI THU")
    assert english("drive_nurse").get(f"/donors/{donor.uuid}/merge/{twin.uuid}/").status_code == 200
    assert _reads(donor) == [ReadPlace.MERGE_PAGE.value]
    assert _reads(twin) == [ReadPlace.MERGE_PAGE.value]


def test_the_lab_sample_page_logs_a_read_of_its_donor(english, centre):
    donation = centre.donation()
    lab_actions.receive_sample(by=centre.lab, donation=donation)
    response = english("lab_technician").get(f"/lab/{donation.din}/")
    assert response.status_code == 200
    assert _reads(donation.donor) == [ReadPlace.LAB_SAMPLE.value]


@pytest.mark.parametrize(
    ("path", "place"),
    [("/donors/", ReadPlace.SEARCH_PAGE), ("/api/v1/donors", ReadPlace.SEARCH_API)],
)
def test_a_search_writes_one_record_for_the_whole_list(english, make_donor, path, place, demo):
    for n in range(3):
        make_donor(full_name=f"Đỗ Văn Tìm {n}")
    assert english("physician").get(path, {"q": "do van tim"}).status_code == 200
    event = AuditEvent.objects.get(action=SEARCH)
    assert event.changes == {"read": [None, place.value], "results": [None, 3]}
    assert not AuditEvent.objects.filter(action=READ).exists()
    assert "tim" not in str(event.changes).lower()  # the words searched are not kept


def test_the_read_log_page_shows_who_looked(english, donor):
    english("physician").get(f"/donors/{donor.uuid}/")
    english("establishment_admin").get(f"/trace/donor/{donor.uuid}/")
    page = english("establishment_admin").get(f"/donors/{donor.uuid}/reads/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Who looked at this donor" in text
    assert "donor page" in text and "donor trace page" in text
    detail = english("establishment_admin").get(f"/donors/{donor.uuid}/").content.decode()
    assert f"/donors/{donor.uuid}/reads/" in detail


@pytest.mark.parametrize("persona", ["cn_establishment_admin", "lab_technician"])
def test_the_read_log_is_hidden_outside_the_registry(english, donor, persona):
    assert english(persona).get(f"/donors/{donor.uuid}/reads/").status_code == 404

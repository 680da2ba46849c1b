"""The registry pages: search, record, add with a duplicate warning, documents, consents,
duplicates and the merge confirmation."""

from __future__ import annotations

import datetime as dt

import pytest

from bloodline.donors.models import Consent, Donor, IdentityDocument

PERSON = {
    "full_name": "Đinh Thị Thu",
    "date_of_birth": "1994-09-12",
    "sex": "F",
    "phone": "0935 111 222",
}


@pytest.fixture
def nurse_client(demo, english):
    return english("drive_nurse")


def test_a_nurse_adds_a_donor(nurse_client, demo):
    response = nurse_client.post("/donors/new/", PERSON)
    donor = Donor.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/donors/{donor.uuid}/"
    assert donor.phone == "+84935111222" and donor.full_name == "Đinh Thị Thu"


def test_the_form_warns_about_a_possible_duplicate_before_saving(nurse_client, make_donor):
    known = make_donor(full_name="DINH THI THU", date_of_birth=dt.date(1994, 9, 12), sex="F")
    page = nurse_client.post("/donors/new/", PERSON)
    assert page.status_code == 200
    text = page.content.decode()
    assert "may already be on record" in text and str(known.uuid) in text
    assert "similar name and same date of birth" in text
    assert Donor.objects.count() == 1
    saved = nurse_client.post("/donors/new/", PERSON | {"confirmed_distinct": "on"})
    assert saved.status_code == 302 and Donor.objects.count() == 2


def test_an_edit_from_an_old_page_is_refused(nurse_client, make_donor):
    donor = make_donor()
    values = {
        "full_name": donor.full_name,
        "date_of_birth": donor.date_of_birth.isoformat(),
        "sex": "M",
        "phone": donor.phone,
        "version": donor.version,
    }
    assert (
        nurse_client.post(f"/donors/{donor.uuid}/edit/", values | {"address": "A"}).status_code
        == 302
    )
    page = nurse_client.post(f"/donors/{donor.uuid}/edit/", values | {"address": "B"})
    assert "Someone else changed" in page.content.decode()
    donor.refresh_from_db()
    assert donor.address == "A"


def test_a_nurse_adds_a_document_and_a_consent(nurse_client, make_donor):
    donor = make_donor()
    bad = nurse_client.post(
        f"/donors/{donor.uuid}/documents/new/",
        {"kind": "passport", "number": "C1", "issuing_country": "VN"},
    )
    assert "5 to 20" in bad.content.decode()
    nurse_client.post(
        f"/donors/{donor.uuid}/documents/new/",
        {"kind": "passport", "number": "C1234567", "issuing_country": "VN"},
    )
    nurse_client.post(
        f"/donors/{donor.uuid}/consents/new/", {"purpose": "contact_sms", "text_version": "2026-01"}
    )
    assert IdentityDocument.objects.filter(donor=donor).count() == 1
    assert Consent.objects.filter(donor=donor).count() == 1
    page = nurse_client.get(f"/donors/{donor.uuid}/").content.decode()
    assert "C1234567" in page and "2026-01" in page
    assert nurse_client.get("/donors/?q=c123 4567").content.decode().count(donor.full_name) == 1


def test_duplicates_are_merged_after_confirmation_with_a_reason(nurse_client, make_donor):
    keep = make_donor(full_name="Lý Văn Hải", date_of_birth=dt.date(1988, 8, 8))
    twin = make_donor(full_name="LY VAN HAI", date_of_birth=dt.date(1988, 8, 8))
    listing = nurse_client.get(f"/donors/{keep.uuid}/duplicates/").content.decode()
    url = f"/donors/{keep.uuid}/merge/{twin.uuid}/"
    assert url in listing
    assert "Merge the records" in nurse_client.get(url).content.decode()
    refused = nurse_client.post(url, {"reason": "", "confirm": "on"})
    assert refused.status_code == 200
    twin.refresh_from_db()
    assert twin.merged_into is None
    done = nurse_client.post(url, {"reason": "Cùng một người", "confirm": "on"})
    assert done.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into == keep
    found = nurse_client.get("/donors/?q=ly van hai").content.decode()
    assert str(keep.uuid) in found and str(twin.uuid) not in found
    merged_page = nurse_client.get(f"/donors/{twin.uuid}/").content.decode()
    assert "was merged into another one" in merged_page


def test_search_by_phone_in_national_form(nurse_client, make_donor):
    donor = make_donor(phone="0977 888 999")
    assert str(donor.uuid) in nurse_client.get("/donors/?q=0977888999").content.decode()

"""Erasure pseudonymises a donor but keeps donation traceability; the export gives everything
held about them, as JSON and PDF; both are audited (decision 0033)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from bloodline.audit.models import AuditEvent
from bloodline.demo.factories import collection as factories
from bloodline.donors import actions
from bloodline.donors.duplicates import find_candidates
from bloodline.donors.erasure import erase_donor, refuse_erased
from bloodline.donors.export import build
from bloodline.donors.models import Consent
from bloodline.donors.search import search
from bloodline.donors.tests.conftest import vn_number
from bloodline.drives import actions as drive_actions
from bloodline.drives.models import DriveStatus

BORN = dt.date(1988, 8, 8)
REASON = "Yêu cầu xóa dữ liệu của người hiến (thử nghiệm)"


@pytest.fixture
def held(demo, nurse, make_donor):
    """A donor with a document, a consent and a donation."""
    donor = make_donor(full_name="Đặng Thị Thử", date_of_birth=BORN, sex="F", phone="0933 111 222")
    number = vn_number(BORN, "F", tail="777001")
    actions.add_identity_document(
        by=nurse, donor=donor, kind="vn_citizen_identity_card", number=number
    )
    actions.record_consent(by=nurse, donor=donor, purpose="donation", text_version="2")
    donation = factories.donations(
        [donor],
        credited_to=demo.nodes["vn_garment"],
        establishment=demo.nodes["vn_centre"],
        at=timezone.now() - dt.timedelta(days=120),
    )[0]
    return donor, number, donation


def test_erasure_pseudonymises_and_keeps_the_donations(held, nurse):
    donor, number, donation = held
    erase_donor(by=nurse, donor=donor, reason=REASON)
    donor.refresh_from_db()
    assert donor.full_name.startswith("ERASED-") and "Thử" not in donor.full_name
    assert donor.date_of_birth == dt.date(1988, 1, 1)
    assert donor.phone == "" and donor.address == "" and donor.erased_at is not None
    document = donor.identity_documents.get()
    assert document.number.startswith("ERASED-")
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM donors_identitydocument WHERE id = %s", [document.pk])
        assert number not in cursor.fetchone()[0]
    assert not Consent.objects.filter(donor=donor, withdrawn_at__isnull=True).exists()
    donation.refresh_from_db()
    assert donation.donor_id == donor.pk  # look-back still reaches the record
    # Not found any more, by name, number or phone; not a duplicate candidate.
    assert list(search("Đặng Thị Thử")) == []
    assert list(search(number)) == []
    assert list(search("+84933111222")) == []
    assert (
        find_candidates(
            full_name="Đặng Thị Thử",
            date_of_birth=BORN,
            phone="+84933111222",
            registry=donor.registry,
        )
        == []
    )
    event = AuditEvent.objects.filter(action="donor.erased", object_id=str(donor.uuid)).get()
    assert event.reason == REASON and "Thử" not in str(event.changes)


def test_erasure_needs_a_reason_and_happens_once(held, nurse):
    donor, _number, _donation = held
    with pytest.raises(ValidationError) as exc:
        erase_donor(by=nurse, donor=donor, reason="  ")
    assert "reason" in exc.value.message_dict
    donor.refresh_from_db()
    assert donor.erased_at is None and donor.full_name == "Đặng Thị Thử"
    erase_donor(by=nurse, donor=donor, reason=REASON)
    with pytest.raises(ValidationError):
        erase_donor(by=nurse, donor=donor, reason=REASON)


def test_an_erased_donor_is_not_registered_or_changed(held, nurse, users, demo, make_drive):
    donor, _number, _donation = held
    erase_donor(by=nurse, donor=donor, reason=REASON)
    with pytest.raises(ValidationError, match="erased"):
        refuse_erased(donor)
    drive = make_drive(DriveStatus.CONFIRMED)
    with pytest.raises(ValidationError, match="erased"):
        drive_actions.register(
            by=users["unit_organiser"],
            drive=drive,
            slot=drive.slots.first(),
            donor=donor,
            mobilised_by=demo.nodes["vn_garment"],
        )
    with pytest.raises(ValidationError, match="erased"):
        actions.record_consent(by=nurse, donor=donor, purpose="research", text_version="1")


def test_erase_page_and_api(held, login):
    donor, _number, _donation = held
    client = login("drive_nurse")
    page = client.get(f"/donors/{donor.uuid}/erase/")
    assert page.status_code == 200
    refused = client.post(f"/donors/{donor.uuid}/erase/", {"reason": REASON})  # no confirmation
    assert refused.status_code == 200
    donor.refresh_from_db()
    assert donor.erased_at is None
    api = client.post(
        f"/api/v1/donors/{donor.uuid}/erase", {"reason": ""}, content_type="application/json"
    )
    assert api.status_code == 422
    api = client.post(
        f"/api/v1/donors/{donor.uuid}/erase", {"reason": REASON}, content_type="application/json"
    )
    assert api.status_code == 200 and api.json()["full_name"].startswith("ERASED-")


def test_the_export_holds_everything_and_is_audited(held, nurse, login):
    donor, number, donation = held
    data, _sections = build(donor)
    assert data["donor"]["full_name"] == "Đặng Thị Thử"
    assert data["donor"]["phone"] == "+84933111222"
    assert data["identity_documents"][0]["number"] == number
    assert data["consents"][0]["text_version"] == "2"
    assert data["donations"][0]["din"] == donation.din
    assert "history" in data and {"presentations", "deferrals", "registrations"} <= set(data)
    client = login("drive_nurse")
    answer = client.get(f"/api/v1/donors/{donor.uuid}/export")
    assert answer.status_code == 200 and answer.json()["donor"]["uuid"] == str(donor.uuid)
    assert answer["Cache-Control"] == "no-store"
    pdf = client.get(f"/donors/{donor.uuid}/export/", HTTP_ACCEPT_LANGUAGE="vi")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    formats = [
        e.changes["format"][1]
        for e in AuditEvent.objects.filter(action="donor.exported", object_id=str(donor.uuid))
    ]
    assert sorted(formats) == ["json", "pdf"]


def test_only_registry_staff_export(held, login):
    donor, _number, _donation = held
    assert login("lab_technician").get(f"/api/v1/donors/{donor.uuid}/export").status_code == 404


def test_the_pdf_headings_are_in_the_readers_language(held):
    donor, _number, _donation = held
    with translation.override("vi"):
        _data, sections = build(donor)
        html = render_to_string(
            "donors/export.html", {"donor": donor, "sections": sections, "now": timezone.now()}
        )
    assert "Toàn bộ dữ liệu đang lưu về người hiến này" in html
    consents = next(s for s in sections if s.key == "consents")
    assert consents.title != "consents"  # the model's plural, translated
    assert "Ai đã xem hoặc thay đổi hồ sơ" in html

"""Label pages: a donation's labels for those who record donations there, pre-printed sheets
that reserve consecutive numbers."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest
from weasyprint import HTML

from bloodline.audit.models import AuditEvent
from bloodline.collection import labels
from bloodline.collection.models import DinCounter, Donation, Facility
from bloodline.donors.models import Donor
from bloodline.drives.models import LabelSet
from bloodline.jobs import tasks
from bloodline.jobs.models import Task

DIN = "A999921123456"


@pytest.fixture
def facility(demo):
    return Facility.objects.create(establishment=demo.nodes["vn_centre"], fin="A9999")


@pytest.fixture
def donation(demo, facility):
    donor = Donor.objects.create(full_name="Người hiến thử", affiliation=demo.nodes["vn_garment"])
    return Donation.objects.create(
        din=DIN,
        donor=donor,
        establishment=demo.nodes["vn_centre"],
        # 23:30 UTC on 13 June is 14 June in Vietnam (UTC+7).
        collected_at=dt.datetime(2025, 6, 13, 23, 30, tzinfo=dt.UTC),
        donation_type="whole_blood",
        volume_ml=350,
        bag_volume_ml=350,
        credited_to=demo.nodes["vn_garment"],
    )


def test_the_drive_nurse_gets_the_zpl_of_a_donation(login, donation):
    response = login("drive_nurse").get(f"/labels/{DIN}/zpl")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "^FD=A99992112345663^FS" in text
    assert "2025-06-14" in text  # the establishment's local date


def test_the_drive_nurse_gets_the_pdf_of_a_donation(login, donation):
    response = login("drive_nurse").get(f"/labels/{DIN}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_a_nat_tube_is_added_on_request(login, donation):
    text = login("drive_nurse").get(f"/labels/{DIN}/zpl?nat=1").content.decode()
    assert "^FD=A99992112345609^FS" in text
    assert text.count("^XA") == 5


def test_the_din_may_be_given_with_its_check_character(login, donation):
    assert login("drive_nurse").get(f"/labels/{DIN}3/zpl").status_code == 200
    assert login("drive_nurse").get(f"/labels/{DIN}4/zpl").status_code == 404


def test_staff_who_do_not_record_donations_are_refused(login, donation):
    assert login("lab_technician").get(f"/labels/{DIN}/pdf").status_code == 403


def test_people_outside_the_establishment_see_nothing(login, donation):
    assert login("cn_establishment_admin").get(f"/labels/{DIN}/zpl").status_code == 404


def test_an_unknown_or_malformed_din_answers_404(login, donation):
    assert login("drive_nurse").get("/labels/A999921999999/zpl").status_code == 404
    assert login("drive_nurse").get("/labels/nonsense/zpl").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, donation):
    response = client.get(f"/labels/{DIN}/pdf")
    assert response.status_code == 302


def test_preprinting_reserves_consecutive_numbers_for_the_drive(
    demo, facility, users_by_name, running_drive
):
    centre, drive = demo.nodes["vn_centre"], running_drive()
    year = labels.local_today(centre).year % 100
    first = labels.preprint_dins(by=users_by_name["drive_nurse"], drive=drive, count=3)
    second = labels.preprint_dins(by=users_by_name["drive_nurse"], drive=drive, count=2)
    assert [d.din for d in first + second] == [f"A9999{year:02d}{n:06d}" for n in range(1, 6)]
    assert DinCounter.objects.get(facility=facility, year=year).last_sequence == 5
    assert [(s.drive, s.first, s.last) for s in LabelSet.objects.all()] == [
        (drive, 1, 3),
        (drive, 4, 5),
    ]
    event = AuditEvent.objects.filter(action="din.preprint").latest("pk")
    assert event.changes["count"] == [None, 2]


def test_a_preprinted_sheet_has_every_label_of_every_number_with_a_blank_date(
    facility, users_by_name, running_drive
):
    numbers = labels.preprint_dins(by=users_by_name["drive_nurse"], drive=running_drive(), count=2)
    html = labels.preprinted_sheet_html(numbers, establishment="Trung tâm")
    assert len(HTML(string=html).render().pages) == 8
    assert html.count('class="blank"') == 8
    scans = re.findall(r'data-scan="([^"]+)"', html)
    assert scans[0] == numbers[0].barcode_data(labels.type3_flag(numbers[0].din))
    assert scans[4].startswith("=" + numbers[1].din)


def _pages(pdf: bytes) -> int:
    """Page objects in a PDF, looked for in its compressed object streams too."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page\b", part)) for part in parts)


def test_the_preprint_page_reserves_the_numbers_and_the_worker_draws_the_pdf(
    login, facility, running_drive, monkeypatch
):
    monkeypatch.setattr(labels, "SHEET_PART", 1)  # two parts joined into one PDF
    drive = running_drive()
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    assert client.get("/labels/preprint/").status_code == 200
    response = client.post("/labels/preprint/", {"drive": str(drive.uuid), "count": 2})
    assert response.status_code == 302 and response["Location"].startswith("/tasks/")
    assert DinCounter.objects.get(facility=facility).last_sequence == 2  # reserved at once
    task = Task.objects.get(uuid=response["Location"].split("/")[2])
    assert task.kind == "collection.preprint_sheet" and task.status == Task.Status.QUEUED
    tasks.run_pending()
    task.refresh_from_db()
    assert (task.status, task.stage, task.done, task.total) == ("done", "writing", 2, 2)
    page = client.get(response["Location"]).content.decode()
    assert "Pre-printed label sheet" in page and f"/tasks/{task.uuid}/download/" in page
    pdf = client.get(f"/tasks/{task.uuid}/download/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    first, last = task.params["dins"]
    assert task.output_name == f"{first}-{last}.pdf"
    assert _pages(pdf.content) == 8  # 4 labels a number, the two parts joined
    assert login("physician").get(f"/tasks/{task.uuid}/download/").status_code == 404


@pytest.mark.parametrize("count", [0, labels.MAX_PREPRINT + 1])
def test_the_preprint_count_is_bounded(login, facility, running_drive, count):
    drive = running_drive()
    response = login("drive_nurse").post(
        "/labels/preprint/", {"drive": str(drive.uuid), "count": count}
    )
    assert response.status_code == 400
    assert not DinCounter.objects.exists()


def test_preprinting_needs_a_place_with_a_facility_number_where_one_records(login, running_drive):
    running_drive()
    assert login("drive_nurse").get("/labels/preprint/").status_code == 403  # no FIN yet
    assert login("unit_organiser").get("/labels/preprint/").status_code == 403

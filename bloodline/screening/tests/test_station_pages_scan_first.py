"""Station pages at festival scale (issue 14 B1, decision 0043): check-in opens on its
scan/search field, every queue is one page of 20 loaded as a fragment, the number of queries
does not grow with the queue, a step posted by HTMX is answered with the station's next main
area, and without JavaScript the post still redirects back to the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bloodline.donors.access import registry_for
from bloodline.donors.models import Donor
from bloodline.drives.models import Channel, Drive, Registration
from bloodline.screening.models import Presentation, Step
from bloodline.screening.tests.conftest import no_answers

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def url(drive: Drive, slug: str, queue: bool = False) -> str:
    return reverse("stations:queue" if queue else "stations:station", args=[drive.uuid, slug])


def crowd(drive: Drive, users: dict[str, Any], count: int, step: str = "") -> None:
    """``count`` generated people registered at the drive (and checked in up to ``step``),
    written in bulk: the pages are measured, not the writers."""
    start = Donor.objects.count()
    donors = Donor.objects.bulk_create(
        Donor(full_name=f"Hàng đợi {start + n:04d}", registry=registry_for(drive.establishment))
        for n in range(count)
    )
    slot = drive.slots.order_by("starts_at").first()
    host = drive.hosts.first()
    registrations = Registration.objects.bulk_create(
        Registration(
            drive=drive,
            slot=slot,
            donor=d,
            mobilised_by=host,
            channel=Channel.WALK_IN,
            registered_by=users["unit_organiser"],
        )
        for d in donors
    )
    if step:
        Presentation.objects.bulk_create(
            Presentation(
                drive=drive,
                donor=r.donor,
                registration=r,
                step=step,
                arrived_at=timezone.now(),
                checked_in_by=users["drive_nurse"],
            )
            for r in registrations
        )


def queries(client: Any, path: str, **extra: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, **extra).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("slug", "step"),
    [("checkin", ""), ("questionnaire", Step.QUESTIONNAIRE), ("collection", Step.COLLECTION)],
)
def test_queries_do_not_grow_with_the_queue(
    drive: Drive, english: Any, users: dict[str, Any], slug: str, step: str
) -> None:
    nurse = english("drive_nurse")
    crowd(drive, users, 5, step)
    nurse.get(url(drive, slug))  # the session's first request writes what later ones read
    small = (queries(nurse, url(drive, slug)), queries(nurse, url(drive, slug, queue=True)))
    crowd(drive, users, 195, step)
    large = (queries(nurse, url(drive, slug)), queries(nurse, url(drive, slug, queue=True)))
    assert small == large
    # And a later page costs the same as the first.
    assert queries(nurse, url(drive, slug, queue=True) + "?page=7") == large[1]


def test_a_festival_queue_is_paged_twenty_at_a_time_without_a_form_per_row(
    drive: Drive, english: Any, users: dict[str, Any]
) -> None:
    nurse = english("drive_nurse")
    crowd(drive, users, 5)
    few = nurse.get(url(drive, "checkin")).content.decode()
    crowd(drive, users, 595)
    page = nurse.get(url(drive, "checkin")).content.decode()
    assert page.count("<form") == few.count("<form")  # the scan form, not one per donor
    assert page.count('href="?r=') == 20 and "Page 1 of 30" in page
    assert '<span class="badge">600</span>' in page
    last = nurse.get(url(drive, "checkin", queue=True) + "?page=30").content.decode()
    assert last.count('href="?r=') == 20 and "Hàng đợi 0599" in last
    assert "Next page" not in last and "Previous page" in last
    assert 'hx-trigger="every 5s"' in last and "page=30" in last  # polls the page it shows


def test_check_in_opens_on_the_scan_field_and_searches_by_name_and_phone(
    drive: Drive, english: Any, register: Any
) -> None:
    nurse = english("drive_nurse")
    booked = register(drive, full_name="Phạm Thị Hồng Nhung", phone="0912345678").registration
    page = nurse.get(url(drive, "checkin")).content.decode()
    first_input = re.search(r'<input type="text" name="(\w+)"', page)
    assert first_input is not None and first_input.group(1) == "scan"
    assert "autofocus" in page.split('name="scan"')[1].split(">")[0]
    for typed in ("hong nhung", "0912 345 678"):
        found = nurse.post(url(drive, "checkin"), {"scan": typed, "search": "1"}).content.decode()
        assert f'href="?r={booked.uuid}"' in found and "registered" in found
    assert not Presentation.objects.exists()  # searching checks nobody in


def test_a_scan_nobody_answers_to_lists_what_the_words_find(
    drive: Drive, english: Any, register: Any
) -> None:
    nurse = english("drive_nurse")
    booked = register(drive, full_name="Đỗ Minh Khoa").registration
    answer = nurse.post(url(drive, "checkin"), {"scan": "minh khoa"}).content.decode()
    assert "Nobody was found for this code" in answer
    assert f'href="?r={booked.uuid}"' in answer


def test_choosing_from_the_queue_shows_one_form_that_checks_the_donor_in(
    drive: Drive, english: Any, register: Any
) -> None:
    nurse = english("drive_nurse")
    booked = register(drive, full_name="Vũ Thị Lan").registration
    page = nurse.get(url(drive, "checkin") + f"?r={booked.uuid}").content.decode()
    assert "Check in Vũ Thị Lan" in page and f'value="{booked.uuid}"' in page
    response = nurse.post(url(drive, "checkin"), {"scan": str(booked.uuid)})
    assert response.status_code == 302
    assert Presentation.objects.get(registration=booked).step == Step.QUESTIONNAIRE


def test_a_step_posted_by_htmx_answers_with_the_next_fragment(
    drive: Drive, english: Any, register: Any, arrive: Any
) -> None:
    nurse = english("drive_nurse")
    booked = register(drive, full_name="Hoàng Văn Tú").registration
    response = nurse.post(url(drive, "checkin"), {"scan": str(booked.uuid)}, **HX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div id="station-main"')
    assert "Hoàng Văn Tú is checked in." in body and 'role="status"' in body
    assert 'name="scan"' in body  # a fresh scan field, ready for the next donor
    assert response["HX-Replace-Url"] == url(drive, "checkin")
    # The next station: the answer is the queue again, without the donor just saved.
    presentation = Presentation.objects.get(registration=booked)
    form = {"presentation": str(presentation.uuid)} | no_answers(presentation)
    body = nurse.post(url(drive, "questionnaire"), form, **HX).content.decode()
    assert "The answers of Hoàng Văn Tú are saved." in body
    assert "Choose a donor from the queue." in body
    # A refused step answers with the same fragment and the errors at their fields.
    presentation.refresh_from_db()
    bad = {"presentation": str(presentation.uuid), "weight_kg": "12"}
    body = nurse.post(url(drive, "vitals"), bad, **HX).content.decode()
    assert '<div id="station-main"' in body and "has-error" in body


def test_without_javascript_the_post_redirects_back_to_the_station(
    drive: Drive, english: Any, register: Any
) -> None:
    nurse = english("drive_nurse")
    booked = register(drive).registration
    response = nurse.post(url(drive, "checkin"), {"scan": str(booked.uuid)}, follow=True)
    assert response.redirect_chain == [(url(drive, "checkin"), 302)]
    assert "is checked in." in response.content.decode()


def test_the_din_label_of_an_earlier_donation_finds_its_donor(
    drive: Drive, english: Any, register: Any
) -> None:
    from bloodline.collection.models import Donation
    from bloodline.lib import isbt128

    booked = register(drive, full_name="Lý Thị Mai").registration
    Donation.objects.create(
        din="W000325000042",
        donor=booked.donor,
        establishment=drive.establishment,
        collected_at=timezone.now(),
        donation_type="whole_blood",
        volume_ml=350,
        bag_volume_ml=350,
        credited_to=drive.establishment,
    )
    scanned = "=" + "W000325000042" + "00"  # as a scanner reads the label
    assert isbt128.parse(scanned).din == "W000325000042"
    found = (
        english("drive_nurse")
        .post(url(drive, "checkin"), {"scan": scanned, "search": "1"})
        .content.decode()
    )
    assert f'href="?r={booked.uuid}"' in found

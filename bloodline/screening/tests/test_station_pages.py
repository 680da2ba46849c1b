from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from bloodline.drives.models import Drive, DriveStatus
from bloodline.screening.models import Presentation, Step
from bloodline.screening.tests.conftest import HEALTHY, no_answers

pytestmark = pytest.mark.django_db
SLUGS = ["checkin", "questionnaire", "vitals", "physician", "collection", "post"]


def url(drive: Drive, slug: str, queue: bool = False) -> str:
    return reverse("stations:queue" if queue else "stations:station", args=[drive.uuid, slug])


@pytest.mark.parametrize("slug", SLUGS)
def test_the_drive_nurse_and_physician_open_every_station(
    drive: Drive, english: Any, slug: str
) -> None:
    physician = english("physician")
    response = physician.get(url(drive, slug))
    assert response.status_code == 200
    assert 'hx-trigger="every 5s"' in response.content.decode()
    expected = 403 if slug == "physician" else 200
    assert english("drive_nurse").get(url(drive, slug)).status_code == expected


def test_visible_but_not_allowed_answers_403(drive: Drive, english: Any) -> None:
    assert english("lab_technician").get(url(drive, "checkin")).status_code == 403
    assert english("unit_organiser").get(url(drive, "vitals", queue=True)).status_code == 403


def test_outside_the_scope_answers_404(drive: Drive, english: Any, make_drive: Any) -> None:
    outsider = english("cn_establishment_admin")
    assert outsider.get(url(drive, "checkin")).status_code == 404
    assert outsider.get(url(drive, "checkin", queue=True)).status_code == 404
    assert english("drive_nurse").get(url(drive, "nowhere")).status_code == 404
    proposed = make_drive(DriveStatus.PROPOSED)
    assert outsider.get(url(proposed, "checkin")).status_code == 404


def test_the_scan_field_has_focus_and_a_scan_checks_the_donor_in(
    drive: Drive, english: Any, register: Any
) -> None:
    nurse = english("drive_nurse")
    registration = register(drive).registration
    page = nurse.get(url(drive, "checkin")).content.decode()
    assert 'name="scan"' in page and "autofocus" in page
    assert (
        registration.donor.full_name
        in nurse.get(url(drive, "checkin", queue=True)).content.decode()
    )
    response = nurse.post(url(drive, "checkin"), {"scan": str(registration.uuid)}, follow=True)
    assert "is checked in" in response.content.decode()
    presentation = Presentation.objects.get(registration=registration)
    queue = nurse.get(url(drive, "questionnaire", queue=True)).content.decode()
    assert registration.donor.full_name in queue and str(presentation.uuid) in queue


def test_a_wrong_drive_scan_is_shown_at_the_scan_field(
    drive: Drive, english: Any, register: Any, make_drive: Any
) -> None:
    other = make_drive(DriveStatus.CONFIRMED, title="Trường THPT Lê Lợi")
    registration = register(other).registration
    response = english("drive_nurse").post(url(drive, "checkin"), {"scan": str(registration.uuid)})
    assert response.status_code == 200
    assert "another drive: Trường THPT Lê Lợi" in response.content.decode()


def test_a_donor_goes_through_the_screening_pages(drive: Drive, english: Any, arrive: Any) -> None:
    nurse, physician = english("drive_nurse"), english("physician")
    presentation = arrive()
    p = {"presentation": str(presentation.uuid)}
    page = nurse.get(url(drive, "questionnaire") + f"?p={presentation.uuid}").content.decode()
    assert "Have you had a tattoo in the last 6 months?" in page
    nurse.post(url(drive, "questionnaire"), p | no_answers(presentation))
    bad = nurse.post(url(drive, "vitals"), p | HEALTHY | {"weight_kg": "12"})
    assert bad.status_code == 200 and "has-error" in bad.content.decode()
    nurse.post(url(drive, "vitals"), p | HEALTHY)
    page = physician.get(url(drive, "physician") + f"?p={presentation.uuid}").content.decode()
    assert 'value="accept"' in page and 'value="override"' not in page
    physician.post(url(drive, "physician"), p | {"decision": "accept", "volume_ml": "350"})
    nurse.post(
        url(drive, "collection"),
        p | {"bag_type": "triple", "volume_ml": "350", "started_at": "00:00", "ended_at": "00:01"},
    )
    nurse.post(url(drive, "post"), p)
    presentation.refresh_from_db()
    assert presentation.step == Step.DONE and presentation.donation is not None

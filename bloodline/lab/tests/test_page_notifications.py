"""Look-back notifications: the hospital that received a unit from a donor later confirmed
positive sees the task and acknowledges it; the laboratory sees it too but cannot answer
for the hospital."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.demo.factories import distribution as factories
from bloodline.distribution import actions as distribution
from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.lab import imports
from bloodline.lab.models import NotificationTask

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English
NOTIFICATIONS = reverse("lab:notifications")


@pytest.fixture
def task(centre: Any) -> NotificationTask:
    """A red-cell unit issued to the hospital; the donor's next donation is confirmed
    positive for HIV, which raises the look-back."""
    red, _plasma = centre.stocked("O", "pos")
    order = distribution.place_order(
        by=centre.hospital_user,
        hospital=centre.hospital,
        supplier=centre.centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(hours=4),
        lines=[distribution.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    distribution.allocate(by=centre.clerk, order=order)
    scans = factories.label_scans(red)
    distribution.pick(
        by=centre.clerk, order=order, din_scan=scans["din_scan"], product_scan=scans["product_scan"]
    )
    distribution.dispatch(by=centre.clerk, order=order, packed_count=1)
    later = centre.donation(donor=red.donation.donor)
    rows = [
        {"din": later.din, "test": "hiv", "stage": stage, "result": reading, "result_id": stage}
        for stage, reading in (
            ("screen", "reactive"),
            ("repeat", "reactive"),
            ("confirmatory", "positive"),
        )
    ]
    batch = imports.import_results(
        by=centre.lab, establishment=centre.centre, file_name="run.csv", content=to_csv(rows)
    )
    assert batch.rows_refused == 0, batch.refused
    return NotificationTask.objects.get(component=red, kind="lookback")


def to_csv(rows: list[dict[str, str]]) -> str:
    header = ["din", "test", "stage", "result", "result_id"]
    return "\n".join([",".join(header), *(",".join(r[c] for c in header) for r in rows)]) + "\n"


def test_the_hospital_acknowledges_a_notification(task: NotificationTask, english: Any) -> None:
    hospital = english("hospital_user")
    page = hospital.get(NOTIFICATIONS).content.decode()
    assert task.component.donation.din in page and "Acknowledge" in page
    url = reverse("lab:acknowledge", args=[task.uuid])
    response = hospital.post(url, {"response": "Unit withdrawn from the fridge."}, follow=True)
    assert "The notification is acknowledged." in response.content.decode()
    task.refresh_from_db()
    assert task.acknowledged_by.username == "hospital_user"
    assert task.response == "Unit withdrawn from the fridge."


def test_an_acknowledgement_needs_a_response(task: NotificationTask, english: Any) -> None:
    url = reverse("lab:acknowledge", args=[task.uuid])
    response = english("hospital_user").post(url, {"response": ""})
    assert "Say what was done with the unit or the recipient." in response.content.decode()
    task.refresh_from_db()
    assert task.acknowledged_at is None


def test_the_laboratory_sees_the_task_but_cannot_acknowledge_for_the_hospital(
    task: NotificationTask, english: Any
) -> None:
    lab = english("lab_technician")
    page = lab.get(NOTIFICATIONS).content.decode()
    assert task.component.donation.din in page
    assert "The hospital acknowledges this notification." in page
    response = lab.post(reverse("lab:acknowledge", args=[task.uuid]), {"response": "Done"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.acknowledged_at is None


def test_another_country_does_not_see_the_task(task: NotificationTask, english: Any) -> None:
    outsider = english("cn_establishment_admin")
    assert task.component.donation.din not in outsider.get(NOTIFICATIONS).content.decode()
    url = reverse("lab:acknowledge", args=[task.uuid])
    assert outsider.post(url, {"response": "x"}).status_code == 404

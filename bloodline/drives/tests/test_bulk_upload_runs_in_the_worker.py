"""A registration workbook is checked and registered by the worker, not in the request
(decision 0044): the upload answers at once with the task's page, the worker reports its
progress, and only the organiser who uploaded sees the outcome."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bloodline.drives.models import DriveStatus, Registration
from bloodline.drives.tests.test_bulk_upload import person, workbook
from bloodline.jobs import tasks
from bloodline.jobs.models import Task


@pytest.fixture
def drive(make_drive):
    return make_drive(DriveStatus.CONFIRMED)


@pytest.fixture
def organiser(demo, english) -> Client:
    return english("unit_organiser")


def _send(client: Client, demo, drive, rows) -> Task:
    response = client.post(
        f"/drives/{drive.uuid}/upload/",
        {
            "file": SimpleUploadedFile("dang-ky.xlsx", workbook(rows)),
            "unit": str(demo.nodes["vn_garment"].uuid),
        },
    )
    assert response.status_code == 302 and response["Location"].startswith("/tasks/")
    return Task.objects.get(uuid=response["Location"].split("/")[2])


def test_the_upload_answers_at_once_and_the_worker_registers(demo, drive, organiser) -> None:
    task = _send(organiser, demo, drive, [person(1), person(2, "07:30"), person(3, "08:00")])
    assert task.kind == "drives.bulk_upload" and task.upload_name == "dang-ky.xlsx"
    assert not Registration.objects.exists()  # nothing yet: the worker has not run
    page = organiser.get(task.get_absolute_url()).content.decode()
    assert "Registering people from a workbook" in page and "<progress" in page
    tasks.run_pending()
    task.refresh_from_db()
    assert (task.status, task.stage, task.done, task.total) == ("done", "registering", 3, 3)
    assert task.result["registered"] == 3 and Registration.objects.count() == 3
    fragment = organiser.get(f"/tasks/{task.uuid}/progress/", headers={"HX-Request": "true"})
    assert fragment["HX-Redirect"] == task.result["result_url"]
    landed = organiser.get(task.result["result_url"], follow=True).content.decode()
    assert "3 people were registered." in landed


def test_a_refused_workbook_is_checked_outside_any_write(demo, drive, organiser) -> None:
    task = _send(organiser, demo, drive, [person(1), person(2, code="VN-NOPE-1")])
    tasks.run_pending()
    task.refresh_from_db()
    assert (task.stage, task.done, task.total) == ("checking", 2, 2)
    assert task.result["refused"] and task.result["problems"] == 1
    assert not Registration.objects.exists()
    # The rows naming people sit in the task's file, which the retention clears.
    assert "Công nhân 1" not in str(task.result)
    kept = json.loads(bytes(task.output))
    assert kept["valid"][0][1]["full_name"] == "Công nhân 1"


def test_the_outcome_is_the_uploaders_only(demo, drive, organiser, login) -> None:
    task = _send(organiser, demo, drive, [person(1), person(2, code="VN-NOPE-1")])
    tasks.run_pending()
    task.refresh_from_db()
    other = login("district_committee")  # may register for this drive too, not the owner
    assert other.get(task.result["result_url"]).status_code == 404
    assert organiser.get(task.result["result_url"]).status_code == 200


def test_an_outcome_cleared_by_the_retention_asks_for_the_workbook_again(
    demo, drive, organiser
) -> None:
    task = _send(organiser, demo, drive, [person(1), person(2, code="VN-NOPE-1")])
    tasks.run_pending()
    task.refresh_from_db()
    Task.objects.filter(pk=task.pk).update(output=b"")
    response = organiser.get(task.result["result_url"], follow=True)
    assert "This list has expired. Upload the workbook again." in response.content.decode()


def test_a_file_that_is_not_a_workbook_fails_the_task_with_its_reason(
    demo, drive, organiser
) -> None:
    task = _send(organiser, demo, drive, [])
    Task.objects.filter(pk=task.pk).update(upload=b"Full name,Date of birth\n")
    tasks.run_pending()
    task.refresh_from_db()
    assert task.status == "failed"
    assert task.error.startswith("This file is not an Excel workbook (.xlsx).")

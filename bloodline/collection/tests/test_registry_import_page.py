"""The registry import page: an establishment administrator uploads a legacy file, sees the
run's counts and refused rows and downloads the refusal report; a check-only run writes
nothing; a file that cannot be read says why."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bloodline.collection.models import RegistryImport
from bloodline.donors.models import Donor
from bloodline.jobs import tasks
from bloodline.jobs.models import Task

FILE = (
    b"legacy_id,full_name,sex,date_of_birth,donation_date,volume_ml\n"
    b"P1,Generated Person One,F,1990-01-01,2024-01-02,350\n"
    b"P2,Generated Person Two,Q,1990-01-01,,\n"
)


def english(client: Any) -> Any:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post(client: Any, demo: Any, data: bytes, name: str = "legacy.csv", **extra: Any) -> Any:
    return client.post(
        reverse("registry_import:upload"),
        {
            "establishment": str(demo.nodes["vn_centre"].uuid),
            "source": "old-system",
            "file": SimpleUploadedFile(name, data),
            **extra,
        },
    )


def queued_and_run(client: Any, demo: Any, data: bytes, **extra: Any) -> Task:
    answer = post(client, demo, data, **extra)
    queued = Task.objects.get()
    assert answer.status_code == 302 and answer["Location"] == queued.get_absolute_url()
    assert queued.status == Task.Status.QUEUED
    (done,) = tasks.run_pending()
    return done


@pytest.mark.django_db
def test_an_administrator_imports_a_file_in_the_worker_and_reads_the_refusals(
    demo: Any, login: Any
) -> None:
    client = english(login("establishment_admin"))
    assert client.get(reverse("registry_import:upload")).status_code == 200
    done = queued_and_run(client, demo, FILE)
    run = RegistryImport.objects.get()
    assert done.status == Task.Status.DONE and done.total == done.done == 2
    assert done.result["result_url"] == reverse("registry_import:run", args=[run.uuid])
    assert "Open the result" in client.get(done.get_absolute_url()).content.decode()
    page = client.get(done.result["result_url"]).content.decode()
    assert "The sex cannot be read: write M or F." in page
    assert Donor.objects.filter(legacy_ids__run=run).count() == 1
    report = client.get(reverse("registry_import:rejected_csv", args=[run.uuid]))
    assert report["Content-Type"].startswith("text/csv")
    assert "3,P2," in report.content.decode("utf-8-sig")
    xlsx = client.get(reverse("registry_import:rejected_xlsx", args=[run.uuid]))
    assert xlsx.content.startswith(b"PK")


@pytest.mark.django_db
def test_a_check_only_run_offers_the_refusals_and_writes_nothing(demo: Any, login: Any) -> None:
    client = english(login("establishment_admin"))
    done = queued_and_run(client, demo, FILE, dry_run="on")
    assert done.status == Task.Status.DONE
    assert "3,P2,The sex cannot be read" in bytes(done.output).decode("utf-8-sig")
    assert not RegistryImport.objects.exists()
    assert not Donor.objects.filter(full_name="Generated Person One").exists()


@pytest.mark.django_db
def test_a_file_without_the_needed_columns_says_which(demo: Any, login: Any) -> None:
    client = english(login("establishment_admin"))
    done = queued_and_run(client, demo, b"surname\nSomebody\n")
    assert done.status == Task.Status.FAILED
    assert done.error == "The file needs the columns legacy_id, full_name."
    assert not RegistryImport.objects.exists()


@pytest.mark.django_db
def test_a_drive_nurse_may_not_import(demo: Any, login: Any) -> None:
    client = english(login("drive_nurse"))
    assert client.get(reverse("registry_import:upload")).status_code == 403
    assert post(client, demo, FILE).status_code == 403
    assert not Task.objects.exists() and not RegistryImport.objects.exists()


@pytest.mark.django_db
def test_a_legacy_donation_shows_in_the_donors_history_without_a_din(demo: Any, login: Any) -> None:
    client = english(login("establishment_admin"))
    queued_and_run(client, demo, FILE)
    donor = Donor.objects.get(full_name="Generated Person One")
    page = client.get(reverse("donors:detail", args=[donor.uuid])).content.decode()
    assert "imported, no DIN" in page and "L~" not in page
    trace = client.get(reverse("trace:donor", args=[donor.uuid]))
    assert trace.status_code == 200 and "imported, no DIN" in trace.content.decode()

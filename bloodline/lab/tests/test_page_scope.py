"""Each laboratory page opens for the people whose work it is, and for nobody else: 404 when
the donation lies outside a person's scope, 403 when they see it but do not test there."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.lab import actions, imports
from bloodline.lab.models import TestResult

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English


def sample_url(donation: Any) -> str:
    return reverse("lab:sample", args=[donation.din])


def test_the_lab_technician_opens_every_laboratory_page(centre: Any, english: Any) -> None:
    donation = centre.donation()
    actions.receive_sample(by=centre.lab, donation=donation)
    batch = imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content="din,test,result\n" + donation.din + ",hiv,non_reactive\n",
    )
    lab = english("lab_technician")
    for url in (
        reverse("lab:worklist"),
        sample_url(donation),
        reverse("lab:import"),
        reverse("lab:batch", args=[batch.uuid]),
        reverse("lab:notifications"),
    ):
        assert lab.get(url).status_code == 200, url


def test_hospital_users_and_drive_nurses_cannot_open_a_sample(centre: Any, english: Any) -> None:
    donation = centre.donation()
    actions.receive_sample(by=centre.lab, donation=donation)
    assert english("hospital_user").get(sample_url(donation)).status_code == 404
    assert english("drive_nurse").get(sample_url(donation)).status_code == 403
    assert english("hospital_user").get(reverse("lab:worklist")).status_code == 403
    assert english("drive_nurse").get(reverse("lab:worklist")).status_code == 403
    assert english("drive_nurse").get(reverse("lab:import")).status_code == 403


def test_a_chinese_establishment_admin_cannot_see_a_vietnamese_sample(
    centre: Any, english: Any
) -> None:
    donation = centre.donation()
    actions.receive_sample(by=centre.lab, donation=donation)
    batch = imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content="din,test,result\n" + donation.din + ",hiv,non_reactive\n",
    )
    outsider = english("cn_establishment_admin")
    assert outsider.get(sample_url(donation)).status_code == 404
    assert outsider.get(reverse("lab:batch", args=[batch.uuid])).status_code == 404
    # Their own worklist opens, without the Vietnamese donation on it.
    page = outsider.get(reverse("lab:worklist"))
    assert page.status_code == 200 and donation.din not in page.content.decode()


def test_an_unknown_or_malformed_din_answers_404(centre: Any, english: Any) -> None:
    lab = english("lab_technician")
    assert lab.get(reverse("lab:sample", args=["G9999269999990"])).status_code == 404
    assert lab.get(reverse("lab:sample", args=["not-a-din"])).status_code == 404


def test_a_drive_nurse_cannot_enter_a_result_and_nothing_is_recorded(
    centre: Any, english: Any
) -> None:
    donation = centre.donation()
    actions.receive_sample(by=centre.lab, donation=donation)
    response = english("drive_nurse").post(
        reverse("lab:enter", args=[donation.din]),
        {"test": "hiv", "stage": "screen", "reading": "non_reactive"},
    )
    assert response.status_code == 403
    assert not TestResult.objects.exists()


def test_notifications_open_for_hospitals_and_laboratories_only(english: Any, centre: Any) -> None:
    url = reverse("lab:notifications")
    assert english("hospital_user").get(url).status_code == 200
    assert english("establishment_admin").get(url).status_code == 200
    assert english("drive_nurse").get(url).status_code == 403
    assert english("donor").get(url).status_code == 403

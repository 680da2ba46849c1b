"""Results through the pages: one person enters, another verifies; a correction is a new
result with its reason; nobody verifies their own result."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.lab import actions
from bloodline.lab.models import RequiredTest, TestResult

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English
HIV = {"test": "hiv", "stage": "screen", "reading": "non_reactive", "manufacturer": "Maker 1"}


@pytest.fixture
def sample(centre: Any) -> Any:
    return actions.receive_sample(by=centre.lab, donation=centre.donation())


def urls(sample: Any, result: Any = None) -> dict[str, str]:
    din = sample.donation.din
    found = {"sample": reverse("lab:sample", args=[din]), "enter": reverse("lab:enter", args=[din])}
    if result is not None:
        found["verify"] = reverse("lab:verify", args=[din, result.uuid])
        found["correct"] = reverse("lab:correct", args=[din, result.uuid])
    return found


def test_one_person_enters_a_result_and_another_verifies_it(sample: Any, english: Any) -> None:
    lab = english("lab_technician")
    response = lab.post(urls(sample)["enter"], HIV | {"reagent_lot": "L-42"}, follow=True)
    page = response.content.decode()
    assert "It counts once another person verifies it." in page
    result = TestResult.objects.get(sample=sample)
    assert (result.entered_by.username, result.reagent_lot, result.verified_at) == (
        "lab_technician",
        "L-42",
        None,
    )
    assert "awaiting verification" in page
    response = english("establishment_admin").post(urls(sample, result)["verify"], follow=True)
    assert "The HIV marker result is verified." in response.content.decode()
    result.refresh_from_db()
    assert result.verified_by.username == "establishment_admin"


def test_it_refuses_verification_by_the_person_who_entered_the_result(
    sample: Any, centre: Any, english: Any
) -> None:
    result = actions.record_result(by=centre.lab, sample=sample, **HIV)
    response = english("lab_technician").post(urls(sample, result)["verify"], follow=True)
    assert "verified by someone other than the person who entered it" in response.content.decode()
    result.refresh_from_db()
    assert result.verified_at is None and result.verified_by is None


def test_a_correction_needs_a_reason(sample: Any, centre: Any, english: Any) -> None:
    result = actions.record_result(by=centre.lab, sample=sample, **HIV)
    lab = english("establishment_admin")
    response = lab.post(urls(sample, result)["correct"], {"reading": "reactive", "reason": " "})
    assert response.status_code == 200
    assert "Give the reason for the correction." in response.content.decode()
    assert TestResult.objects.count() == 1


def test_a_correction_is_a_new_result_and_the_old_one_is_struck_through(
    sample: Any, centre: Any, english: Any
) -> None:
    result = actions.record_result(by=centre.lab, sample=sample, **HIV)
    lab = english("establishment_admin")
    data = {"reading": "reactive", "reason": "Read from the wrong well"}
    response = lab.post(urls(sample, result)["correct"], data, follow=True)
    page = response.content.decode()
    correction = TestResult.objects.get(corrects=result)
    assert (correction.reading, correction.correction_reason) == ("reactive", data["reason"])
    assert "<del>non-reactive</del>" in page and "Read from the wrong well" in page
    result.refresh_from_db()
    assert result.reading == "non_reactive"  # never edited


def test_it_refuses_a_reading_the_test_cannot_take(sample: Any, english: Any) -> None:
    response = english("lab_technician").post(urls(sample)["enter"], HIV | {"reading": "A"})
    assert "is not a possible result of this test" in response.content.decode()
    assert not TestResult.objects.exists()


def test_the_reading_select_offers_the_readings_of_the_chosen_test(
    sample: Any, english: Any
) -> None:
    url = reverse("lab:readings", args=[sample.donation.din])
    lab = english("lab_technician")
    group = lab.get(url, {"test": "abo", "stage": "screen"}).content.decode()
    assert 'value="O"' in group and 'value="reactive"' not in group
    confirm = lab.get(url, {"test": "hiv", "stage": "confirmatory"}).content.decode()
    assert 'value="positive"' in confirm and 'value="non_reactive"' not in confirm


def test_a_test_required_only_when_indicated_is_ordered(sample: Any, english: Any) -> None:
    assert not RequiredTest.objects.get(sample=sample, code="malaria").required
    url = reverse("lab:order_test", args=[sample.donation.din])
    response = english("lab_technician").post(url, {"test": "malaria"}, follow=True)
    assert "Test malaria is ordered" in response.content.decode()
    assert RequiredTest.objects.get(sample=sample, code="malaria").required


def test_with_htmx_the_answer_is_the_refreshed_work_section(sample: Any, english: Any) -> None:
    lab = english("lab_technician")
    response = lab.post(urls(sample)["enter"], HIV, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<div id="lab-work">') and "<html" not in page
    assert "It counts once another person verifies it." in page
    assert TestResult.objects.filter(sample=sample).count() == 1

"""A measured test (ALT in the Chinese panel) takes its value on the sample page; the
reading select offers only “measured value” for it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.demo.factories import collection
from bloodline.drives.tests import conftest as drive_fixtures
from bloodline.lab import actions
from bloodline.lab.models import TestResult

pytestmark = pytest.mark.django_db
english = drive_fixtures.english  # a signed-in client reading the pages in English


@pytest.fixture
def cn_sample(demo: Any) -> Any:
    centre, unit = demo.nodes["cn_centre"], demo.nodes["cn_district"]
    admin = next(u for p, u in demo.accounts if p.username == "cn_establishment_admin")
    donor = collection.donors(1, unit, prefix="CN donor")[0]
    [donation] = collection.donations(
        [donor],
        credited_to=unit,
        establishment=centre,
        at=timezone.now() - dt.timedelta(hours=2),
        volume_ml=400,
    )
    return actions.receive_sample(by=admin, donation=donation)


def test_a_measured_result_is_entered_with_its_value(cn_sample: Any, english: Any) -> None:
    admin = english("cn_establishment_admin")
    din = cn_sample.donation.din
    readings = admin.get(reverse("lab:readings", args=[din]), {"test": "alt"}).content.decode()
    assert 'value="value"' in readings and 'name="value"' in readings
    assert 'value="non_reactive"' not in readings
    admin.post(
        reverse("lab:enter", args=[din]),
        {"test": "alt", "stage": "screen", "reading": "value", "value": "12,5"},
    )
    result = TestResult.objects.get(sample=cn_sample, test="alt")
    assert (str(result.value), result.acceptable) == ("12.50", True)


def test_a_value_above_the_limit_is_unacceptable(cn_sample: Any, english: Any) -> None:
    english("cn_establishment_admin").post(
        reverse("lab:enter", args=[cn_sample.donation.din]),
        {"test": "alt", "stage": "screen", "reading": "value", "value": "80"},
    )
    assert TestResult.objects.get(sample=cn_sample, test="alt").acceptable is False


def test_a_value_is_refused_for_a_test_that_is_not_measured(cn_sample: Any, english: Any) -> None:
    response = english("cn_establishment_admin").post(
        reverse("lab:enter", args=[cn_sample.donation.din]),
        {"test": "hbsag", "stage": "screen", "reading": "non_reactive", "value": "3"},
    )
    assert "Only a measured test takes a value." in response.content.decode()
    assert not TestResult.objects.exists()

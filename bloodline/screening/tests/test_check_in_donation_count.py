"""The nurse at check-in sees how many times the donor has given and their last donations;
after collection the stations show today's donation's number, the one its e-certificate
prints (issue 13, staff side; decision 0058): an 18th donation is visible as such."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bloodline.collection.certificates import donation_count
from bloodline.demo.factories.collection import donations
from bloodline.drives.models import Drive
from bloodline.screening import actions
from bloodline.screening.models import Presentation

pytestmark = pytest.mark.django_db


def given_before(drive: Drive, donor: Any, demo: Any, times: int) -> None:
    """``times`` complete whole-blood donations over the past years, and one collection that
    stopped short (not a donation: the certificate does not count it)."""
    now = timezone.now()
    place = {"credited_to": demo.nodes["vn_garment"], "establishment": drive.establishment}
    for n in range(times):
        donations([donor], at=now - dt.timedelta(days=120 * (n + 1)), **place)
    early = now - dt.timedelta(days=120 * (times + 1))
    donations([donor], at=early, volume_ml=120, bag_ml=350, incomplete_reason="poor_flow", **place)


def station(drive: Drive, slug: str) -> str:
    return reverse("stations:station", args=[drive.uuid, slug])


def test_the_eighteenth_donation_is_visible_at_check_in_and_after_collection(
    drive: Drive, register: Any, english: Any, demo: Any
) -> None:
    booked = register(drive, full_name="Trần Văn Mười Tám").registration
    given_before(drive, booked.donor, demo, 17)
    client = english("drive_nurse")

    page = client.get(station(drive, "checkin") + f"?r={booked.uuid}").content.decode()
    assert 'data-donations-made="17">17 donations before today' in page
    assert 'data-donation-number="18">Today would be donation no. 18' in page

    client.post(station(drive, "checkin"), {"scan": str(booked.uuid)})
    presentation = Presentation.objects.get(registration=booked)
    page = client.get(station(drive, "questionnaire") + f"?p={presentation.uuid}").content
    assert b"Today would be donation no. 18" in page


def test_after_collection_the_post_care_station_names_the_donation_by_its_number(
    drive: Drive, demo: Any, register: Any, nurse: Any, physician: Any, english: Any
) -> None:
    from bloodline.screening.tests.conftest import HEALTHY, no_answers

    booked = register(drive).registration
    given_before(drive, booked.donor, demo, 17)
    presentation = actions.check_in(by=nurse, drive=drive, scan=str(booked.uuid)).presentation
    presentation = actions.record_answers(
        by=nurse, presentation=presentation, answers=no_answers(presentation)
    )
    presentation = actions.record_vitals(by=nurse, presentation=presentation, **HEALTHY)
    presentation = actions.physician_decide(
        by=physician, presentation=presentation, decision="accept", volume_ml=350
    )
    end = timezone.now() - dt.timedelta(minutes=1)
    donation = actions.collect(
        by=nurse,
        presentation=presentation,
        bag_type="triple",
        volume_ml=350,
        started_at=end - dt.timedelta(minutes=8),
        ended_at=end,
    )
    assert donation_count(donation) == 18  # the e-certificate's count
    page = english("drive_nurse").get(station(drive, "post") + f"?p={presentation.uuid}")
    html = page.content.decode()
    assert 'data-donation-number="18">Today\'s donation is donation no. 18' in html
    assert 'data-donations-made="17"' in html

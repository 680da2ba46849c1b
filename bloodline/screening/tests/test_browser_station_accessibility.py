"""The check-in and collection stations pass axe-core (decision 0036) in English and in
Vietnamese, on a desktop and on a 320 px phone: check-in as it opens on its scan field with a
paged queue, after a search, with a donor chosen from the queue; collection with the donor
chosen and after a refused step's answer was swapped in by HTMX (decision 0043)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bloodline.screening.tests.test_browser_stations import answered
from bloodline.web.tests import test_browser
from bloodline.web.tests.axe import assert_accessible
from bloodline.web.tests.test_accessibility import in_language, on_a_phone

browser_context = test_browser.browser_context
page = test_browser.page

pytestmark = pytest.mark.browser


def checked(page: Any) -> None:
    assert_accessible(page)
    on_a_phone(page)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_check_in_and_collection_stations_are_accessible(
    live_server: Any,
    flushable_audit: None,
    page: Any,
    language: str,
) -> None:
    from django.utils import timezone

    from bloodline.accounts.models import User
    from bloodline.collection.models import Facility
    from bloodline.demo.seed import DEMO_PASSWORD, seed
    from bloodline.drives import actions as drive_actions
    from bloodline.drives.models import DriveStatus
    from bloodline.screening import actions
    from bloodline.screening.tests.conftest import HEALTHY, no_answers
    from bloodline.web.tests.test_accessibility import sign_in

    nodes = seed().nodes
    today = timezone.localdate(timezone=ZoneInfo(nodes["vn_centre"].effective_time_zone()))
    Facility.objects.create(establishment=nodes["vn_centre"], fin="W0001")
    admin = User.objects.get(username="establishment_admin")
    drive = drive_actions.create_drive(
        by=admin,
        establishment=nodes["vn_centre"],
        hosts=[nodes["vn_garment"]],
        title="Ngày hội hiến máu",
        venue="Hội trường",
        starts_on=today,
        ends_on=today,
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 0),
        slot_minutes=120,
        beds=4,
    )
    for status in (DriveStatus.CONFIRMED, DriveStatus.RUNNING):
        drive = drive_actions.change_status(by=admin, drive=drive, status=status)
    organiser = User.objects.get(username="unit_organiser")
    slots = list(drive.slots.all())
    registrations = [
        drive_actions.register_person(
            by=organiser,
            drive=drive,
            slot=slots[n % len(slots)],
            full_name=f"Người hiến số {n:02d}",
            date_of_birth=dt.date(1990, 1, 1) + dt.timedelta(days=n),
            sex="F",
            unit=nodes["vn_garment"],
        ).registration
        for n in range(22)  # more than a page of the queue
    ]
    nurse = User.objects.get(username="drive_nurse")
    presentation = actions.check_in(
        by=nurse, drive=drive, scan=str(registrations[0].uuid)
    ).presentation
    presentation = actions.record_answers(
        by=nurse, presentation=presentation, answers=no_answers(presentation)
    )
    presentation = actions.record_vitals(by=nurse, presentation=presentation, **HEALTHY)
    actions.physician_decide(
        by=User.objects.get(username="physician"),
        presentation=presentation,
        decision="accept",
        volume_ml=350,
    )

    in_language(page, live_server.url, language)
    sign_in(page, live_server.url, "drive_nurse", DEMO_PASSWORD)
    base = f"{live_server.url}/stations/{drive.uuid}"

    page.goto(base + "/checkin/")
    assert test_browser.focused_field(page) == "scan"
    assert page.locator(".queue-pages").count() == 1
    checked(page)

    page.fill("#id_scan", "người hiến")
    with answered(page):
        page.locator("button[name=search]").click()
    assert page.locator(".found li").count() == 20  # at most a page of what a name finds
    checked(page)

    page.goto(base + f"/checkin/?r={registrations[5].uuid}")
    checked(page)

    page.goto(base + f"/collection/?p={presentation.uuid}")
    assert test_browser.focused_field(page) == "din"
    checked(page)
    page.fill("#id_volume_ml", "")
    with answered(page):
        page.locator("main form.station-form button[type=submit]").click()
    assert page.locator("#station-main .has-error").count() >= 1
    checked(page)

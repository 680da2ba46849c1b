"""Pre-screening in a browser on a phone (decision 0058), in Vietnamese and Simplified
Chinese: the donor answers, reads "not today" with the engine's date, and the nurse's
questionnaire station opens pre-filled; every page passes axe-core (decision 0036)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bloodline.web.tests import test_browser
from bloodline.web.tests.axe import assert_accessible
from bloodline.web.tests.test_accessibility import in_language, on_a_phone, sign_in

browser_context = test_browser.browser_context
page = test_browser.page

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PASSWORD = "a-donor's-passphrase"


def world() -> tuple[Any, Any]:
    """A drive running today at the Vietnamese centre, and Mai's booking in its open slot,
    with a donor account for her."""
    from django.utils import timezone

    from bloodline.accounts.models import User
    from bloodline.demo.seed import seed
    from bloodline.donors.models import DonorAccount
    from bloodline.drives import actions as drive_actions
    from bloodline.drives.models import DriveStatus

    nodes = seed().nodes
    today = timezone.localdate(timezone=ZoneInfo(nodes["vn_centre"].effective_time_zone()))
    admin = User.objects.get(username="establishment_admin")
    drive = drive_actions.create_drive(
        by=admin,
        establishment=nodes["vn_centre"],
        hosts=[nodes["vn_garment"]],
        title="Ngày hội hiến máu",
        venue="Hội trường",
        starts_on=today,
        ends_on=today + dt.timedelta(days=1),
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 30),
        slot_minutes=240,
        beds=4,
    )
    for status in (DriveStatus.CONFIRMED, DriveStatus.RUNNING):
        drive = drive_actions.change_status(by=admin, drive=drive, status=status)
    now = timezone.now()
    slot = next(s for s in drive.slots.all() if s.ends_at > now)
    booking = drive_actions.register_person(
        by=User.objects.get(username="unit_organiser"),
        drive=drive,
        slot=slot,
        full_name="Nguyễn Thị Mai",
        date_of_birth=dt.date(1995, 3, 8),
        sex="F",
        unit=nodes["vn_garment"],
    ).registration
    user = User.objects.create_user(username="donor_mai", password=PASSWORD, full_name="Mai")
    DonorAccount.objects.create(user=user, donor=booking.donor)
    return drive, booking


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_a_donor_pre_screens_on_a_phone_and_the_station_opens_prefilled(
    live_server: Any, flushable_audit: None, page: Any, language: str
) -> None:
    from bloodline.accounts.models import User
    from bloodline.demo.seed import DEMO_PASSWORD
    from bloodline.screening import actions, prescreen
    from bloodline.screening.models import PreScreen

    drive, booking = world()
    page.set_viewport_size(PHONE)
    in_language(page, live_server.url, language)
    sign_in(page, live_server.url, "donor_mai", PASSWORD)
    page.goto(f"{live_server.url}/donor/prescreen/{booking.uuid}/")
    assert page.locator("[data-testid=prescreen-form]").count() == 1
    assert_accessible(page)
    for radio in page.locator("input[type=radio][value=no]").all():
        radio.check()
    page.locator("input[name=tattoo][value=yes]").check()
    with page.expect_navigation():
        page.locator("[data-testid=prescreen-submit]").click()
    saved = PreScreen.objects.get(registration=booking)
    verdict = prescreen.self_check(saved)
    assert verdict is not None and verdict.eligible_from is not None
    shown = page.locator("[data-eligible-from]")
    assert shown.get_attribute("data-eligible-from") == verdict.eligible_from.isoformat()
    assert_accessible(page)
    on_a_phone(page)

    page.context.clear_cookies()
    in_language(page, live_server.url, language)
    sign_in(page, live_server.url, "drive_nurse", DEMO_PASSWORD)
    nurse = User.objects.get(username="drive_nurse")
    came = actions.check_in(by=nurse, drive=drive, scan=str(booking.uuid)).presentation
    page.goto(f"{live_server.url}/stations/{drive.uuid}/questionnaire/?p={came.uuid}")
    assert page.locator("[data-testid=prescreen-prefilled]").count() == 1
    assert page.locator("input[name=tattoo][value=yes]").is_checked()
    assert_accessible(page)

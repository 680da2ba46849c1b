"""In a real browser: a collection stopped at 40 mL in a 350 mL bag is refused until the
phlebotomist says why, then recorded as incomplete — and the plan's progress counts it
nowhere, while the donor's deferral-free presentation still counts as seen."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bloodline.screening.tests.test_browser_stations import answered, choose, sign_in
from bloodline.web.tests.test_browser import browser_context, page  # noqa: F401

pytestmark = pytest.mark.browser


def test_an_aborted_collection_needs_a_reason_and_is_not_a_donation(
    live_server: Any,
    flushable_audit: None,
    page: Any,  # noqa: F811
) -> None:
    from django.utils import timezone

    from bloodline.accounts.models import User
    from bloodline.collection.models import Donation, Facility
    from bloodline.demo.seed import seed
    from bloodline.drives import actions as drive_actions
    from bloodline.drives.models import DriveStatus
    from bloodline.reports.progress import report
    from bloodline.screening import actions
    from bloodline.screening.tests.conftest import HEALTHY, make_plan, no_answers

    demo = seed()
    nodes = demo.nodes
    # The drive's own calendar day: from 17:00 UTC on it is already tomorrow in Vietnam.
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
        beds=2,
    )
    for status in (DriveStatus.CONFIRMED, DriveStatus.RUNNING):
        drive = drive_actions.change_status(by=admin, drive=drive, status=status)
    plan = make_plan(demo)
    registration = drive_actions.register_person(
        by=User.objects.get(username="unit_organiser"),
        drive=drive,
        slot=drive.slots.all()[0],
        full_name="Phạm Thị Dung",
        date_of_birth=dt.date(1994, 5, 1),
        sex="F",
        unit=nodes["vn_garment"],
    ).registration
    nurse = User.objects.get(username="drive_nurse")
    physician = User.objects.get(username="physician")
    presentation = actions.check_in(by=nurse, drive=drive, scan=str(registration.uuid)).presentation
    presentation = actions.record_answers(
        by=nurse, presentation=presentation, answers=no_answers(presentation)
    )
    presentation = actions.record_vitals(by=nurse, presentation=presentation, **HEALTHY)
    actions.physician_decide(
        by=physician, presentation=presentation, decision="accept", volume_ml=350
    )

    base = f"{live_server.url}/stations/{drive.uuid}"
    sign_in(page, live_server.url, "drive_nurse")
    choose(page, base, "collection", "Phạm Thị Dung")
    page.fill("#id_volume_ml", "40")
    with answered(page):
        page.get_by_role("button", name="Save and send on").click()
    assert "below the 315 mL of a complete 350 mL collection" in page.content()
    assert not Donation.objects.exists()

    page.select_option("#id_incomplete_reason", "poor_flow")
    page.fill("#id_incomplete_note", "Vein collapsed after 2 minutes.")
    with answered(page):
        page.get_by_role("button", name="Save and send on").click()
    assert "is recorded as incomplete; it is not a donation." in page.content()
    donation = Donation.objects.get()
    assert (donation.outcome, donation.volume_ml, donation.bag_volume_ml) == (
        "incomplete",
        40,
        350,
    )
    figures = report(plan, nodes["vn_garment"]).total
    assert (figures.figures.donations, figures.figures.bags, figures.figures.ml) == (0, 0, 0)
    assert figures.deferrals.presented == 1

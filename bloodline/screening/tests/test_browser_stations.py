"""Three donors through every station in a real browser, then the drive is closed and the
plan's progress page shows the two collected donations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bloodline.web.tests.test_browser import browser_context, focused_field, page  # noqa: F401

pytestmark = pytest.mark.browser


def sign_in(page: Any, base: str, username: str) -> None:  # noqa: F811
    from bloodline.demo.seed import DEMO_PASSWORD

    page.context.clear_cookies()
    # The pages in English: a language chosen in this browser wins over the persona's own.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()


@contextmanager
def answered(page: Any) -> Iterator[None]:  # noqa: F811
    """A station form is posted by HTMX (decision 0043): no navigation, the answer is swapped
    into the page. Waits until the post's answer has settled (a queue poll does not count)."""
    page.evaluate(
        """() => { window.__answered = false;
        document.body.addEventListener('htmx:afterSettle', (e) => {
          if (e.detail.requestConfig && e.detail.requestConfig.verb === 'post') {
            window.__answered = true;
          }
        }); }"""
    )
    yield
    page.wait_for_function("() => window.__answered === true")


def choose(page: Any, base: str, station: str, name: str) -> None:  # noqa: F811
    page.goto(f"{base}/{station}/")
    with page.expect_navigation():
        page.get_by_role("link", name=name).click()


def test_three_donors_go_through_every_station_and_two_donations_count(
    live_server: Any,
    flushable_audit: None,
    page: Any,  # noqa: F811
    rules_in_force: Any,
) -> None:
    from django.utils import timezone

    from bloodline.screening.tests.helpers import allow_overrides, confirm_vn_limits

    # The deployer has confirmed the Vietnamese Hb minimum (unconfirmed, low Hb only sends the
    # donor to review: decision 0014) and lets a physician override low Hb (decision 0015).
    vn = "vn-tt26-2013.toml"
    rules_in_force((vn, confirm_vn_limits), (vn, allow_overrides("hb.low")))

    from bloodline.accounts.models import User
    from bloodline.collection.models import Donation, Facility
    from bloodline.demo.seed import seed
    from bloodline.drives import actions as drive_actions
    from bloodline.drives.models import DriveStatus
    from bloodline.screening.models import Deferral, Presentation, Step
    from bloodline.screening.tests.conftest import make_plan

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
        title="Ngày hội Giọt hồng May Đông Giang",
        venue="Hội trường công ty",
        starts_on=today,
        ends_on=today,
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 0),
        slot_minutes=120,
        beds=4,
    )
    for status in (DriveStatus.CONFIRMED, DriveStatus.RUNNING):
        drive = drive_actions.change_status(by=admin, drive=drive, status=status)
    plan = make_plan(demo)
    organiser = User.objects.get(username="unit_organiser")
    people = {
        "Nguyễn Văn An": ("M", "145"),  # accepted
        "Trần Thị Bình": ("F", "105"),  # deferred by the engine: Hb too low
        "Lê Văn Cường": ("M", "110"),  # Hb too low, overridden by the physician
    }
    registrations = {}
    for n, (name, (sex, _hb)) in enumerate(people.items()):
        registrations[name] = drive_actions.register_person(
            by=organiser,
            drive=drive,
            slot=drive.slots.all()[0],
            full_name=name,
            date_of_birth=dt.date(1990 + n, 3, 1),
            sex=sex,
            unit=nodes["vn_garment"],
        ).registration

    base = f"{live_server.url}/stations/{drive.uuid}"
    sign_in(page, live_server.url, "physician")  # a physician may run every station

    # Check-in: the scan field has focus; a keyboard-wedge scan ends with Enter. The answer
    # is swapped in with a fresh scan field that has focus again: the next scan follows.
    page.goto(base + "/checkin/")
    for name, registration in registrations.items():
        assert focused_field(page) == "scan"
        page.keyboard.type(str(registration.uuid))
        with answered(page):
            page.keyboard.press("Enter")
        assert f"{name} is checked in." in page.content()

    for name, (_sex, hb) in people.items():
        choose(page, base, "questionnaire", name)
        assert "Have you had a tattoo in the last 6 months?" in page.content()
        for radio in page.locator("input[type=radio][value=no]").all():
            radio.check()
        with answered(page):
            page.get_by_role("button", name="Save and send on").click()

        choose(page, base, "vitals", name)
        values = {"weight_kg": "60", "temperature_c": "36.5", "systolic": "118"}
        values |= {"diastolic": "76", "pulse": "70", "hb_g_l": hb}
        for field, value in values.items():
            page.fill(f"#id_{field}", value)
        with answered(page):
            page.keyboard.press("Enter")

    choose(page, base, "physician", "Nguyễn Văn An")
    page.check("input[name=decision][value=accept]")
    page.select_option("#id_volume_ml", "350")
    with answered(page):
        page.get_by_role("button", name="Save and send on").click()

    choose(page, base, "physician", "Trần Thị Bình")
    assert "Haemoglobin 105 g/L is below the minimum" in page.inner_text("#engine-advice")
    assert page.locator("input[name=decision][value=accept]").count() == 0
    page.check("input[name=decision][value=defer]")
    page.fill("#id_decision_reason", "Haemoglobin too low; iron advice given.")
    page.fill("#id_until", (today + dt.timedelta(days=84)).isoformat())
    with answered(page):
        page.get_by_role("button", name="Save and send on").click()

    choose(page, base, "physician", "Lê Văn Cường")
    page.check("input[name=decision][value=override]")
    page.select_option("#id_volume_ml", "250")
    with answered(page):
        page.get_by_role("button", name="Save and send on").click()
    assert "Give the reason for this decision." in page.content()
    page.check("input[name=decision][value=override]")
    page.select_option("#id_volume_ml", "250")
    page.fill("#id_decision_reason", "Capillary Hb repeated by venous sample: 126 g/L.")
    with answered(page):
        page.get_by_role("button", name="Save and send on").click()

    for name in ("Nguyễn Văn An", "Lê Văn Cường"):
        choose(page, base, "collection", name)
        assert focused_field(page) == "din"
        with answered(page):
            page.keyboard.press("Enter")  # no label scanned: a DIN is allocated
        assert "is recorded" in page.content()
        choose(page, base, "post", name)
        with answered(page):
            page.get_by_role("button", name="Done, the donor may leave").click()

    steps = dict(Presentation.objects.values_list("donor__full_name", "step"))
    assert steps == {
        "Nguyễn Văn An": Step.DONE,
        "Trần Thị Bình": Step.DEFERRED,
        "Lê Văn Cường": Step.DONE,
    }
    assert Deferral.objects.get().donor.full_name == "Trần Thị Bình"
    assert Donation.objects.filter(drive=drive).count() == 2

    # The establishment closes the drive; the committee sees the two donations in progress.
    sign_in(page, live_server.url, "establishment_admin")
    page.goto(f"{live_server.url}/drives/{drive.uuid}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Close the drive").click()
    drive.refresh_from_db()
    assert drive.status == DriveStatus.CLOSED

    sign_in(page, live_server.url, "province_committee")
    garment = nodes["vn_garment"]
    page.goto(f"{live_server.url}/plans/{plan.uuid}/progress/{garment.uuid}/")
    row = page.locator("tr", has_text="Ngày hội Giọt hồng May Đông Giang")
    cells = row.locator("td").all_inner_texts()
    assert cells[3] == "2"  # donations

"""In a real browser: issue a plan, allocate targets in the grid, watch progress update."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest

from bloodline.accounts.system import system_actor
from bloodline.web.tests.test_browser import browser_context, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_a_committee_issues_a_plan_allocates_and_sees_progress(
    live_server: Any,
    flushable_audit: None,
    page: Any,  # noqa: F811
) -> None:
    from bloodline.collection.actions import record_donation
    from bloodline.demo.seed import DEMO_PASSWORD, seed
    from bloodline.donors.models import Donor

    demo = seed()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "district_committee")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()

    year = dt.date.today().year
    page.goto(live_server.url + "/plans/new/")
    page.fill("#id_number", "276/KH-BCĐ")
    page.fill("#id_issued_on", f"{year - 1}-12-28")
    page.fill("#id_title", "Hiến máu tình nguyện")
    page.fill("#id_period_start", f"{year}-01-01")
    page.fill("#id_period_end", f"{year}-12-31")
    page.select_option("#id_measure", "bags")
    page.fill("#id_total_target", "100")
    page.locator("form.stacked button[type=submit]").click()
    page.get_by_role("button", name="Issue the plan").click()
    page.wait_for_load_state()
    assert "issued" in page.locator(".facts").inner_text()

    page.get_by_role("link", name="Allocate targets").click()
    communes = [demo.nodes[f"vn_dong_c{i}"] for i in range(5)]
    for commune in communes:
        page.fill(f"#t_{commune.uuid}", "20")
    page.get_by_role("button", name="Save the targets").click()
    page.wait_for_load_state()
    assert page.locator(".message").inner_text() == "The targets were saved."
    assert "100" in page.locator("#sums").inner_text()

    page.goto(page.url.replace("/targets/", "/progress/"))
    assert "0 of 100 bags" in page.locator("#headline").inner_text()

    # Donations are recorded (through the recording action) while the page stays open.
    centre, commune = demo.nodes["vn_centre"], communes[0]
    now = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")).replace(
        month=min(dt.date.today().month, 12), day=1, hour=8
    )
    for i in range(21):
        donor = Donor.objects.create(full_name=f"Người hiến {i}", affiliation=commune)
        record_donation(
            by=system_actor(),
            din=f"G999926{i:06d}",
            donor=donor,
            establishment=centre,
            collected_at=now,
            donation_type="whole_blood",
            volume_ml=350,
            bag_volume_ml=350,
        )
    # The page refreshes its figures itself every 30 s; ask htmx for the same request now.
    page.evaluate("htmx.ajax('GET', location.href, {target: '#progress', swap: 'innerHTML'})")
    page.locator("#headline", has_text="21 of 100 bags").wait_for()
    assert "21.0 %" in page.locator("#headline").inner_text()
    assert "1 of 5 (20.0 %)" in page.locator("#meeting").inner_text()

"""Issue 9 acceptance, in a real browser: a lab technician enters a repeat-reactive anti-HIV
result and a second person verifies it → the donor's earlier in-date red cells show
"look-back hold" on the stock page and cannot be allocated to an order (decision 0016)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bloodline.lab.tests.test_page_browser import choose_and_refresh, sign_in
from bloodline.web.tests.test_browser import browser_context, page  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_repeat_reactive_result_holds_the_earlier_red_cells(
    live_server: Any,
    flushable_audit: None,
    page: Any,  # noqa: F811
) -> None:
    from django.urls import reverse
    from django.utils import timezone

    from bloodline.accounts.models import User
    from bloodline.demo.factories import collection
    from bloodline.demo.factories import distribution as factories
    from bloodline.demo.seed import seed
    from bloodline.distribution import actions as distribution
    from bloodline.distribution.models import Allocation
    from bloodline.inventory.status import Status
    from bloodline.lab import imports

    nodes = seed().nodes
    centre, unit = nodes["vn_centre"], nodes["vn_garment"]
    factories.equip(centre)
    people = {u.username: u for u in User.objects.all()}
    lab, clerk = people["lab_technician"], people["inventory_clerk"]
    donor = collection.donors(1, unit, prefix="Browser donor")[0]
    now = timezone.now()
    earlier, new = (
        collection.donations([donor], credited_to=unit, establishment=centre, at=at)[0]
        for at in (now - dt.timedelta(days=12), now - dt.timedelta(hours=2))
    )
    red, _plasma = factories.stocked(earlier, lab=lab, clerk=clerk)
    imports.import_results(  # the analyser's first run read reactive
        by=lab,
        establishment=centre,
        file_name="screen.csv",
        content=factories.to_csv(
            [{"din": new.din, "test": "hiv", "stage": "screen", "result": "reactive"}]
        ),
    )
    order = distribution.place_order(
        by=people["hospital_user"],
        hospital=nodes["vn_hospital"],
        supplier=centre,
        urgency="routine",
        needed_by=now + dt.timedelta(hours=6),
        lines=[distribution.LineRequest("red_cells_additive", "O", "pos", 1)],
    )
    sample_url = f"{live_server.url}/lab/{new.din}/"

    sign_in(page, live_server.url, "lab_technician")
    page.goto(sample_url)
    # Each choice refreshes the readings offered (HTMX): wait for each refresh to land.
    choose_and_refresh(page, "#enter-test", "hiv")
    choose_and_refresh(page, "#enter-stage", "repeat")
    page.select_option("#enter-reading", "reactive")
    page.get_by_role("button", name="Save the result").click()
    page.get_by_text("It counts once another person verifies it.").wait_for()

    sign_in(page, live_server.url, "establishment_admin")
    page.goto(sample_url)
    page.get_by_role("button", name="Verify the HIV marker result “reactive”").click()
    page.get_by_text("The HIV marker result is verified.").wait_for()

    sign_in(page, live_server.url, "inventory_clerk")
    page.goto(live_server.url + reverse("inventory:stock"))
    assert page.locator("table[data-on-hold] tbody tr").count() == 2  # red cells and plasma
    red_row = page.locator(
        "table[data-on-hold] tbody tr",
        has=page.locator(f"a[href='{reverse('inventory:component', args=[red.uuid])}']"),
    )
    assert red_row.locator("td").last.inner_text() == "look-back hold"

    page.goto(live_server.url + reverse("distribution:order", args=[order.uuid]))
    page.get_by_role("button", name="Allocate suggested units").click()
    page.get_by_text("No compatible unit is available for the lines still open.").wait_for()
    assert not Allocation.objects.exists()
    red.refresh_from_db()
    assert red.status == Status.HELD

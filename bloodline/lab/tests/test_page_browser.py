"""In a real browser: the sample page's HTMX forms swap the work section in place — the
reading select follows the chosen test, a result is entered by one person and verified by
another — without reloading the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bloodline.web.tests.test_browser import browser_context, page  # noqa: F401

pytestmark = pytest.mark.browser


def sign_in(page: Any, base: str, username: str) -> None:  # noqa: F811
    from bloodline.demo.seed import DEMO_PASSWORD

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()


def choose_and_refresh(page: Any, select: str, value: str) -> None:  # noqa: F811
    """Choose in a select whose change makes HTMX replace the readings offered, and return
    only once the old readings are gone from the page: choosing a reading before the swap
    lands would lose the choice when the swap replaces it."""
    old = page.query_selector("#reading-fields")
    assert old is not None, "the result form has no readings to refresh"
    page.select_option(select, value)
    old.wait_for_element_state("hidden")  # detached counts as hidden
    page.locator("#reading-fields").wait_for(state="attached")


def test_a_result_is_entered_and_verified_in_place(
    live_server: Any,
    flushable_audit: None,
    page: Any,  # noqa: F811
) -> None:
    from django.utils import timezone

    from bloodline.accounts.models import User
    from bloodline.demo.factories import collection
    from bloodline.demo.factories import distribution as factories
    from bloodline.demo.seed import seed
    from bloodline.lab import actions
    from bloodline.lab.models import TestResult

    nodes = seed().nodes
    factories.equip(nodes["vn_centre"])
    donor = collection.donors(1, nodes["vn_garment"], prefix="Browser donor")[0]
    [donation] = collection.donations(
        [donor],
        credited_to=nodes["vn_garment"],
        establishment=nodes["vn_centre"],
        at=timezone.now() - dt.timedelta(hours=2),
    )
    actions.receive_sample(by=User.objects.get(username="lab_technician"), donation=donation)
    url = f"{live_server.url}/lab/{donation.din}/"

    sign_in(page, live_server.url, "lab_technician")
    page.goto(url)
    page.evaluate("window.notReloaded = true")
    choose_and_refresh(page, "#enter-test", "abo")
    page.select_option("#enter-reading", "O")
    page.get_by_role("button", name="Save the result").click()
    page.get_by_text("It counts once another person verifies it.").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_text("You entered it: another person verifies it.").is_visible()

    sign_in(page, live_server.url, "establishment_admin")
    page.goto(url)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Verify the ABO group result “O”").click()
    page.get_by_text("The ABO group result is verified.").wait_for()
    assert page.evaluate("window.notReloaded") is True
    result = TestResult.objects.get(sample__donation=donation)
    assert result.verified_by is not None
    assert result.verified_by.username == "establishment_admin"

"""The staff side of the donor portal in a real browser: an establishment administrator
opens "Donor services" from the menu, shows donors their results, and the page passes
axe-core before and after, in Vietnamese and on a phone (decision 0036)."""

from __future__ import annotations

from typing import Any

import pytest

from bloodline.web.tests import test_browser
from bloodline.web.tests.axe import assert_accessible
from bloodline.web.tests.test_accessibility import in_language, on_a_phone, sign_in

browser_context = test_browser.browser_context
page = test_browser.page

pytestmark = pytest.mark.browser


def test_an_administrator_shows_donors_their_results(
    live_server: Any, flushable_audit: None, page: Any, settings: Any
) -> None:
    from bloodline.demo.seed import DEMO_PASSWORD, seed
    from bloodline.portal.account_models import ResultRelease

    settings.MFA_REQUIRED = False
    seed()
    in_language(page, live_server.url, "vi")
    sign_in(page, live_server.url, "establishment_admin", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator('nav a[href="/donor/staff/"]').click()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert_accessible(page)
    section = page.locator('[data-testid="staff-establishment"]').first
    section.locator("input[name=to_donors]").check()
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    assert section.locator("input[name=to_donors]").is_checked()
    assert ResultRelease.objects.filter(to_donors=True).count() == 1
    assert_accessible(page)
    on_a_phone(page)

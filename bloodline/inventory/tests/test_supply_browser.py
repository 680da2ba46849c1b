"""The supply levels page in a real browser: a stock manager goes from the stock page to the
supply levels, sets a level by hand with a reason, and the page passes axe-core before and
after, in French and on a phone (issue 15 §1, decision 0060)."""

from __future__ import annotations

from typing import Any

import pytest

from bloodline.web.tests import test_browser
from bloodline.web.tests.axe import assert_accessible
from bloodline.web.tests.test_accessibility import in_language, on_a_phone, sign_in

browser_context = test_browser.browser_context
page = test_browser.page

pytestmark = pytest.mark.browser


def test_a_stock_manager_sets_a_level_by_hand(
    live_server: Any, flushable_audit: None, page: Any, settings: Any
) -> None:
    from bloodline.demo.blood_centre import seed_blood_centre
    from bloodline.demo.seed import DEMO_PASSWORD, seed
    from bloodline.inventory.models import SupplyCause, SupplyLevelChange

    settings.MFA_REQUIRED = False
    seed()
    assert seed_blood_centre()  # stock, issues, and the levels its first check records
    assert SupplyLevelChange.objects.exists()
    in_language(page, live_server.url, "fr")
    sign_in(page, live_server.url, "inventory_clerk", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/stock/")
    with page.expect_navigation():
        page.locator('nav.inventory-nav a[href^="/stock/supply/"]').click()
    assert page.locator("h1").inner_text().startswith("Niveaux d'approvisionnement")
    assert_accessible(page)
    link = page.locator('a[href*="#set-heading"]').first
    link.click()
    page.locator("textarea[name=reason]").fill("Liste de chirurgie cardiaque cette semaine")
    page.locator("select[name=level]").select_option("amber")
    with page.expect_navigation():
        page.locator("section[aria-labelledby=set-heading] button[type=submit]").click()
    assert page.locator(".messages, [role=status]").first.is_visible()
    assert SupplyLevelChange.objects.filter(cause=SupplyCause.OVERRIDE, level="amber").count() == 1
    assert "Liste de chirurgie cardiaque" in page.content()
    assert_accessible(page)
    on_a_phone(page)

"""The public supply page in a real browser, signed in as nobody: in Traditional Chinese from
the welcome page, and its widget framed by another page, in French; axe-core on both and the
page on a phone (issue 15 §2, decision 0061)."""

from __future__ import annotations

from typing import Any

import pytest

from bloodline.web.tests import test_browser
from bloodline.web.tests.axe import assert_accessible
from bloodline.web.tests.test_accessibility import in_language, on_a_phone

browser_context = test_browser.browser_context
page = test_browser.page

pytestmark = pytest.mark.browser


@pytest.fixture
def centre(live_server: Any, flushable_audit: None) -> Any:
    from bloodline.demo.blood_centre import seed_blood_centre
    from bloodline.demo.seed import seed
    from bloodline.inventory import access

    seed()
    assert seed_blood_centre()  # stock, issues, and the levels its first check records
    [first, *_rest] = access.published_establishments()
    return first


def test_a_visitor_reads_the_levels_in_traditional_chinese(
    live_server: Any, centre: Any, page: Any
) -> None:
    in_language(page, live_server.url, "zh-hant")
    page.goto(live_server.url + "/")
    with page.expect_navigation():
        page.locator('a[href="/supply/"]').first.click()
    assert page.locator("h1").inner_text() == "血液供應"
    table = page.locator("[data-testid=public-supply] table").first
    assert table.locator("th").nth(2).inner_text() == "水準"  # "Level"
    words = set(table.locator(".badge").all_inner_texts())
    assert words and words <= {"綠色", "琥珀色前期", "琥珀色", "紅色"}  # the levels' words
    assert page.locator("text=可用單位").count() == 0  # levels, not counts
    assert_accessible(page)
    on_a_phone(page)


def test_another_site_frames_the_widget_in_french(live_server: Any, centre: Any, page: Any) -> None:
    src = f"{live_server.url}/supply/{centre.uuid}/widget/?lang=fr"
    page.goto(live_server.url + "/supply/")  # an origin for the frame's host page
    page.set_content(
        f'<!doctype html><html lang="fr"><head><title>Hôpital</title></head><body><main>'
        f'<iframe src="{src}" title="Approvisionnement en sang" width="320" height="260">'
        f"</iframe></main></body></html>"
    )
    frame = page.frame_locator("iframe")
    heading = frame.locator("h1")
    heading.wait_for()
    assert heading.inner_text().startswith("Approvisionnement en sang à")
    assert frame.locator("th").first.inner_text() == "Groupe sanguin"
    [widget] = [f for f in page.frames if "/widget/" in f.url]
    assert_accessible(widget)

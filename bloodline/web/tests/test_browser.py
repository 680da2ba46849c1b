"""In a real browser: Debian's chromium driven by Playwright against a live server on 127.0.0.1.

Playwright never downloads a browser here; the test uses the system chromium.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def browser_context(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    # Playwright's sync API keeps an event loop in this thread; the live server's database
    # work happens in its own thread, and the test's own ORM calls are synchronous.
    monkeypatch.setitem(os.environ, "DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB", viewport={"width": 800, "height": 1000})
        yield context
        context.close()
        browser.close()


@pytest.fixture
def page(browser_context: Any) -> Any:
    return browser_context.new_page()


def focused_field(page: Any, timeout_ms: int = 3000) -> str:
    """The name of the field that has focus once the page settled: ``autofocus`` is applied
    at the browser's next rendering opportunity, which may come after the load event on a
    busy machine, so wait for a named field to hold the focus (or give up and say what has
    it)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    script = "() => Boolean(document.activeElement && document.activeElement.name)"
    # On a timeout the caller's assertion says what held the focus instead.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(script, timeout=timeout_ms)
    return str(page.evaluate("document.activeElement.name"))


def test_a_committee_member_switches_language_browses_the_tree_and_adds_a_unit(
    live_server: Any, flushable_audit: None, page: Any
) -> None:
    from bloodline.audit.models import AuditEvent
    from bloodline.demo.seed import DEMO_PASSWORD, seed
    from bloodline.organisations.models import Organisation

    seed()
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Voluntary blood donation, end to end"
    # Our stylesheet and htmx are served locally (no CDN) and applied.
    header = "getComputedStyle(document.querySelector('.site-header')).borderBottomWidth"
    assert page.evaluate(header) == "3px"
    assert page.evaluate("typeof window.htmx") == "object"

    # Switch the interface to Vietnamese with the header's language form (keyboard only).
    page.select_option("#language-select", "vi")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert (
        "Hiến máu" in page.locator("h1").inner_text()
        or "hiến máu" in page.locator("h1").inner_text()
    )

    page.get_by_role("link", name="Đăng nhập").first.click()
    page.fill("#id_username", "district_committee")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    assert "Huyện Đông Giang" in page.content()

    # The tree expands in place (HTMX) without leaving the page.
    page.goto(live_server.url + "/organisations/")
    page.locator(
        "#org-{} button.expand".format(Organisation.objects.get(name="Huyện Đông Giang").uuid)
    ).click()
    page.get_by_role("link", name="Xã An Phú").wait_for()
    assert page.url.endswith("/organisations/")

    # Add an enterprise under a commune through the form.
    page.get_by_role("link", name="Xã An Phú").click()
    page.locator("a.button[href$='/add/']").click()
    page.select_option("#id_kind", "enterprise")
    page.fill("#id_name", "Công ty TNHH Gốm An Phú")
    page.fill("#id_name_en", "An Phu Ceramics Ltd.")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Công ty TNHH Gốm An Phú"
    assert page.locator(".message").count() == 1

    created = Organisation.objects.get(name="Công ty TNHH Gốm An Phú")
    assert created.parent.name == "Xã An Phú"
    assert AuditEvent.objects.filter(object_id=str(created.uuid)).count() == 1

    # Its history is visible to the committee member.
    page.locator("a.button[href$='/history/']").click()
    # Named in the reader's language, never by its code (decision 0026).
    with translation.override("vi"):
        created_words = str(translation.gettext("Organisation created"))
    assert created_words != "Organisation created"
    assert created_words in page.content()
    assert "organisation.create" not in page.content()

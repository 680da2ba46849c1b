"""Scan-back in a real browser with a keyboard-wedge scanner: each bar code ends with Enter,
which moves to the next field; after the last one the form is sent and the unit is stocked."""

from __future__ import annotations

from typing import Any

import pytest

from bloodline.web.tests.test_browser import browser_context, page  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_scanner_fills_the_label_check_field_by_field(
    live_server: Any,
    flushable_audit: None,
    centre: Any,
    labelled: Any,
    page: Any,  # noqa: F811
) -> None:
    from bloodline.demo.factories import distribution as factories
    from bloodline.inventory.status import Status

    red, _plasma = labelled("B", "neg")

    _sign_in(page, live_server.url, "inventory_clerk")
    page.goto(f"{live_server.url}/stock/unit/{red.uuid}/")
    scans = factories.label_scans(red)
    assert page.evaluate("document.activeElement.name") == "din_scan"
    page.keyboard.type(scans["din_scan"])
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "group_scan"
    page.keyboard.type(scans["group_scan"])
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "product_scan"
    page.keyboard.type(scans["product_scan"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "in stock" in page.locator(".messages").inner_text()
    red.refresh_from_db()
    assert red.status == Status.AVAILABLE and red.location is not None


def _sign_in(page: Any, base: str, username: str) -> None:  # noqa: F811
    from bloodline.demo.seed import DEMO_PASSWORD

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()

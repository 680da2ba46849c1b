"""Sign-in security in a real browser (Debian's chromium via Playwright; decision 0031):
the lock-out after repeated wrong passwords, and enrolling and using the second factor.
The Content-Security-Policy is in force throughout: a blocked script or style would show
as a console error."""

from __future__ import annotations

from base64 import b32decode
from typing import Any

import pytest
from django.conf import settings

from bloodline.web.tests import test_browser

# The browser fixtures of the main browser test: Debian's chromium, never a download.
browser_context = test_browser.browser_context
page = test_browser.page

pytestmark = pytest.mark.browser


def watch_policy(page: Any) -> list[str]:
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return blocked


def sign_in(page: Any, url: str, username: str, password: str) -> None:
    page.goto(url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()


def test_wrong_passwords_lock_the_account_with_a_message(
    live_server: Any, flushable_audit: None, page: Any
) -> None:
    from bloodline.accounts.models import User
    from bloodline.audit.models import AuditEvent

    User.objects.create_user(username="browser", password="right-horse-77", full_name="B")
    blocked = watch_policy(page)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, live_server.url, "browser", "wrong-password")
    sign_in(page, live_server.url, "browser", "right-horse-77")
    assert "Too many failed sign-ins" in page.locator("[role=alert]").inner_text()
    assert page.get_by_role("button", name="Sign out").count() == 0
    assert AuditEvent.objects.filter(action="account.locked_out").count() == 1
    assert blocked == []


def test_a_lab_technician_enrols_an_authenticator_and_signs_in_with_it(
    live_server: Any, flushable_audit: None, page: Any, settings: Any
) -> None:
    from django_otp.oath import totp

    from bloodline.demo.seed import DEMO_PASSWORD, seed

    settings.MFA_REQUIRED = True
    seed()
    blocked = watch_policy(page)
    sign_in(page, live_server.url, "lab_technician", DEMO_PASSWORD)
    assert "/accounts/second-factor/enrol/" in page.url
    assert page.locator("figure.qr svg").count() == 1
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.locator("main a.button.primary").click()
    page.wait_for_load_state()
    assert "/accounts/" not in page.url

    # Signed out and in again: the password alone is not enough; a recovery code is.
    page.locator("form[action$='/logout/'] button").click()
    page.wait_for_load_state()
    sign_in(page, live_server.url, "lab_technician", DEMO_PASSWORD)
    assert page.url.startswith(live_server.url + "/accounts/second-factor/")
    page.fill("#id_code", codes[0])
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/" not in page.url
    assert page.locator("form[action$='/logout/'] button").count() == 1
    assert blocked == []

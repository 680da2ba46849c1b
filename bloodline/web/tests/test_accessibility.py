"""The pages issue 12 added pass axe-core's WCAG 2 A/AA rules and best practices in a real
browser (Debian's chromium via Playwright; decision 0036), as the people who use them, in
English and in Vietnamese: the sign-in lock-out, second-factor enrolment (QR code and
secret), the code check and the recovery codes, "who looked at this donor", the donor's
erasure page and the export (the page offering it and the document the PDF is printed from).

A later issue adds one check per page it adds, with ``assert_accessible``.
"""

from __future__ import annotations

import datetime as dt
from base64 import b32decode
from typing import Any

import pytest
from django.conf import settings

from bloodline.web.tests import test_browser
from bloodline.web.tests.axe import assert_accessible

# The browser fixtures of the main browser test: Debian's chromium, never a download.
browser_context = test_browser.browser_context
page = test_browser.page

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "vi"]
# The browser fixture's window, and the narrowest phone WCAG's reflow criterion names.
DESKTOP = {"width": 800, "height": 1000}
PHONE = {"width": 320, "height": 800}
# WCAG 1.4.10 (reflow), which axe does not measure: nothing makes the page scroll sideways.
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def in_language(page: Any, base: str, language: str) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )


def on_a_phone(page: Any) -> None:
    """The page again on the narrowest phone: still accessible, and nothing sticks out."""
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    assert page.evaluate(FITS), f"{page.url} scrolls sideways on a {PHONE['width']} px phone"
    page.set_viewport_size(DESKTOP)


def sign_in(page: Any, base: str, username: str, password: str) -> int:
    """Sign in through the form; the answer's HTTP status."""
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation() as navigation:
        page.locator("form.stacked button[type=submit]").click()
    return int(navigation.value.status)


def submit(page: Any) -> None:
    with page.expect_navigation():
        page.locator("main form.stacked button[type=submit]").click()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_in_and_lock_out_pages(
    live_server: Any, flushable_audit: None, page: Any, language: str
) -> None:
    from bloodline.accounts.models import User

    User.objects.create_user(username="browser", password="right-horse-77", full_name="B")
    in_language(page, live_server.url, language)
    page.goto(live_server.url + "/accounts/login/")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)

    sign_in(page, live_server.url, "browser", "wrong-password")  # the error state
    assert page.locator("main [role=alert]").count() == 1
    assert_accessible(page)

    for _ in range(settings.AXES_FAILURE_LIMIT):
        status = sign_in(page, live_server.url, "browser", "wrong-password")
    assert status == 429
    assert page.locator("main [role=alert]").count() == 1
    assert_accessible(page)
    on_a_phone(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_second_factor_pages(
    live_server: Any, flushable_audit: None, page: Any, settings: Any, language: str
) -> None:
    from django_otp.oath import totp

    from bloodline.demo.seed import DEMO_PASSWORD, seed

    settings.MFA_REQUIRED = True
    seed()
    in_language(page, live_server.url, language)
    sign_in(page, live_server.url, "lab_technician", DEMO_PASSWORD)
    assert "/accounts/second-factor/enrol/" in page.url
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    on_a_phone(page)  # the QR code and the secret too

    # No code: the field shows its error. (Not a wrong code: the authenticator would then
    # refuse even the right one for a second, django-otp's throttling.)
    submit(page)
    assert page.locator("#id_code_error").count() == 1
    assert_accessible(page)

    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")
    submit(page)
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    on_a_phone(page)

    # The next sign-in asks for a code.
    page.locator("form[action$='/logout/'] button").click()
    page.wait_for_load_state()
    sign_in(page, live_server.url, "lab_technician", DEMO_PASSWORD)
    assert "/accounts/second-factor/" in page.url
    assert_accessible(page)
    submit(page)
    assert page.locator("#id_code_error").count() == 1
    assert_accessible(page)

    # In with a recovery code; My account offers new ones, shown on the same codes page.
    page.fill("#id_code", codes[0])
    submit(page)
    page.goto(live_server.url + "/me/")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("form[action$='/recovery-codes/'] button").click()
    assert page.get_by_test_id("recovery-codes").locator("code").count() == 10
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_donor_reads_erasure_and_export_pages(
    live_server: Any, flushable_audit: None, page: Any, language: str
) -> None:
    from django.utils import translation

    from bloodline.accounts.models import User
    from bloodline.demo.seed import DEMO_PASSWORD, seed
    from bloodline.donors import actions, export

    seed()
    nurse = User.objects.get(username="drive_nurse")
    donor = actions.create_donor(
        by=nurse,
        full_name="Phạm Thị Kiểm",
        date_of_birth=dt.date(1990, 3, 4),
        sex="F",
        phone="0912 345 678",
        region="VN",
        confirmed_distinct=True,
    )
    in_language(page, live_server.url, language)
    sign_in(page, live_server.url, "establishment_admin", DEMO_PASSWORD)
    base = f"{live_server.url}/donors/{donor.uuid}"

    # The record offers the export, the erasure and the read log (and its visit is a read).
    page.goto(base + "/")
    assert page.locator(f"a[href='/donors/{donor.uuid}/export/']").count() == 1
    assert_accessible(page)

    page.goto(base + "/reads/")
    assert page.locator("main table tbody tr").count() == 1
    assert_accessible(page)
    on_a_phone(page)

    page.goto(base + "/erase/")
    assert_accessible(page)
    submit(page)  # neither a reason nor the confirmation: both fields say so
    assert page.locator("main p.error").count() == 2
    assert_accessible(page)
    on_a_phone(page)

    # The export is a download; the document its PDF is printed from is checked as a page.
    with translation.override(language):
        html = export.render_html(donor, export.build(donor)[1])
    page.goto("about:blank")  # off the site: the document's own print styles apply
    page.set_content(html)
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)


def test_the_check_names_each_violation_its_impact_and_where(page: Any) -> None:
    """The checker is not a formality: a page with an unlabelled field, an image without a
    text alternative and no language fails, and the message says which rule, how bad, where."""
    page.set_content(
        "<html><head><title>Broken</title></head><body><main><h1>Broken</h1>"
        '<img src="data:," id="no-alt"><input type="text" id="no-label"></main></body></html>'
    )
    with pytest.raises(AssertionError) as failed:
        assert_accessible(page)
    message = str(failed.value)
    assert "image-alt (critical)" in message and '["#no-alt"]' in message
    assert "label (critical)" in message and '["#no-label"]' in message
    assert "html-has-lang (serious)" in message

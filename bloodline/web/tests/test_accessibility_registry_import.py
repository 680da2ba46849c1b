"""The registry import pages (decision 0045) pass axe-core's checks in a real browser, in
English and Vietnamese, on a desktop window and the narrowest phone: the upload form, its
error state, and a run's page with its refused rows."""

from __future__ import annotations

from typing import Any

import pytest

from bloodline.web.tests import test_accessibility as a11y
from bloodline.web.tests import test_browser
from bloodline.web.tests.axe import assert_accessible

browser_context = test_browser.browser_context
page = test_browser.page

pytestmark = pytest.mark.browser

FILE = (
    b"legacy_id,full_name,sex,date_of_birth,donation_date,volume_ml\n"
    b"P1,Generated Person One,F,1990-01-01,2024-01-02,350\n"
    b"P2,Generated Person Two,Q,1990-01-01,,\n"
)


@pytest.mark.parametrize("language", a11y.LANGUAGES)
def test_the_registry_import_pages(
    live_server: Any, flushable_audit: None, page: Any, language: str, tmp_path: Any
) -> None:
    from bloodline.demo.seed import DEMO_PASSWORD, seed
    from bloodline.jobs import tasks

    seed()
    a11y.in_language(page, live_server.url, language)
    a11y.sign_in(page, live_server.url, "establishment_admin", DEMO_PASSWORD)
    page.goto(live_server.url + "/registry-import/")
    assert_accessible(page)
    a11y.submit(page)  # nothing filled in: the fields say so
    assert page.locator("main p.error").count() >= 2
    assert_accessible(page)
    a11y.on_a_phone(page)

    upload = tmp_path / "legacy.csv"
    upload.write_bytes(FILE)
    centre = page.locator("#id_establishment option:not([value=''])").first.get_attribute("value")
    page.select_option("#id_establishment", centre)
    page.fill("#id_source", "old-system")
    page.set_input_files("#id_file", str(upload))
    a11y.submit(page)
    assert "/tasks/" in page.url, page.locator("main p.error").all_inner_texts()
    assert_accessible(page)
    (done,) = tasks.run_pending()
    page.goto(live_server.url + done.result["result_url"])
    assert page.locator("main table tbody tr").count() == 1
    assert_accessible(page)
    a11y.on_a_phone(page)

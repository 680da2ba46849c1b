"""The task page in a real browser (decision 0044): the bar moves as the worker reports, the
page turns to the file when the task is done, and it passes axe-core's WCAG 2 A/AA rules in
both states (decision 0036)."""

from __future__ import annotations

from typing import Any

import pytest

from bloodline.web.tests import test_browser
from bloodline.web.tests.axe import assert_accessible
from bloodline.web.tests.test_accessibility import in_language, sign_in

browser_context = test_browser.browser_context
page = test_browser.page

pytestmark = pytest.mark.browser


def _labels(task: Any, progress: Any) -> None:
    progress.stage("drawing")
    progress.total(2)
    task.output, task.output_name, task.output_type = b"%PDF-", "labels.pdf", "application/pdf"


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_task_page_moves_to_its_file_and_is_accessible(
    live_server: Any, flushable_audit: None, page: Any, monkeypatch: Any, language: str
) -> None:
    from django.utils.translation import gettext_lazy as _

    from bloodline.accounts.models import User
    from bloodline.jobs import tasks
    from bloodline.jobs.models import Task

    monkeypatch.setitem(
        tasks.KINDS,
        "labels",
        tasks.Kind(handler=_labels, title=_("Work in progress"), stages={"drawing": _("Done")}),
    )
    owner = User.objects.create_user(username="nurse", password="right-horse-77", full_name="N")
    task = tasks.start("labels", by=owner)
    in_language(page, live_server.url, language)
    sign_in(page, live_server.url, "nurse", "right-horse-77")
    page.goto(live_server.url + task.get_absolute_url())
    assert page.locator("progress#task-bar").count() == 1
    assert_accessible(page)

    Task.objects.filter(pk=task.pk).update(total=4, done=1)  # as a worker reports it
    page.locator("#task-bar[value='25']").wait_for(timeout=10_000)
    tasks.run_pending()
    download = page.locator(f"a[href='/tasks/{task.uuid}/download/']")
    download.wait_for(timeout=10_000)
    assert page.locator("#task-bar").get_attribute("value") == "100"
    assert_accessible(page)

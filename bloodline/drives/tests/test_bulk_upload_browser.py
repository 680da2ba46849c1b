"""In a real browser (decision 0044): an organiser uploads a registration workbook, watches the
task's progress bar while a worker (a thread of this test, on 127.0.0.1) checks it, lands on
the problems with the choice to register the valid rows, registers them, and lands on the
drive with the count."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from bloodline.web.tests.test_browser import browser_context, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def worker() -> Iterator[threading.Event]:
    """A worker thread that looks for tasks every 0.2 s once ``go`` is set."""
    from bloodline.jobs import tasks

    go, stop = threading.Event(), threading.Event()

    def work() -> None:
        try:
            while not stop.is_set():
                if go.is_set():
                    tasks.run_next("browser-worker")
                stop.wait(0.2)
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield go
    stop.set()
    thread.join(30)


def test_an_organiser_uploads_watches_the_progress_and_registers_the_valid_rows(
    live_server: Any,
    flushable_audit: None,
    page: Any,  # noqa: F811
    worker: threading.Event,
) -> None:
    from bloodline.accounts.models import User
    from bloodline.demo.seed import DEMO_PASSWORD, seed
    from bloodline.drives import actions
    from bloodline.drives.models import DriveStatus, Registration
    from bloodline.drives.tests.test_bulk_upload import person, workbook
    from bloodline.lib import xlsx

    demo = seed()
    admin = User.objects.get(username="establishment_admin")
    drive = actions.create_drive(
        by=admin,
        establishment=demo.nodes["vn_centre"],
        hosts=[demo.nodes["vn_garment"]],
        title="Ngày hội hiến máu May Đông Giang",
        venue="Hội trường công ty",
        starts_on=dt.date.today() + dt.timedelta(days=30),
        ends_on=dt.date.today() + dt.timedelta(days=30),
        opens_at=dt.time(7, 0),
        closes_at=dt.time(9, 0),
        slot_minutes=30,
        beds=2,
    )
    drive = actions.change_status(by=admin, drive=drive, status=DriveStatus.CONFIRMED, reason="")

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "unit_organiser")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()

    rows = [person(1), person(2, code="VN-NOPE-1"), person(3, "07:30")]
    page.goto(f"{live_server.url}/drives/{drive.uuid}/upload/")
    page.set_input_files(
        "#id_file", {"name": "dang-ky.xlsx", "mimeType": xlsx.XLSX_MIME, "buffer": workbook(rows)}
    )
    page.select_option("#id_unit", str(demo.nodes["vn_garment"].uuid))
    page.get_by_role("button", name="Check and register").click()
    page.wait_for_url("**/tasks/*/")
    assert page.locator("h1").inner_text() == "Registering people from a workbook"
    assert page.locator("progress#task-bar").get_attribute("value") == "0"
    assert "Waiting for the worker" in page.locator("#task-counts").inner_text()

    worker.set()  # the worker picks it up; the polled bar leads to the problems
    page.wait_for_url(f"**/drives/{drive.uuid}/upload/result/*/", timeout=30_000)
    assert page.locator("main [role=alert]").inner_text().startswith("The workbook has 1 problem.")
    assert "No organisation has the official code" in page.locator("main table").inner_text()
    assert not Registration.objects.exists()

    page.get_by_role("button", name="Register the valid rows").click()
    page.wait_for_url(f"**/drives/{drive.uuid}/", timeout=30_000)
    assert "2 people were registered." in page.locator(".messages").inner_text()
    names = set(Registration.objects.values_list("donor__full_name", flat=True))
    assert names == {"Công nhân 1", "Công nhân 3"}

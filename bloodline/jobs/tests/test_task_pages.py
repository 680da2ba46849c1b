"""The owner's task page (decision 0044): a progress bar polled every second, then the result
or the file, or the error; nobody else learns the task exists."""

from __future__ import annotations

import pytest
from django.test import Client

from bloodline.accounts.models import User
from bloodline.jobs import tasks
from bloodline.jobs.models import Task


def _rows(task: Task, progress: tasks.Progress) -> None:
    progress.stage("reading")
    progress.total(3)
    task.result = {"result_url": task.params.get("url", "")}
    if task.params.get("file"):
        task.output, task.output_name, task.output_type = b"%PDF-", "labels.pdf", "application/pdf"


@pytest.fixture
def kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        tasks.KINDS,
        "rows",
        tasks.Kind(handler=_rows, title="Checking the workbook", stages={"reading": "Reading"}),
    )


@pytest.fixture
def people(db: None) -> dict[str, Client]:
    clients = {}
    for name in ("owner", "someone_else"):
        client = Client()
        client.force_login(User.objects.create_user(username=name, full_name=name))
        clients[name] = client
    clients["anonymous"] = Client()
    return clients


def _owner() -> User:
    return User.objects.get(username="owner")


def test_the_owner_sees_a_polled_progress_bar_while_it_waits(
    kind: None, people: dict[str, Client]
) -> None:
    task = tasks.start("rows", by=_owner(), upload_name="đăng ký.xlsx")
    page = people["owner"].get(task.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Checking the workbook" in html and "đăng ký.xlsx" in html
    assert "<progress" in html and 'hx-trigger="every 1s"' in html
    assert f'hx-get="/tasks/{task.uuid}/progress/"' in html
    assert "Waiting for the worker to pick this up." in html
    assert f'href="/tasks/{task.uuid}/"' in html  # the no-JS "Refresh"


def test_the_fragment_stops_polling_and_opens_the_result(
    kind: None, people: dict[str, Client]
) -> None:
    task = tasks.start("rows", by=_owner(), params={"url": "/me/"})
    tasks.run_pending()
    url = f"/tasks/{task.uuid}/progress/"
    fragment = people["owner"].get(url, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert fragment["HX-Redirect"] == "/me/"
    assert "hx-trigger" not in html and 'href="/me/"' in html and "3 of 3" in html
    assert "Reading" in html
    # Without HTMX the page shows the link and leaves the choice to the reader.
    assert "HX-Redirect" not in people["owner"].get(task.get_absolute_url())


def test_only_a_local_result_address_is_linked(kind: None, people: dict[str, Client]) -> None:
    task = tasks.start("rows", by=_owner(), params={"url": "https://elsewhere.example/"})
    tasks.run_pending()
    html = people["owner"].get(task.get_absolute_url()).content.decode()
    assert "elsewhere.example" not in html


def test_the_owner_downloads_the_file(kind: None, people: dict[str, Client]) -> None:
    task = tasks.start("rows", by=_owner(), params={"file": True})
    tasks.run_pending()
    html = people["owner"].get(task.get_absolute_url()).content.decode()
    assert f'href="/tasks/{task.uuid}/download/"' in html and "Download labels.pdf" in html
    response = people["owner"].get(f"/tasks/{task.uuid}/download/")
    assert response.status_code == 200 and response.content == b"%PDF-"
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="labels.pdf"' in response["Content-Disposition"]


def test_no_file_before_the_task_is_done(kind: None, people: dict[str, Client]) -> None:
    task = tasks.start("rows", by=_owner(), params={"file": True})
    assert people["owner"].get(f"/tasks/{task.uuid}/download/").status_code == 404


def test_a_failed_task_shows_its_error(kind: None, people: dict[str, Client]) -> None:
    task = tasks.start("rows", by=_owner())
    Task.objects.filter(pk=task.pk).update(
        status=Task.Status.FAILED, error="Row 4 has no name.", finished_at=task.created_at
    )
    html = people["owner"].get(task.get_absolute_url()).content.decode()
    assert 'role="alert">Row 4 has no name.' in html and "hx-trigger" not in html


@pytest.mark.parametrize("suffix", ["", "progress/", "download/"])
def test_nobody_else_learns_the_task_exists(
    kind: None, people: dict[str, Client], suffix: str
) -> None:
    task = tasks.start("rows", by=_owner(), params={"file": True})
    tasks.run_pending()
    url = f"/tasks/{task.uuid}/{suffix}"
    assert people["someone_else"].get(url).status_code == 404
    assert people["anonymous"].get(url)["Location"].startswith("/accounts/login/")
    assert people["owner"].get("/tasks/not-a-uuid/").status_code == 404
    superuser = User.objects.create_superuser(username="root", email="", password=None)
    admin = Client()
    admin.force_login(superuser)
    assert admin.get(url).status_code == 404  # owner-only: a superuser is not the owner

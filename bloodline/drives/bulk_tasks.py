"""A registration workbook checked and applied by the worker (decision 0044), with the same
guarantees as ``bulk`` gives in a request: every row checked before anything is written, all
rows or none registered, the organiser choosing to register the valid rows only.

The upload task reads the workbook and checks every row outside any write transaction (its
progress shows on SQLite too, and a refused workbook never holds the write lock); a clean
workbook is then registered at once, checked again inside the registering transaction, as
before. The apply task registers the valid rows the organiser chose.

What the page needs afterwards — the problems and the valid rows, which name people — is kept
in the task's output file, which the retention sweep clears; the result holds counts only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bloodline.accounts.models import User
from bloodline.drives import access, bulk
from bloodline.drives.models import Drive
from bloodline.jobs import tasks
from bloodline.jobs.models import Task
from bloodline.organisations import access as org_access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

UPLOAD = "drives.bulk_upload"
APPLY = "drives.bulk_apply"
KINDS = (UPLOAD, APPLY)
READING = "reading"
STAGES = {
    READING: gettext_lazy("Reading the workbook"),
    bulk.CHECKING: gettext_lazy("Checking each person"),
    bulk.CONFIRMING: gettext_lazy("Checking again before registering"),
    bulk.REGISTERING: gettext_lazy("Registering"),
}
PREVIEW_TYPE = "application/json"


def start_upload(*, by: User, drive: Drive, unit: Organisation, content: bytes, name: str) -> Task:
    params = {"drive": str(drive.uuid), "unit": str(unit.uuid)}
    return tasks.start(UPLOAD, by=by, params=params, upload=content, upload_name=name)


def start_apply(*, by: User, drive: Drive, unit: Organisation, rows: list[bulk.RawRow]) -> Task:
    params = {"drive": str(drive.uuid), "unit": str(unit.uuid)}
    content = json.dumps([[row.number, row.values] for row in rows]).encode()
    return tasks.start(APPLY, by=by, params=params, upload=content)


def _scope(task: Task) -> tuple[User, Drive, Organisation]:
    """The drive and unit again, as the owner may reach them now: time has passed since the
    request, and a membership may have ended."""
    by = task.owner
    assert isinstance(by, User)
    try:
        drive = access.get_drive(by, task.params["drive"])
        access.require_registrar(by)
        unit = org_access.get_organisation(by, task.params["unit"], Perm.REGISTRATION_MANAGE)
    except (Http404, PermissionDenied):
        raise ValidationError(
            _("You may no longer register people for this drive from a workbook.")
        ) from None
    return by, drive, unit


def result_url(task: Task, drive: Drive) -> str:
    return reverse("drives:upload_result", args=[drive.uuid, task.uuid])


def _refused(task: Task, drive: Drive, check: bulk.Check) -> None:
    preview = {
        "errors": [[e.row, e.column, e.message] for e in check.errors],
        "valid": [[row.number, row.values] for row in check.valid_raw],
    }
    task.output, task.output_type = json.dumps(preview).encode(), PREVIEW_TYPE
    task.result = {
        "refused": True,
        "problems": len(check.errors),
        "valid": len(check.valid),
        "result_url": result_url(task, drive),
    }


def _apply(task: Task, progress: tasks.Progress, rows: list[bulk.RawRow]) -> None:
    by, drive, unit = _scope(task)
    try:
        applied = bulk.apply(by=by, drive=drive, default_unit=unit, rows=rows, progress=progress)
    except bulk.BulkRefused as refused:
        _refused(task, drive, refused.check)
        return
    task.result = {
        "registered": len(applied.registrations),
        "reused": applied.reused,
        "result_url": result_url(task, drive),
    }


def run_upload(task: Task, progress: tasks.Progress) -> None:
    by, drive, unit = _scope(task)
    progress.stage(READING)
    rows, header_errors = bulk.read_workbook(bytes(task.upload))
    if header_errors:
        _refused(task, drive, bulk.Check(errors=header_errors))
        return
    check = bulk.check_rows(by=by, drive=drive, default_unit=unit, rows=rows, progress=progress)
    if check.errors or not check.valid:
        _refused(task, drive, check)
        return
    _apply(task, progress, rows)


def run_apply(task: Task, progress: tasks.Progress) -> None:
    rows = [bulk.RawRow(number, values) for number, values in json.loads(bytes(task.upload))]
    _apply(task, progress, rows)


@dataclass
class Preview:
    """What the organiser sees of a refused workbook: every problem, and the valid rows."""

    errors: list[bulk.RowError]
    valid: list[bulk.RawRow]


def preview(task: Task) -> Preview | None:
    """The problems and valid rows of a refused workbook; None once the retention cleared
    them."""
    if not task.output:
        return None
    data = json.loads(bytes(task.output))
    return Preview(
        errors=[bulk.RowError(*e) for e in data["errors"]],
        valid=[bulk.RawRow(number, values) for number, values in data["valid"]],
    )


def register() -> None:
    """Called from the drives app's ``ready``."""
    title = gettext_lazy("Registering people from a workbook")
    tasks.register(UPLOAD, run_upload, title=title, stages=STAGES)
    tasks.register(APPLY, run_apply, title=title, stages=STAGES)

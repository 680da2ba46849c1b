"""The registry import as a worker task (decisions 0044, 0045): the upload page queues it,
the worker runs it and the owner follows the progress bar on the task page. A real import
ends with a link to its run page; a check-only run ends with its refusal report to download.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bloodline.collection.registry_import import reading, report
from bloodline.collection.registry_import.importer import import_registry
from bloodline.jobs import tasks
from bloodline.organisations.models import Organisation

KIND = "registry_import"
STAGES = {"importing": _("Checking and importing the rows")}


def _rows_in(data: bytes) -> int:
    """The number of data rows of a CSV file, for the bar (0 for xlsx: the bar then counts
    without a total)."""
    return 0 if data.startswith(b"PK") else max(0, data.count(b"\n") - 1)


def handle(task: Any, progress: tasks.Progress) -> None:
    params = task.params
    establishment = Organisation.objects.get(uuid=params["establishment"])
    data = bytes(task.upload)
    progress.total(_rows_in(data))
    progress.stage("importing")
    seen = 0

    def advanced(done: int) -> None:
        nonlocal seen
        progress.advance(done - seen)
        seen = done

    try:
        outcome = import_registry(
            by=task.owner,
            establishment=establishment,
            rows=reading.read(io.BytesIO(data)),
            source=params["source"],
            file_name=task.upload_name,
            dry_run=params.get("dry_run", False),
            progress=advanced,
        )
    except reading.ImportFileError as exc:
        raise ValidationError(str(exc)) from exc
    if outcome.run is not None:
        task.result = {"result_url": reverse("registry_import:run", args=[outcome.run.uuid])}
    else:
        task.output = report.as_csv(outcome.rejections)
        task.output_name = "checked-rows.csv"
        task.output_type = "text/csv; charset=utf-8"


def register() -> None:
    tasks.register(KIND, handle, title=_("Import a legacy registry"), stages=STAGES)

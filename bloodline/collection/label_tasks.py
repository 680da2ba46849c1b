"""A drive's pre-printed label sheet drawn by the worker (decision 0044). The numbers are
reserved in the request (``labels.preprint_dins``: quick, and refusals stay on the form); the
drawing — seconds per few dozen label sets with WeasyPrint — runs here, its progress counted
in label sets, and the PDF is downloaded from the task's page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from bloodline.accounts.models import User
from bloodline.collection import labels
from bloodline.drives.models import Drive
from bloodline.jobs import tasks
from bloodline.jobs.models import Task
from bloodline.lib.isbt128 import Din, parse

PREPRINT_SHEET = "collection.preprint_sheet"
STAGES = {
    labels.DRAWING: gettext_lazy("Drawing the label sets"),
    labels.WRITING: gettext_lazy("Writing the PDF"),
}


def start_sheet(*, by: User, drive: Drive, numbers: list[Din]) -> Task:
    params = {
        "drive": str(drive.uuid),
        "establishment": drive.establishment.display_name(),
        "dins": [n.din for n in numbers],
    }
    return tasks.start(PREPRINT_SHEET, by=by, params=params)


def run_sheet(task: Task, progress: tasks.Progress) -> None:
    numbers = [parse(din) for din in task.params["dins"]]
    task.output = labels.preprinted_sheet_pdf(
        numbers, establishment=task.params["establishment"], progress=progress
    )
    task.output_name = f"{numbers[0].din}-{numbers[-1].din}.pdf"
    task.output_type = "application/pdf"
    task.result = {"labels": len(numbers)}


def register() -> None:
    """Called from the collection app's ``ready``."""
    title = gettext_lazy("Pre-printed label sheet")
    tasks.register(PREPRINT_SHEET, run_sheet, title=title, stages=STAGES)

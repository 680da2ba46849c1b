"""The owner's task page: a progress bar the page polls, then the result, the file or the
error (decision 0044)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from bloodline.jobs import tasks
from bloodline.jobs.access import get_owned_task
from bloodline.jobs.models import Task

# Seconds between the page's looks at a running task.
POLL_SECONDS = 1


def _context(task: Task) -> dict[str, Any]:
    kind = tasks.KINDS.get(task.kind)
    stages = kind.stages if kind else {}
    result_url = task.result.get("result_url", "") if task.status == Task.Status.DONE else ""
    return {
        "task": task,
        "title": (kind.title if kind and kind.title else None),
        "stage": stages.get(task.stage, ""),
        "result_url": result_url if str(result_url).startswith("/") else "",
        "has_output": task.status == Task.Status.DONE
        and bool(task.output_name)
        and task.cleared_at is None,
        "poll": POLL_SECONDS,
    }


@require_GET
@login_required
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    task = get_owned_task(request.user, public_id)
    return render(request, "jobs/task.html", _context(task))


@require_GET
@login_required
def progress(request: HttpRequest, public_id: str) -> HttpResponse:
    """The polled fragment. Once the task is over it stops the polling; a result page the
    handler named is then opened at once (HX-Redirect)."""
    task = get_owned_task(request.user, public_id)
    context = _context(task)
    response = render(request, "jobs/_progress.html", context)
    if context["result_url"] and request.headers.get("HX-Request"):
        response["HX-Redirect"] = context["result_url"]
    return response


@require_GET
@login_required
def download(request: HttpRequest, public_id: str) -> HttpResponse:
    task = get_owned_task(request.user, public_id, with_output=True)
    if task.status != Task.Status.DONE or not task.output_name or not task.output:
        raise Http404
    response = HttpResponse(
        bytes(task.output), content_type=task.output_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(True, task.output_name) or ""
    return response

"""The registry import pages for establishment administrators (decision 0045): upload a
legacy registry file, see a run's counts and refused rows, download the refusal report.

The upload queues the import for the worker and sends the person to the task's page, where a
progress bar follows it (decision 0044); the import itself is the one ``manage.py
import_registry`` runs."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.collection import access as collection_access
from bloodline.collection.import_forms import RegistryImportForm
from bloodline.collection.models import RegistryImport
from bloodline.collection.registry_import import reading, report, task
from bloodline.collection.registry_import.reasons import describe
from bloodline.jobs import tasks
from bloodline.lib.xlsx import XLSX_MIME

SHOWN = 200  # refused rows listed on the page; the report holds them all


def _listed(rejections: list[dict[str, object]]) -> list[dict[str, object]]:
    return [
        {**r, "text": describe(str(r["reason"]), r["params"])}  # type: ignore[arg-type]
        for r in rejections[:SHOWN]
    ]


@login_required
def upload(request: AuthenticatedRequest) -> HttpResponse:
    establishments = collection_access.import_establishments(request.user)
    posted = request.method == "POST"
    form = RegistryImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        establishments=establishments,
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        queued = tasks.start(
            task.KIND,
            by=request.user,
            params={
                "establishment": str(data["establishment"].uuid),
                "source": data["source"],
                "dry_run": data["dry_run"],
            },
            upload=b"".join(data["file"].chunks()),
            upload_name=data["file"].name or "",
        )
        return redirect(queued.get_absolute_url())
    recent = RegistryImport.objects.filter(establishment__in=establishments).select_related(
        "establishment", "imported_by"
    )[:20]
    context = {
        "form": form,
        "recent": recent,
        "fields": reading.FIELDS,
        "required": reading.REQUIRED,
    }
    return render(request, "collection/registry_import.html", context)


@login_required
def run(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    found = collection_access.get_registry_import(request.user, public_id)
    context = {"run": found, "rejections": _listed(found.rejections), "shown": SHOWN}
    return render(request, "collection/registry_import_run.html", context)


@login_required
def rejected(request: AuthenticatedRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    found = collection_access.get_registry_import(request.user, public_id)
    if kind == "xlsx":
        body, mime = report.as_xlsx(found.rejections), XLSX_MIME
    else:
        body, mime = report.as_csv(found.rejections), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="rejected-{found.uuid}.{kind}"'
    return response

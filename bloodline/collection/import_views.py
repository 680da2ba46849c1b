"""The registry import pages for establishment administrators (decision 0045): upload a
legacy registry file, see a run's counts and refused rows, download the refusal report.

The upload runs the import in the request for now (the worker's task pages are another
slice of issue 14); the import itself is the one ``manage.py import_registry`` runs."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.collection import access as collection_access
from bloodline.collection.import_forms import RegistryImportForm
from bloodline.collection.models import RegistryImport
from bloodline.collection.registry_import import reading, report
from bloodline.collection.registry_import.importer import Outcome, import_registry
from bloodline.collection.registry_import.reasons import describe
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
    checked: Outcome | None = None
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            checked = import_registry(
                by=request.user,
                establishment=data["establishment"],
                rows=reading.read(data["file"].file),
                source=data["source"],
                file_name=data["file"].name or "",
                dry_run=data["dry_run"],
            )
        except reading.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            if checked.run is not None:
                return redirect("registry_import:run", checked.run.uuid)
    recent = RegistryImport.objects.filter(establishment__in=establishments).select_related(
        "establishment", "imported_by"
    )[:20]
    context = {
        "form": form,
        "recent": recent,
        "checked": checked,
        "rejections": _listed(checked.rejections) if checked else [],
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

"""Registering people for a drive: one at a time, or many from a workbook."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.drives import access, actions, bulk, bulk_tasks
from bloodline.drives.forms import RegistrationForm, UploadForm
from bloodline.drives.models import Drive
from bloodline.jobs.access import get_owned_task
from bloodline.jobs.models import Task
from bloodline.lib import xlsx
from bloodline.organisations import access as org_access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

# The rows an organiser may still register after seeing the errors travel in the page,
# signed so they cannot be altered, and only for an hour.
APPLY_SALT = "bloodline.drives.bulk-apply"
APPLY_MAX_AGE = 3600
UPLOAD_OVERHEAD = 64 * 1024  # the other form fields and the multipart boundaries


def _registrar_drive(request: AuthenticatedRequest, public_id: str) -> Drive:
    drive = access.get_drive(request.user, public_id)
    access.require_registrar(request.user)
    return drive


@login_required
def register(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _registrar_drive(request, public_id)
    units = access.registrars_scope(request.user)
    form = RegistrationForm(
        request.POST or None, slots=list(drive.slots.all()), zone=drive.time_zone(), units=units
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.register_person(by=request.user, drive=drive, **form.chosen())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            if result.match.is_duplicate:
                messages.warning(request, actions.duplicate_warning(result))
            messages.success(
                request,
                _("%(name)s is registered.") % {"name": result.registration.donor.full_name},
            )
            return redirect("drives:register", drive.uuid)
    return render(request, "drives/register.html", {"form": form, "drive": drive})


@login_required
def slots(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """Free places per slot: a fragment the registration page refreshes (HTMX)."""
    drive = access.get_drive(request.user, public_id)
    if not access.can_manage(request.user, drive):
        access.require_registrar(request.user)
    context = {"drive": drive, "slots": drive.slots.all(), "zone": drive.time_zone().key}
    template = "drives/_slots.html" if request.htmx else "drives/slots.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_POST
def cancel_registration(
    request: AuthenticatedRequest, public_id: str, registration_id: str
) -> HttpResponse:
    drive = access.get_drive(request.user, public_id)
    registration = access.get_registration(request.user, drive, registration_id)
    try:
        actions.cancel_registration(by=request.user, registration=registration)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The registration of %(name)s was cancelled; the place is free again.")
            % {"name": registration.donor.full_name},
        )
    return redirect("drives:detail", drive.uuid)


# Bulk ---------------------------------------------------------------------------------------


@login_required
def bulk_template(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _registrar_drive(request, public_id)
    content = bulk.template_workbook(drive, access.registrars_scope(request.user))
    response = HttpResponse(content, content_type=xlsx.XLSX_MIME)
    filename = f"registrations-{drive.starts_on:%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _sign(
    drive: Drive, request: AuthenticatedRequest, unit: Organisation, valid: list[bulk.RawRow]
) -> str:
    rows = [[row.number, row.values] for row in valid]
    payload = {"drive": str(drive.uuid), "user": request.user.pk, "unit": str(unit.uuid)}
    return signing.dumps({**payload, "rows": rows}, salt=APPLY_SALT, compress=True)


def _unsign(token: str, drive: Drive, request: AuthenticatedRequest) -> dict[str, Any] | None:
    try:
        data = signing.loads(token, salt=APPLY_SALT, max_age=APPLY_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("drive") != str(drive.uuid) or data.get("user") != request.user.pk:
        return None
    return dict(data)


def _outcome(
    request: AuthenticatedRequest,
    drive: Drive,
    form: UploadForm,
    unit: Organisation,
    preview: bulk_tasks.Preview,
) -> HttpResponse:
    """The page listing every problem, with the choice to register the valid rows only."""
    context = {
        "drive": drive,
        "form": form,
        "check": preview,
        "token": _sign(drive, request, unit, preview.valid) if preview.valid else "",
    }
    return render(request, "drives/upload.html", context)


def _applied(request: AuthenticatedRequest, drive: Drive, result: dict[str, Any]) -> HttpResponse:
    count, reused = result["registered"], result["reused"]
    messages.success(
        request,
        ngettext("%(count)s person was registered.", "%(count)s people were registered.", count)
        % {"count": count},
    )
    if reused:
        messages.warning(
            request,
            ngettext(
                "%(count)s of them was already on record; the existing record was used.",
                "%(count)s of them were already on record; the existing records were used.",
                reused,
            )
            % {"count": reused},
        )
    return redirect("drives:detail", drive.uuid)


def _too_large(request: AuthenticatedRequest) -> bool:
    """Checked before Django reads the body, so an oversized upload is never spooled to disk."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > xlsx.MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD


@login_required
def bulk_upload(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _registrar_drive(request, public_id)
    if _too_large(request):
        messages.error(request, xlsx.too_large_message())
        return redirect("drives:upload", drive.uuid)
    form = UploadForm(
        request.POST or None, request.FILES or None, units=access.registrars_scope(request.user)
    )
    if request.method != "POST" or not form.is_valid():
        return render(request, "drives/upload.html", {"drive": drive, "form": form})
    upload = form.cleaned_data["file"]
    task = bulk_tasks.start_upload(
        by=request.user,
        drive=drive,
        unit=form.chosen_unit(),
        content=upload.read(),
        name=upload.name or "",
    )
    return redirect(task)


@login_required
@require_POST
def bulk_apply(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """Register the rows that were valid, after the organiser has seen the others' problems."""
    drive = _registrar_drive(request, public_id)
    data = _unsign(request.POST.get("token", ""), drive, request)
    if data is None:
        messages.error(request, _("This list has expired. Upload the workbook again."))
        return redirect("drives:upload", drive.uuid)
    unit = org_access.get_organisation(request.user, data["unit"], Perm.REGISTRATION_MANAGE)
    rows = [bulk.RawRow(number, values) for number, values in data["rows"]]
    task = bulk_tasks.start_apply(by=request.user, drive=drive, unit=unit, rows=rows)
    return redirect(task)


@login_required
def bulk_result(request: AuthenticatedRequest, public_id: str, task_id: str) -> HttpResponse:
    """Where a workbook's task leads once done: the problems and the choice to register the
    valid rows, or the drive with the count of people registered."""
    drive = _registrar_drive(request, public_id)
    task = get_owned_task(request.user, task_id, with_output=True)
    if (
        task.kind not in bulk_tasks.KINDS
        or task.params.get("drive") != str(drive.uuid)
        or task.status != Task.Status.DONE
    ):
        raise Http404
    if not task.result.get("refused"):
        return _applied(request, drive, task.result)
    preview = bulk_tasks.preview(task)
    if preview is None:
        messages.error(request, _("This list has expired. Upload the workbook again."))
        return redirect("drives:upload", drive.uuid)
    unit = org_access.get_organisation(request.user, task.params["unit"], Perm.REGISTRATION_MANAGE)
    form = UploadForm(units=access.registrars_scope(request.user))
    return _outcome(request, drive, form, unit, preview)

"""Laboratory pages away from the bench: analyser imports, look-back notifications and the
lifting of a look-back hold."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.inventory.models import LookbackHold
from bloodline.lab import access as lab_access
from bloodline.lab import actions, imports
from bloodline.lab.forms import (
    IMPORT_COLUMNS,
    AcknowledgeForm,
    ImportForm,
)
from bloodline.lab.models import ImportBatch, Reading
from bloodline.lab.views import LIST_LIMIT, _done
from bloodline.organisations import access
from bloodline.organisations.roles import Perm

# Imports ------------------------------------------------------------------------------------


@login_required
def import_page(request: AuthenticatedRequest) -> HttpResponse:
    establishments = lab_access.lab_scope(request.user)
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        establishments=establishments,
    )
    if posted and form.is_valid():
        try:
            batch = imports.import_results(
                by=request.user,
                establishment=form.cleaned_data["establishment"],
                file_name=form.cleaned_data["file"].name or "",
                content=form.content,
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            return redirect("lab:batch", batch.uuid)
    recent = (
        ImportBatch.objects.filter(establishment__in=establishments)
        .select_related("establishment", "imported_by")
        .order_by("-imported_at")[:20]
    )
    context = {
        "form": form,
        "recent": recent,
        "columns": [(name, text, name in imports.REQUIRED) for name, text in IMPORT_COLUMNS],
        "readings": Reading.choices,
    }
    return render(request, "lab/import.html", context)


@login_required
def batch(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    batch = lab_access.get_batch(request.user, public_id, perm=Perm.LAB_RESULT)
    samples = (
        batch.results.values("sample__donation__din")
        .annotate(results=Count("id"))
        .order_by("sample__donation__din")[:LIST_LIMIT]
    )
    return render(
        request, "lab/batch.html", {"batch": batch, "samples": samples, "limit": LIST_LIMIT}
    )


# Look-back notifications ---------------------------------------------------------------------


def _notifications(
    request: AuthenticatedRequest, bound: dict[uuid.UUID, AcknowledgeForm] | None = None
) -> HttpResponse:
    tasks = lab_access.notification_tasks(request.user)
    waiting = list(tasks.filter(acknowledged_at__isnull=True).order_by("created_at")[:LIST_LIMIT])
    done = tasks.filter(acknowledged_at__isnull=False).order_by("-acknowledged_at")[:LIST_LIMIT]
    rows = []
    for task in waiting:
        form = None
        if access.has_perm(request.user, Perm.ORDER_PLACE, task.hospital):
            form = (bound or {}).get(task.uuid) or AcknowledgeForm(task=task)
        rows.append((task, form))
    lab = access.holds_anywhere(request.user, Perm.LAB_RESULT)
    context = {"waiting": rows, "done": done, "limit": LIST_LIMIT, "perms_lab": lab}
    return render(request, "lab/notifications.html", context)


@login_required
def notifications(request: AuthenticatedRequest) -> HttpResponse:
    return _notifications(request)


@require_POST
@login_required
def acknowledge(request: AuthenticatedRequest, public_id: uuid.UUID) -> HttpResponse:
    task = lab_access.notification_tasks(request.user).filter(uuid=public_id).first()
    if task is None:
        raise Http404
    form = AcknowledgeForm(request.POST, task=task)
    if form.is_valid():
        try:
            actions.acknowledge(by=request.user, task=task, response=form.cleaned_data["response"])
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The notification is acknowledged."))
            return redirect("lab:notifications")
    return _notifications(request, {task.uuid: form})


# Look-back holds ----------------------------------------------------------------------------


@require_POST
@login_required
def lift_hold(request: AuthenticatedRequest, din: str, hold_id: uuid.UUID) -> HttpResponse:
    """Lift the donor's look-back hold from the sample page of the donation that set it off."""
    donation = lab_access.get_donation(request.user, din, Perm.LAB_RELEASE)
    hold = LookbackHold.objects.filter(donor_id=donation.donor_id, uuid=hold_id).first()
    if hold is None:
        raise Http404
    try:
        actions.lift_hold(by=request.user, hold=hold)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The look-back hold is lifted: the donor's units return to their status.")
        )
    return _done(request, donation)

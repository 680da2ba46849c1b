"""End-of-drive pages: the reconciliation with its buttons, and the shared live board.

Thin: fetch through drives/access.py, call an action, redirect with a message.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.drives import actions, board, day_status, reconciliation
from bloodline.drives.models import Drive, DriveStatus, MismatchKind
from bloodline.drives.views import RECONCILABLE, _managed_drive

BOARD_REFRESH_SECONDS = 30


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


class VoidForm(forms.Form):
    din = forms.CharField(label=gettext_lazy("Donation identification number"), max_length=20)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


def _reconcilable(request: AuthenticatedRequest, public_id: str) -> Drive:
    drive = _managed_drive(request, public_id)
    if drive.status not in RECONCILABLE:
        raise Http404
    return drive


def _show_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def reconcile(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _reconcilable(request, public_id)
    result = reconciliation.reconcile(drive)
    context: dict[str, Any] = {
        "drive": drive,
        "zone": drive.time_zone().key,
        "r": result,
        "f": result.figures,
        "reasons": [
            (code, reconciliation.reason_label(code, drive.establishment.jurisdiction), count)
            for code, count in result.figures.deferred_by_reason
        ],
        "no_shows": day_status.no_shows_by_organiser(drive.registrations.all()),
        "voided": drive.voided_dins.all(),
        "void_form": VoidForm(),
        "can_close": drive.status == DriveStatus.RUNNING,
        "can_reconcile": drive.can_become(DriveStatus.RECONCILED),
        "locked": drive.status == DriveStatus.RECONCILED,
        "open_mismatches": [
            (kind, subject, MismatchKind(kind).label, _subject_label(item))
            for kind, subject, item in result.open_subjects()
        ],
        "resolved": sorted(result.resolutions.values(), key=lambda r: r.resolved_at),
    }
    return render(request, "drives/reconcile.html", context)


@login_required
@require_POST
def close_or_reconcile(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _reconcilable(request, public_id)
    status = request.POST.get("status", "")
    if status not in (DriveStatus.CLOSED, DriveStatus.RECONCILED):
        raise Http404
    try:
        actions.change_status(
            by=request.user,
            drive=drive,
            status=status,
            confirm_no_shows=request.POST.get("confirm_no_shows") == "on",
        )
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(
            request, _("The drive is now %(status)s.") % {"status": DriveStatus(status).label}
        )
    return redirect("drives:reconcile", drive.uuid)


@login_required
@require_POST
def mark_left(request: AuthenticatedRequest, public_id: str, presentation_id: str) -> HttpResponse:
    drive = _reconcilable(request, public_id)
    presentation = reconciliation.in_progress(drive).filter(uuid=uuid.UUID(str(presentation_id)))
    found = presentation.first()
    if found is None:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why this person is recorded as having left."))
        return redirect("drives:reconcile", drive.uuid)
    try:
        actions.mark_left(
            by=request.user, drive=drive, presentation=found, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, _("Recorded as having left before donating."))
    return redirect("drives:reconcile", drive.uuid)


@login_required
@require_POST
def void_din(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _reconcilable(request, public_id)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the donation number and why it is voided."))
        return redirect("drives:reconcile", drive.uuid)
    try:
        voided = actions.void_din(
            by=request.user,
            drive=drive,
            din=form.cleaned_data["din"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, _("%(din)s is voided.") % {"din": voided.din})
    return redirect("drives:reconcile", drive.uuid)


def _subject_label(item: Any) -> str:
    """How a mismatch's record reads on the page: its DIN, or the donor's name."""
    if isinstance(item, str):
        return item
    if hasattr(item, "din"):
        return f"{item.din} — {item.donor.full_name}"
    return str(item.donor.full_name)


class ResolveForm(forms.Form):
    kind = forms.ChoiceField(choices=MismatchKind.choices)
    subject = forms.CharField(max_length=64)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


@login_required
@require_POST
def resolve_mismatch(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _reconcilable(request, public_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why this mismatch is acceptable."))
        return redirect("drives:reconcile", drive.uuid)
    try:
        actions.resolve_mismatch(by=request.user, drive=drive, **form.cleaned_data)
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, _("The mismatch is resolved with your reason."))
    return redirect("drives:reconcile", drive.uuid)


@login_required
@require_POST
def reopen(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _reconcilable(request, public_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the reconciled drive is reopened."))
        return redirect("drives:reconcile", drive.uuid)
    try:
        actions.reopen_drive(by=request.user, drive=drive, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, _("The drive is reopened; reconcile it again when done."))
    return redirect("drives:reconcile", drive.uuid)


# The live board -----------------------------------------------------------------------------


def live_board(request: HttpRequest, token: str) -> HttpResponse:
    """Public, without sign-in: anyone with the link sees the counts. HTMX asks for the
    figures alone every 30 seconds."""
    drive = board.drive_for_token(token)
    context = {
        "drive": drive,
        "board": board.board(drive),
        "zone": drive.time_zone().key,
        "token": token,
        "refresh": BOARD_REFRESH_SECONDS,
    }
    template = "drives/_board.html" if request.headers.get("HX-Request") else "drives/board.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the address
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def share_board(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _managed_drive(request, public_id)
    actions.share_board(by=request.user, drive=drive)
    messages.success(request, _("The live board can now be shared with its link."))
    return redirect("drives:detail", drive.uuid)


@login_required
@require_POST
def revoke_board(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _managed_drive(request, public_id)
    actions.revoke_board(by=request.user, drive=drive)
    messages.success(request, _("The live board link no longer works."))
    return redirect("drives:detail", drive.uuid)

"""Drive requests: a unit asks for a drive; the establishment accepts a date or declines."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.drives import access, actions, areas
from bloodline.drives.forms import AcceptForm, DeclineForm, DriveRequestForm
from bloodline.drives.models import DriveRequest
from bloodline.organisations import access as org_access
from bloodline.organisations.roles import Perm


@login_required
def request_list(request: AuthenticatedRequest) -> HttpResponse:
    """Requests addressed to the person's establishments, and those their units made."""
    found = access.requests_for(request.user).select_related(
        "establishment", "requested_by", "drive"
    )
    user = request.user
    rows = [(r, org_access.has_perm(user, Perm.DRIVE_MANAGE, r.establishment)) for r in found]
    return render(
        request,
        "drives/requests.html",
        {
            "incoming": [r for r, answers in rows if answers],
            "outgoing": [r for r, answers in rows if not answers],
            "can_request": org_access.holds_anywhere(user, Perm.DRIVE_REQUEST),
        },
    )


@login_required
def request_create(request: AuthenticatedRequest) -> HttpResponse:
    units = list(
        org_access.organisations(request.user, Perm.DRIVE_REQUEST)
        .filter(is_active=True)
        .order_by("path")
    )
    if not units:
        raise PermissionDenied
    roots = org_access.scope_roots(request.user, Perm.DRIVE_REQUEST)
    form = DriveRequestForm(
        request.POST or None, units=units, establishments=areas.establishments_serving(roots)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = actions.request_drive(
                by=request.user,
                requested_by=form.units[data["requested_by"]],
                establishment=form.establishments[data["establishment"]],
                options=form.options(),
                expected_donors=data["expected_donors"],
                venue=data["venue"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("Your request was sent to the blood establishment."))
            return redirect("drives:request_detail", made.uuid)
    return render(request, "drives/request_form.html", {"form": form})


def _answerable(request: AuthenticatedRequest, public_id: str) -> DriveRequest | None:
    """The open request the person may answer; None (with a message) once it is answered."""
    drive_request = access.get_request(request.user, public_id)
    access.require_answer(request.user, drive_request)
    if drive_request.is_open:
        return drive_request
    messages.error(request, _("This request has already been answered."))
    return None


def _detail(
    request: AuthenticatedRequest,
    drive_request: DriveRequest,
    accept: AcceptForm | None = None,
    decline: DeclineForm | None = None,
) -> HttpResponse:
    answers = org_access.has_perm(request.user, Perm.DRIVE_MANAGE, drive_request.establishment)
    context: dict[str, Any] = {"drive_request": drive_request, "can_answer": answers}
    if answers and drive_request.is_open:
        context["accept"] = accept or AcceptForm(request=drive_request)
        context["decline"] = decline or DeclineForm()
    return render(request, "drives/request_detail.html", context)


@login_required
def request_detail(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    return _detail(request, access.get_request(request.user, public_id))


@login_required
@require_POST
def request_accept(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive_request = _answerable(request, public_id)
    if drive_request is None:
        return redirect("drives:request_detail", public_id)
    form = AcceptForm(request.POST, request=drive_request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            drive = actions.accept_request(
                by=request.user,
                request=drive_request,
                date=form.chosen_date(),
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                slot_minutes=data["slot_minutes"],
                beds=data["beds"],
                title=data["title"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The request was accepted and the drive proposed."))
            return redirect("drives:detail", drive.uuid)
    return _detail(request, drive_request, accept=form)


@login_required
@require_POST
def request_decline(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive_request = _answerable(request, public_id)
    if drive_request is None:
        return redirect("drives:request_detail", public_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            actions.decline_request(
                by=request.user, request=drive_request, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The request was declined."))
            return redirect("drives:request_detail", drive_request.uuid)
    return _detail(request, drive_request, decline=form)

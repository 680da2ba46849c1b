"""Drive pages: the calendar, a drive's page, planning and editing it, and its status.

Thin: fetch through drives/access.py, validate with a form, call an action, redirect.
Requests and registrations have their own modules.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.drives import access, actions, board, day_status, months
from bloodline.drives.forms import CancelForm, DriveForm
from bloodline.drives.models import DRIVE_TRANSITIONS, Drive, DriveStatus
from bloodline.organisations import access as org_access
from bloodline.organisations.roles import Perm

LIST_LIMIT = 200
RECONCILABLE = frozenset({DriveStatus.RUNNING, DriveStatus.CLOSED, DriveStatus.RECONCILED})
# The button that moves a drive into each status (cancelling has its own page, for the reason).
STATUS_BUTTONS = {
    DriveStatus.CONFIRMED: gettext_lazy("Confirm the drive"),
    DriveStatus.RUNNING: gettext_lazy("Start the drive"),
    DriveStatus.CLOSED: gettext_lazy("Close the drive"),
    DriveStatus.RECONCILED: gettext_lazy("Mark as reconciled"),
}


def calendar(request: HttpRequest) -> HttpResponse:
    """Drives as a list of upcoming days, or one month (``?view=month&month=YYYY-MM``).

    Public, with no personal data: anonymous visitors see confirmed and running drives; signed-in
    people also see the drives of their part of the tree in any status, marked with it.
    """
    today = timezone.localdate()
    drives = access.viewable_drives(request.user).select_related("establishment")
    signed_in = request.user.is_authenticated
    context: dict[str, Any] = {
        "show_status": signed_in,
        "today": today,
        "can_create": signed_in and bool(access.managed_establishments(request.user)),
    }
    if request.GET.get("view") == "month":
        first, readable = months.parse_month(request.GET.get("month", ""), today)
        start, end = months.bounds(first)
        shown = drives.on_days(start, end).order_by("starts_on", "opens_at")
        context |= {
            "view": "month",
            "month": months.build(first, shown),
            "month_unreadable": not readable,
            "weekdays": [WEEKDAYS_ABBR[d] for d in range(7)],
        }
    else:
        upcoming = drives.upcoming(today).order_by("starts_on", "opens_at")[:LIST_LIMIT]
        context |= {"view": "list", "drives": upcoming}
    return render(request, "drives/calendar.html", context)


def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A drive's page. People's names appear only to those who manage the drive or register
    people for it, and only the registrations they may see."""
    drive = access.get_drive(request.user, public_id)
    signed_in = request.user.is_authenticated
    manage = signed_in and access.can_manage(request.user, drive)
    registrar = signed_in and access.can_register(request.user)
    context: dict[str, Any] = {
        "drive": drive,
        "zone": drive.time_zone().key,
        "hosts": drive.hosts.order_by("path"),
        "can_manage": manage,
        "can_register": registrar and drive.takes_registrations,
        "show_people": manage or registrar,
    }
    if manage or registrar:
        context["slots"] = drive.slots.all()
        visible = access.registrations_for(request.user, drive)
        context["registrations"] = day_status.with_day_status(visible).select_related(
            "donor", "slot", "mobilised_by"
        )
        context["no_shows"] = day_status.no_shows_by_organiser(visible)
    if manage:
        context["buttons"] = [
            (status.value, STATUS_BUTTONS[status])
            for status in STATUS_BUTTONS
            if status in DRIVE_TRANSITIONS[drive.status]
        ]
        context["can_cancel"] = drive.can_become(DriveStatus.CANCELLED)
        context["can_reconcile"] = drive.status in RECONCILABLE
    # The station pages live in the screening app (above this one); only the link is here.
    context["can_run_stations"] = org_access.has_perm(
        request.user, Perm.STATION_RUN, drive.establishment
    )
    if access.may_print_labels(request.user, drive.establishment):
        context["labelled"] = drive.donations.only("din", "collected_at").order_by("collected_at")
    if board.can_see_link(request.user, drive):
        context["board_visible"] = True
        context["board_link"] = board.live_link(drive)
    return render(request, "drives/detail.html", context)


@login_required
def create(request: AuthenticatedRequest) -> HttpResponse:
    establishments = {str(e.uuid): e for e in access.managed_establishments(request.user)}
    if not establishments:
        raise PermissionDenied
    form = DriveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        chosen = establishments[form.cleaned_data["establishment"]]
        try:
            drive = actions.create_drive(
                by=request.user, establishment=chosen, hosts=form.chosen_hosts(), **form.details()
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The drive was planned. Confirm it when it is agreed."))
            return redirect("drives:detail", drive.uuid)
    return render(request, "drives/form.html", {"form": form})


def _managed_drive(request: AuthenticatedRequest, public_id: str) -> Drive:
    drive = access.get_drive(request.user, public_id)
    access.require_manage(request.user, drive)
    return drive


@login_required
def edit(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _managed_drive(request, public_id)
    form = DriveForm(request.POST or None, user=request.user, drive=drive)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_drive(
                by=request.user,
                drive=drive,
                version=form.cleaned_data["version"] or 0,
                changes=form.details(),
                hosts=form.chosen_hosts(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("drives:detail", drive.uuid)
    return render(request, "drives/form.html", {"form": form, "drive": drive})


@login_required
@require_POST
def change_status(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """The status buttons of a drive's page."""
    drive = _managed_drive(request, public_id)
    status = request.POST.get("status", "")
    if status == DriveStatus.CANCELLED:
        return redirect("drives:cancel", drive.uuid)
    try:
        actions.change_status(
            by=request.user,
            drive=drive,
            status=status,
            confirm_no_shows=request.POST.get("confirm_no_shows") == "on",
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The drive is now %(status)s.") % {"status": DriveStatus(status).label},
        )
    return redirect("drives:detail", drive.uuid)


@login_required
def cancel(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    drive = _managed_drive(request, public_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_status(
                by=request.user,
                drive=drive,
                status=DriveStatus.CANCELLED,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The drive was cancelled. Its registrations are kept."))
            return redirect("drives:detail", drive.uuid)
    count = drive.registrations.filter(cancelled_at__isnull=True).count()
    return render(request, "drives/cancel.html", {"form": form, "drive": drive, "count": count})

"""The donor portal's booking pages (decision 0057): find a drive (list, month, map), see its
free slots, book, move or cancel a booking, and the waiting list. Thin: read through
``booking_access``, act through ``booking_service``, redirect."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bloodline.accounts.models import User
from bloodline.donors.models import Sex
from bloodline.donors.self_service import account_of, donor_of
from bloodline.drives import months
from bloodline.drives.models import Drive, Slot
from bloodline.portal import booking_access, booking_find, booking_service


class PersonForm(forms.Form):
    """Asked at a first booking only, when the account has no donor record yet."""

    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=200)
    date_of_birth = forms.DateField(
        label=gettext_lazy("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=Sex.choices)
    phone = forms.CharField(
        label=gettext_lazy("Phone number"), max_length=40, widget=forms.TextInput({"type": "tel"})
    )

    def person(self) -> booking_service.Person:
        data = self.cleaned_data
        return booking_service.Person(
            data["full_name"], data["date_of_birth"], data["sex"], data["phone"]
        )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _slot(drive: Drive, request: HttpRequest) -> Slot | None:
    return booking_access.get_slot(drive, parse_datetime(request.POST.get("slot", "")))


def _is_full(exc: ValidationError) -> bool:
    errors = getattr(exc, "error_dict", {})
    return any(e.code == "full" for e in errors.get("slot", []))


def drives(request: HttpRequest) -> HttpResponse:
    """Upcoming drives, by date or nearest first; an area choice works without a position."""
    shown, area = booking_find.in_area(booking_access.open_drives(), request.GET.get("area", ""))
    here = booking_find.read_position(
        request.GET.get("latitude", ""), request.GET.get("longitude", "")
    )
    context = {
        "found": booking_find.nearest_first(shown, here),
        "areas": booking_find.area_choices(),
        "area": area,
        "here": here,
        "position_unreadable": bool(request.GET.get("latitude")) and here is None,
    }
    return render(request, "portal/booking_drives.html", context)


def calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    first, readable = months.parse_month(request.GET.get("month", ""), today)
    start, end = months.bounds(first)
    shown = booking_access.open_drives(today).on_days(start, end)
    context = {
        "month": months.build(first, shown),
        "month_unreadable": not readable,
        "weekdays": [WEEKDAYS_ABBR[d] for d in range(7)],
        "today": today,
    }
    return render(request, "portal/booking_calendar.html", context)


def drive_map(request: HttpRequest) -> HttpResponse:
    shown = list(booking_access.open_drives().order_by("starts_on", "opens_at", "pk"))
    shown = shown[: booking_find.LIST_LIMIT]
    placed = booking_find.pins(shown)
    context = {
        "pins": placed,
        "unplaced": [d for d in shown if booking_find.position_of(d) is None],
        "size": booking_find.MAP_SIZE,
    }
    return render(request, "portal/booking_map.html", context)


def _drive_page(
    request: HttpRequest,
    drive: Drive,
    *,
    form: PersonForm | None = None,
    status: int = 200,
    errors: list[str] | None = None,
    full_slot: str = "",
) -> HttpResponse:
    user = request.user
    has_account = account_of(user) is not None
    needs_person = has_account and donor_of(user) is None
    slots = [s for s in drive.slots.all() if s.starts_at > timezone.now()]
    mine = booking_access.own_bookings(user).filter(drive=drive).first() if has_account else None
    context: dict[str, Any] = {
        "booked": mine,
        "drive": drive,
        "slots": slots,
        "has_account": has_account,
        "form": form or (PersonForm() if needs_person else None),
        "errors": errors or [],
        "full_slot": full_slot,
        "zone": drive.time_zone(),
    }
    return render(request, "portal/booking_drive.html", context, status=status)


def drive_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _drive_page(request, booking_access.get_drive(public_id))


@login_required
@require_POST
def book(request: HttpRequest, public_id: str) -> HttpResponse:
    drive = booking_access.get_drive(public_id)
    booking_access.require_account(request.user)
    form = PersonForm(request.POST) if donor_of(request.user) is None else None
    if form is not None and not form.is_valid():
        return _drive_page(request, drive, form=form, status=400)
    try:
        booking_service.book(
            by=_user(request),
            drive=drive,
            slot=_slot(drive, request),
            person=form.person() if form is not None else None,
        )
    except ValidationError as exc:
        full = request.POST.get("slot", "") if _is_full(exc) else ""
        return _drive_page(
            request, drive, form=form, status=400, errors=exc.messages, full_slot=full
        )
    messages.success(request, _("Your booking is confirmed. We have sent you a message."))
    return redirect("portal:booking_mine")


@login_required
@require_POST
def join_waitlist(request: HttpRequest, public_id: str) -> HttpResponse:
    drive = booking_access.get_drive(public_id)
    booking_access.require_account(request.user)
    try:
        booking_service.join_waitlist(by=_user(request), drive=drive, slot=_slot(drive, request))
    except ValidationError as exc:
        return _drive_page(request, drive, status=400, errors=exc.messages)
    messages.success(
        request,
        _("You are on the waiting list. If a place frees, we will message you to accept it."),
    )
    return redirect("portal:booking_mine")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    context = {
        "bookings": list(booking_access.own_bookings(request.user)),
        "entries": list(booking_access.own_waitlist(request.user)),
        "now": timezone.now(),
    }
    return render(request, "portal/booking_mine.html", context)


def _mine_with_errors(request: HttpRequest, errors: list[str]) -> HttpResponse:
    for error in errors:
        messages.error(request, error)
    return redirect("portal:booking_mine")


@login_required
@require_POST
def cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    registration = booking_access.get_own_booking(request.user, public_id)
    try:
        booking_service.cancel(by=_user(request), registration=registration)
    except ValidationError as exc:
        return _mine_with_errors(request, exc.messages)
    messages.success(request, _("Your booking is cancelled."))
    return redirect("portal:booking_mine")


@login_required
def move(request: HttpRequest, public_id: str) -> HttpResponse:
    registration = booking_access.get_own_booking(request.user, public_id)
    # The booking may move to a slot of another drive open for booking (chosen first).
    chosen = request.POST.get("drive") or request.GET.get("drive") or ""
    drive = booking_access.get_drive(chosen) if chosen else registration.drive
    errors: list[str] = []
    if request.method == "POST":
        try:
            booking_service.reschedule(
                by=_user(request),
                registration=registration,
                drive=drive,
                slot=_slot(drive, request),
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Your booking is moved. We have sent you a message."))
            return redirect("portal:booking_mine")
    slots = [
        s
        for s in drive.slots.all()
        if s.starts_at > timezone.now() and s.pk != registration.slot_id
    ]
    context = {
        "registration": registration,
        "drive": drive,
        "slots": slots,
        "errors": errors,
        "drives": booking_access.open_drives().order_by("starts_on", "opens_at", "pk")[
            : booking_find.LIST_LIMIT
        ],
    }
    return render(request, "portal/booking_move.html", context, status=400 if errors else 200)


@login_required
@require_POST
def accept_offer(request: HttpRequest, public_id: str) -> HttpResponse:
    entry = booking_access.get_own_entry(request.user, public_id)
    try:
        booking_service.accept_offer(by=_user(request), entry=entry)
    except ValidationError as exc:
        return _mine_with_errors(request, exc.messages)
    messages.success(request, _("The place is yours: your booking is confirmed."))
    return redirect("portal:booking_mine")


@login_required
@require_POST
def leave_waitlist(request: HttpRequest, public_id: str) -> HttpResponse:
    entry = booking_access.get_own_entry(request.user, public_id)
    try:
        booking_service.leave_waitlist(by=_user(request), entry=entry)
    except ValidationError as exc:
        return _mine_with_errors(request, exc.messages)
    messages.success(request, _("You have left the waiting list."))
    return redirect("portal:booking_mine")

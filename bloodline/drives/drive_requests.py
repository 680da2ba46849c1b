"""Drive requests: a unit asks an establishment for a drive on up to three dates; the
establishment accepts one (a proposed drive hosted by the unit) or declines with a reason."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.drives import areas
from bloodline.drives.models import MAX_DATE_OPTIONS, Drive, DriveRequest, RequestStatus
from bloodline.drives.planning import create_drive
from bloodline.organisations import access
from bloodline.organisations.kinds import ESTABLISHMENTS
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _today_at(establishment: Organisation) -> dt.date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(establishment.effective_time_zone()))


def _check_options(
    options: Sequence[dt.date | None], establishment: Organisation, errors: Errors
) -> list[dt.date]:
    given = [(n, d) for n, d in enumerate(options, start=1) if d is not None]
    if not given:
        _add(errors, "option_1", _("Offer at least one date."))
    if len(options) > MAX_DATE_OPTIONS:
        message = ngettext(
            "Offer at most %(n)s date.", "Offer at most %(n)s dates.", MAX_DATE_OPTIONS
        )
        _add(errors, "option_1", message % {"n": MAX_DATE_OPTIONS})
    today = _today_at(establishment)
    seen: set[dt.date] = set()
    for number, day in given:
        field = f"option_{min(number, MAX_DATE_OPTIONS)}"
        if day < today:
            _add(errors, field, _("Choose a date from today on."))
        if day in seen:
            _add(errors, field, _("This date is already offered."))
        seen.add(day)
    return [d for _n, d in given]


def _check_request(
    unit: Organisation,
    establishment: Organisation,
    options: Sequence[dt.date | None],
    expected_donors: int,
    venue: str,
) -> list[dt.date]:
    """The offered dates, once everything about the request is right; else every problem."""
    errors: Errors = {}
    if establishment.kind not in ESTABLISHMENTS or not establishment.is_active:
        _add(errors, "establishment", _("Choose an active blood establishment."))
    elif not areas.serves(establishment, unit):
        _add(
            errors,
            "establishment",
            _("This blood establishment does not collect in the area of %(unit)s.")
            % {"unit": unit.display_name()},
        )
    dates = _check_options(options, establishment, errors)
    if expected_donors < 1:
        _add(errors, "expected_donors", _("Expect at least one donor."))
    if not venue.strip():
        _add(errors, "venue", _("Say where the drive would be held."))
    if errors:
        raise ValidationError(errors)
    return dates


@transaction.atomic
def request_drive(
    *,
    by: User,
    requested_by: Organisation,
    establishment: Organisation,
    options: Sequence[dt.date | None],
    expected_donors: int,
    venue: str,
    note: str = "",
) -> DriveRequest:
    """A unit asks an establishment for a drive on one of up to three dates."""
    access.require(by, Perm.DRIVE_REQUEST, requested_by)
    dates = _check_request(requested_by, establishment, options, expected_donors, venue)
    request = DriveRequest.objects.create(
        requested_by=requested_by,
        establishment=establishment,
        option_1=dates[0],
        option_2=dates[1] if len(dates) > 1 else None,
        option_3=dates[2] if len(dates) > 2 else None,
        expected_donors=expected_donors,
        venue=venue.strip(),
        note=note.strip(),
    )
    changes = {
        "requested_by": [None, str(requested_by.uuid)],
        "establishment": [None, str(establishment.uuid)],
        "options": [None, [d.isoformat() for d in dates]],
        "expected_donors": [None, expected_donors],
        "venue": [None, request.venue],
    }
    record(by=by, action="drive_request.create", obj=request, changes=changes)
    return request


def _open_request(request: DriveRequest) -> DriveRequest:
    locked = (
        DriveRequest.objects.select_for_update()
        .select_related("establishment", "requested_by")
        .get(pk=request.pk)
    )
    if not locked.is_open:
        raise ValidationError({NON_FIELD_ERRORS: [_("This request has already been answered.")]})
    return locked


@transaction.atomic
def accept_request(
    *,
    by: User,
    request: DriveRequest,
    date: dt.date,
    opens_at: dt.time,
    closes_at: dt.time,
    slot_minutes: int,
    beds: int,
    title: str = "",
) -> Drive:
    """Accept one of the offered dates: a proposed drive hosted by the requesting unit."""
    access.require(by, Perm.DRIVE_MANAGE, request.establishment)
    locked = _open_request(request)
    if date not in locked.options():
        raise ValidationError({"date": [_("Choose one of the dates the unit offered.")]})
    if date < _today_at(locked.establishment):
        raise ValidationError({"date": [_("This date has passed. Ask the unit for new dates.")]})
    drive = create_drive(
        by=by,
        establishment=locked.establishment,
        hosts=[locked.requested_by],
        title=title.strip() or locked.requested_by.name,
        venue=locked.venue,
        starts_on=date,
        ends_on=date,
        opens_at=opens_at,
        closes_at=closes_at,
        slot_minutes=slot_minutes,
        beds=beds,
        expected_units=locked.expected_donors,
    )
    locked.status = RequestStatus.ACCEPTED
    locked.drive = drive
    locked.save(update_fields=["status", "drive"])
    changes = {"status": [RequestStatus.REQUESTED, locked.status], "drive": [None, str(drive.uuid)]}
    record(by=by, action="drive_request.accept", obj=locked, changes=changes)
    return drive


@transaction.atomic
def decline_request(*, by: User, request: DriveRequest, reason: str) -> DriveRequest:
    """Decline a request, saying why so the unit can ask again differently."""
    access.require(by, Perm.DRIVE_MANAGE, request.establishment)
    locked = _open_request(request)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the request is declined.")]})
    locked.status = RequestStatus.DECLINED
    locked.decline_reason = reason
    locked.save(update_fields=["status", "decline_reason"])
    changes = {"status": [RequestStatus.REQUESTED, locked.status]}
    record(by=by, action="drive_request.decline", obj=locked, changes=changes, reason=reason)
    return locked

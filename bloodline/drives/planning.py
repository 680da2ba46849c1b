"""Planning drives: creating one with its slots, changing it, and moving its status.

Each write is one transaction with its audit event, checks scope itself (so a new caller
cannot skip it) and refuses bad input with translated messages keyed by field, before
anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bloodline.accounts.models import User
from bloodline.audit.record import diff, plain, record
from bloodline.drives import areas, booking_messages, reconciliation, schedule
from bloodline.drives.models import (
    OPEN_WAIT_STATUSES,
    Drive,
    DriveStatus,
    Slot,
    WaitlistEntry,
    WaitStatus,
)
from bloodline.lib.locking import bump, check_version
from bloodline.organisations import access
from bloodline.organisations.kinds import ESTABLISHMENTS
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm
from bloodline.programmes.models import Round

DETAIL_FIELDS = (
    "title",
    "venue",
    "address",
    "latitude",
    "longitude",
    "expected_units",
    "arrival_windows",
    "round",
)
SCHEDULE_FIELDS = ("starts_on", "ends_on", "opens_at", "closes_at", "slot_minutes")
EDITABLE_FIELDS = frozenset((*DETAIL_FIELDS, *SCHEDULE_FIELDS, "beds"))
AUDITED_FIELDS = ("establishment", *DETAIL_FIELDS, *SCHEDULE_FIELDS, "beds", "status")

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _label(drive: Drive) -> str:
    return f"{drive.title} ({drive.starts_on:%Y-%m-%d})"


def _snapshot(drive: Drive) -> dict[str, Any]:
    """Audited fields as they read in the history (times as HH:MM, which JSON can hold)."""
    values = {name: getattr(drive, name) for name in AUDITED_FIELDS}
    return {
        name: f"{value:%H:%M}" if isinstance(value, dt.time) else plain(value)
        for name, value in values.items()
    }


def _hours(drive: Drive) -> schedule.Hours:
    return schedule.Hours(
        drive.starts_on,
        drive.ends_on,
        drive.opens_at,
        drive.closes_at,
        drive.slot_minutes,
        drive.beds,
    )


# Validation ---------------------------------------------------------------------------------


def _check_place(drive: Drive, errors: Errors) -> None:
    if not drive.title.strip():
        _add(errors, "title", _("Give the drive a title."))
    if not drive.venue.strip():
        _add(errors, "venue", _("Say where the drive is held."))
    if (drive.latitude is None) != (drive.longitude is None):
        _add(errors, "longitude", _("Give both the latitude and the longitude, or neither."))
    if drive.latitude is not None and not Decimal(-90) <= drive.latitude <= Decimal(90):
        _add(errors, "latitude", _("A latitude lies between -90 and 90."))
    if drive.longitude is not None and not Decimal(-180) <= drive.longitude <= Decimal(180):
        _add(errors, "longitude", _("A longitude lies between -180 and 180."))
    if drive.expected_units < 0:
        _add(errors, "expected_units", _("Enter a number of zero or more."))


def _check_round(drive: Drive, errors: Errors) -> None:
    round_ = drive.round
    if round_ is None:
        return
    if drive.starts_on < round_.starts_on or drive.ends_on > round_.ends_on:
        _add(
            errors,
            "round",
            _("The drive's days must fall within the round (%(start)s – %(end)s).")
            % {"start": round_.starts_on.isoformat(), "end": round_.ends_on.isoformat()},
        )


def _check_hosts(
    by: User, establishment: Organisation, hosts: Sequence[Organisation], errors: Errors
) -> None:
    if not hosts:
        _add(errors, "hosts", _("Choose at least one host organisation."))
        return
    for host in hosts:
        # The system actor passes scope checks by name, but it does not widen the areas an
        # establishment serves: as before, background and demo drives need ``serves``.
        allowed = areas.serves(establishment, host) or (
            not access.is_system(by) and access.has_perm(by, Perm.VIEW, host)
        )
        if not host.is_active or not allowed:
            _add(
                errors,
                "hosts",
                _("%(name)s cannot host a drive of this establishment.")
                % {"name": host.display_name()},
            )


def _validate(drive: Drive, hosts: Sequence[Organisation], by: User) -> None:
    errors: Errors = {}
    if drive.establishment.kind not in ESTABLISHMENTS or not drive.establishment.is_active:
        _add(errors, "establishment", _("Choose an active blood establishment."))
    _check_place(drive, errors)
    schedule.check_hours(_hours(drive), errors)
    drive.arrival_windows = schedule.clean_arrival_windows(
        drive.arrival_windows or [], drive.opens_at, drive.closes_at, errors
    )
    _check_round(drive, errors)
    _check_hosts(by, drive.establishment, hosts, errors)
    try:
        drive.clean_fields(exclude=["uuid", "establishment", "round", "arrival_windows"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _make_slots(drive: Drive) -> None:
    times = schedule.slot_times(_hours(drive), drive.time_zone())
    Slot.objects.bulk_create(
        Slot(drive=drive, starts_at=start, ends_at=end, capacity=drive.beds) for start, end in times
    )


def _host_ids(hosts: Sequence[Organisation]) -> list[str]:
    return sorted(str(h.uuid) for h in hosts)


# Drives -------------------------------------------------------------------------------------


@transaction.atomic
def create_drive(
    *,
    by: User,
    establishment: Organisation,
    hosts: Sequence[Organisation],
    title: str,
    venue: str,
    starts_on: dt.date,
    ends_on: dt.date,
    opens_at: dt.time,
    closes_at: dt.time,
    slot_minutes: int,
    beds: int,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    expected_units: int = 0,
    arrival_windows: Sequence[Mapping[str, Any]] = (),
    round: Round | None = None,
) -> Drive:
    """Plan a drive (status proposed) and cut its opening hours into slots."""
    access.require(by, Perm.DRIVE_MANAGE, establishment)
    drive = Drive(
        establishment=establishment,
        title=title.strip(),
        venue=venue.strip(),
        address=address.strip(),
        latitude=latitude,
        longitude=longitude,
        starts_on=starts_on,
        ends_on=ends_on,
        opens_at=opens_at,
        closes_at=closes_at,
        slot_minutes=slot_minutes,
        beds=beds,
        expected_units=expected_units,
        arrival_windows=[dict(w) for w in arrival_windows],
        round=round,
    )
    _validate(drive, hosts, by)
    drive.save()
    drive.hosts.set(hosts)
    _make_slots(drive)
    changes = diff({}, _snapshot(drive))
    changes["hosts"] = [None, _host_ids(hosts)]
    record(by=by, action="drive.create", obj=drive, changes=changes)
    return drive


def _locked(drive: Drive, version: int | None) -> Drive:
    locked = Drive.objects.select_for_update().select_related("establishment").get(pk=drive.pk)
    check_version(locked, version)
    return locked


def _reschedule(drive: Drive, before: Mapping[str, Any]) -> None:
    """Apply changed days, hours, slot length or beds to the slots.

    Slots with people in them are never moved or deleted (registrations point at them, and
    people were told a time), so once anyone registered only the number of beds may change.
    """
    after = _snapshot(drive)
    moved = [f for f in SCHEDULE_FIELDS if before[f] != after[f]]
    beds_changed = before["beds"] != after["beds"]
    if not moved and not beds_changed:
        return
    registered = drive.registrations.exists()
    if registered and moved:
        message = _(
            "People have already registered for this drive, so its days, hours and slot "
            "length can no longer change. Cancel the drive and plan a new one instead."
        )
        raise ValidationError({field: [message] for field in moved})
    if registered:
        if drive.slots.filter(booked__gt=drive.beds).exists():
            raise ValidationError(
                {
                    "beds": [
                        ngettext(
                            "Some slots already have more people booked than %(beds)s bed.",
                            "Some slots already have more people booked than %(beds)s beds.",
                            drive.beds,
                        )
                        % {"beds": drive.beds}
                    ]
                }
            )
        drive.slots.update(capacity=drive.beds)
        return
    drive.slots.all().delete()
    _make_slots(drive)


@transaction.atomic
def update_drive(
    *,
    by: User,
    drive: Drive,
    version: int,
    changes: Mapping[str, Any],
    hosts: Sequence[Organisation] | None = None,
    reason: str = "",
) -> Drive:
    """Change a proposed or confirmed drive, refusing if someone else saved it meanwhile."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    access.require(by, Perm.DRIVE_MANAGE, drive.establishment)
    locked = _locked(drive, version)
    if not locked.is_editable:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("A %(status)s drive can no longer be changed.")
                    % {"status": locked.get_status_display()}
                ]
            }
        )
    before = _snapshot(locked)
    old_hosts = list(locked.hosts.all())
    for field, value in changes.items():
        setattr(locked, field, value.strip() if isinstance(value, str) else value)
    new_hosts = list(hosts) if hosts is not None else old_hosts
    _validate(locked, new_hosts, by)
    _reschedule(locked, before)
    changed = diff(before, _snapshot(locked))
    if _host_ids(old_hosts) != _host_ids(new_hosts):
        locked.hosts.set(new_hosts)
        changed["hosts"] = [_host_ids(old_hosts), _host_ids(new_hosts)]
    if not changed:
        return locked
    bump(locked)
    locked.save()
    record(by=by, action="drive.update", obj=locked, changes=changed, reason=reason)
    return locked


def _check_mismatches(drive: Drive, by: User) -> reconciliation.Reconciliation:
    """No open mismatch, and none resolved by the person closing (four eyes, decision 0022)."""
    result = reconciliation.reconcile(drive)
    open_count = len(result.open_subjects())
    if open_count:
        raise ValidationError(
            {
                "status": [
                    ngettext(
                        "%(count)s mismatch of the reconciliation is open. Put it right, or "
                        "have it resolved with a reason, before closing.",
                        "%(count)s mismatches of the reconciliation are open. Put them right, "
                        "or have them resolved with a reason, before closing.",
                        open_count,
                    )
                    % {"count": open_count}
                ]
            }
        )
    if any(r.resolved_by_id == by.pk for r in result.resolutions.values()):
        raise ValidationError(
            {
                "status": [
                    _(
                        "You resolved mismatches of this drive; another person closes or "
                        "reconciles it."
                    )
                ]
            }
        )
    return result


def _check_closing(drive: Drive, status: str, confirm_no_shows: bool, by: User) -> dict[str, Any]:
    """Closing needs every presentation resolved and no open mismatch; reconciling needs the
    no-shows confirmed too. Returns the figures to keep in the history (counts only)."""
    if status not in (DriveStatus.CLOSED, DriveStatus.RECONCILED):
        return {}
    open_count = reconciliation.in_progress(drive).count()
    if open_count:
        raise ValidationError(
            {
                "status": [
                    ngettext(
                        "%(count)s person is still in the day's flow. Record how it ended, "
                        "or mark them as having left, before closing.",
                        "%(count)s people are still in the day's flow. Record how it ended, "
                        "or mark them as having left, before closing.",
                        open_count,
                    )
                    % {"count": open_count}
                ]
            }
        )
    result = _check_mismatches(drive, by)
    figures = result.figures
    if status == DriveStatus.RECONCILED:
        missing = reconciliation.no_shows(drive).count()
        if missing and not confirm_no_shows:
            raise ValidationError(
                {
                    "confirm_no_shows": [
                        ngettext(
                            "Confirm that %(count)s registered person did not come.",
                            "Confirm that %(count)s registered people did not come.",
                            missing,
                        )
                        % {"count": missing}
                    ]
                }
            )
    return {
        "figures": [
            None,
            {
                "registered": figures.registered,
                "arrived": figures.arrived,
                "deferred": figures.deferred,
                "collected": figures.collected,
                "incomplete": figures.incomplete,
                "voided": figures.voided,
                "resolved": result.resolved,
            },
        ]
    }


@transaction.atomic
def change_status(
    *, by: User, drive: Drive, status: str, reason: str = "", confirm_no_shows: bool = False
) -> Drive:
    """Move a drive along DRIVE_TRANSITIONS; cancelling needs a reason people can be told.
    Closing needs every presentation resolved; reconciling, the no-shows confirmed."""
    access.require(by, Perm.DRIVE_MANAGE, drive.establishment)
    locked = _locked(drive, None)
    if status not in DriveStatus.values:
        raise ValidationError({"status": [_("Choose a status from the list.")]})
    if not locked.can_become(status):
        raise ValidationError(
            {
                "status": [
                    _("A drive that is %(current)s cannot become %(wanted)s.")
                    % {
                        "current": locked.get_status_display(),
                        "wanted": DriveStatus(status).label,
                    }
                ]
            }
        )
    if locked.status == DriveStatus.RECONCILED:
        raise ValidationError(
            {"status": [_("A reconciled drive is reopened with a reason, not changed.")]}
        )
    reason = reason.strip()
    if status == DriveStatus.CANCELLED:
        if not reason:
            raise ValidationError(
                {
                    "reason": [
                        _("Say why the drive is cancelled, so the people registered can be told.")
                    ]
                }
            )
        locked.cancel_reason = reason
    figures = _check_closing(locked, status, confirm_no_shows, by)
    old = locked.status
    locked.status = status
    bump(locked, ["status", "cancel_reason"])
    record(
        by=by,
        action="drive.status",
        obj=locked,
        changes={"status": [old, status], **figures},
        reason=reason,
    )
    if status == DriveStatus.CANCELLED:
        # Everyone booked is told, in this transaction (issue 13 §6); the waiting lists end.
        booking_messages.drive_cancelled(locked, by=by)
        WaitlistEntry.objects.filter(drive=locked, status__in=OPEN_WAIT_STATUSES).update(
            status=WaitStatus.CLOSED
        )
    return locked

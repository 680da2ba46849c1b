"""Writes at the end of a drive: resolving presentations left open, voiding donation numbers,
resolving mismatches with a reason, correcting a closed or reconciled drive's description and
reopening a reconciled drive.

Once a drive is reconciled its records are locked (decision 0022): registrations,
presentations, donations, voided numbers and label sets refuse every write — here with a
message, in the database with a trigger (drives/locks.py). Reopening is the explicit, audited
way back. Each action is one transaction with its audit event and checks scope itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import diff, plain, record
from bloodline.drives.models import Drive, DriveStatus, MismatchResolution, VoidedDin
from bloodline.drives.reconciliation import (
    IN_PROGRESS_STEPS,
    LEFT,
    donation_model,
    reconcile,
    was_issued,
)
from bloodline.lib.isbt128 import DinError, parse_entered
from bloodline.lib.locking import bump, bumped
from bloodline.organisations import access
from bloodline.organisations.roles import Perm

# What may still be put right on a closed or reconciled drive (its days and hours are history).
CORRECTABLE_FIELDS = frozenset({"title", "venue", "address", "expected_units"})
ENDED_STATUSES = frozenset({DriveStatus.CLOSED, DriveStatus.RECONCILED})


def _locked(drive: Drive) -> Drive:
    return Drive.objects.select_for_update().select_related("establishment").get(pk=drive.pk)


def _require_reason(drive: Drive, reason: str, message: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [message]})
    return reason


def refuse_if_reconciled(drive: Drive) -> None:
    """The records of a reconciled drive are locked; reopening is the way back."""
    if drive.status == DriveStatus.RECONCILED:
        raise ValidationError(
            {"status": [_("This drive is reconciled and its records are locked; reopen it first.")]}
        )


def _correction_reason(drive: Drive, reason: str) -> str:
    """A reconciled drive's records change only with a reason."""
    if drive.status != DriveStatus.RECONCILED:
        return reason.strip()
    return _require_reason(
        drive,
        reason,
        _("This drive is reconciled: say why the record is corrected."),
    )


@transaction.atomic
def mark_left(*, by: User, drive: Drive, presentation: Any, reason: str) -> Any:
    """Resolve a presentation still in the flow: the donor left before donating. The only
    change made to the presentation is its step (and its version, so stations notice).
    The presentation (screening, above drives) is reached through the drive (decision 0023)."""
    access.require(by, Perm.DRIVE_MANAGE, drive.establishment)
    locked = _locked(drive)
    refuse_if_reconciled(locked)
    reason = _require_reason(locked, reason, _("Say why this person is recorded as having left."))
    if presentation.drive_id != locked.pk:
        raise ValueError("presentation of another drive")
    if locked.status not in (DriveStatus.RUNNING, DriveStatus.CLOSED):
        raise ValidationError(
            {"status": [_("Only a running or closed drive has people to resolve.")]}
        )
    old_step = presentation.step
    updated = locked.presentations.filter(
        pk=presentation.pk, step__in=sorted(IN_PROGRESS_STEPS)
    ).update(step=LEFT, version=bumped())
    if not updated:
        raise ValidationError(
            {"step": [_("This person is no longer in the day's flow; reload the page.")]}
        )
    record(
        by=by,
        action="presentation.left",
        obj=presentation,
        changes={"step": [old_step, LEFT]},
        reason=reason,
    )
    presentation.refresh_from_db()
    return presentation


def _clean_din(din: str) -> str:
    """Typed by hand: with its check character, or scanned (decision 0021)."""
    try:
        return parse_entered(din).din
    except DinError as exc:
        raise ValidationError({"din": [str(exc)]}) from exc


@transaction.atomic
def void_din(*, by: User, drive: Drive, din: str, reason: str) -> VoidedDin:
    """Take a donation number out of use (a spoiled, lost or unused pre-printed label). Only
    a number the establishment issued can be voided; a number already used for a donation
    cannot be, and a voided one is never used."""
    access.require(by, Perm.DRIVE_MANAGE, drive.establishment)
    locked = _locked(drive)
    refuse_if_reconciled(locked)
    reason = _require_reason(locked, reason, _("Say why the donation number is voided."))
    number = _clean_din(din)
    if not was_issued(establishment=locked.establishment, din13=number):
        raise ValidationError(
            {"din": [_("This donation number was never issued by this establishment.")]}
        )
    if donation_model().objects.filter(din__startswith=number).exists():
        raise ValidationError({"din": [_("This donation number is already used for a donation.")]})
    if VoidedDin.objects.filter(din=number).exists():
        raise ValidationError({"din": [_("This donation number is already voided.")]})
    voided = VoidedDin.objects.create(
        din=number, drive=locked, reason=reason, voided_by=by, voided_at=timezone.now()
    )
    record(
        by=by,
        action="din.void",
        obj=locked,
        changes={"voided_din": [None, number]},
        reason=reason,
        correction=True,
    )
    return voided


@transaction.atomic
def correct_drive(*, by: User, drive: Drive, changes: Mapping[str, Any], reason: str = "") -> Drive:
    """Put right the description of a closed or reconciled drive (title, venue, address,
    expected units). On a reconciled drive a reason is required and the change is audited
    as a correction."""
    unknown = set(changes) - CORRECTABLE_FIELDS
    if unknown:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    access.require(by, Perm.DRIVE_MANAGE, drive.establishment)
    locked = _locked(drive)
    if locked.status not in ENDED_STATUSES:
        raise ValidationError(
            {"status": [_("Change a drive that has not ended from its edit page.")]}
        )
    reason = _correction_reason(locked, reason)
    before = {name: plain(getattr(locked, name)) for name in CORRECTABLE_FIELDS}
    for name, value in changes.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    try:
        locked.full_clean(exclude=["establishment", "round", "hosts"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    changed = diff(before, {name: plain(getattr(locked, name)) for name in CORRECTABLE_FIELDS})
    if not changed:
        return locked
    bump(locked, sorted(changed))
    record(
        by=by,
        action="drive.correct",
        obj=locked,
        changes=changed,
        reason=reason,
        correction=locked.status == DriveStatus.RECONCILED,
    )
    return locked


@transaction.atomic
def resolve_mismatch(
    *, by: User, drive: Drive, kind: str, subject: str, reason: str
) -> MismatchResolution:
    """Say why a mismatch of the reconciliation is acceptable (a donation entered from the
    paper record, a label lost). The person who resolves a mismatch cannot be the one who
    closes or reconciles the drive (four eyes, decision 0022)."""
    access.require(by, Perm.DRIVE_MANAGE, drive.establishment)
    locked = _locked(drive)
    refuse_if_reconciled(locked)
    if locked.status not in (DriveStatus.RUNNING, DriveStatus.CLOSED):
        raise ValidationError(
            {"status": [_("Only a running or closed drive has mismatches to resolve.")]}
        )
    reason = _require_reason(locked, reason, _("Say why this mismatch is acceptable."))
    open_now = {(k, s) for k, s, _record in reconcile(locked).open_subjects()}
    if (kind, subject) not in open_now:
        raise ValidationError(
            {"subject": [_("This mismatch is not open any more; reload the page.")]}
        )
    resolution = MismatchResolution.objects.create(
        drive=locked,
        kind=kind,
        subject=subject,
        reason=reason,
        resolved_by=by,
        resolved_at=timezone.now(),
    )
    record(
        by=by,
        action="drive.resolve_mismatch",
        obj=locked,
        changes={"mismatch": [None, kind], "subject": [None, subject]},
        reason=reason,
    )
    return resolution


@transaction.atomic
def reopen_drive(*, by: User, drive: Drive, reason: str) -> Drive:
    """Take a reconciled drive back to closed so its records can be put right; the reason is
    kept in the history and the drive is reconciled again afterwards, through the same
    checks (decision 0022)."""
    access.require(by, Perm.DRIVE_MANAGE, drive.establishment)
    locked = _locked(drive)
    if locked.status != DriveStatus.RECONCILED:
        raise ValidationError({"status": [_("Only a reconciled drive can be reopened.")]})
    reason = _require_reason(locked, reason, _("Say why the reconciled drive is reopened."))
    locked.status = DriveStatus.CLOSED
    bump(locked, ["status"])
    record(
        by=by,
        action="drive.reopen",
        obj=locked,
        changes={"status": [DriveStatus.RECONCILED, DriveStatus.CLOSED]},
        reason=reason,
        correction=True,
    )
    return locked

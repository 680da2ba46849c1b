"""Donation days: drives, their time slots, requests from units, and registrations.

Scoped exactly like the pages (drives/access.py); domain errors answer 422 with the same
translated messages, keyed by field.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from bloodline.drives import access, actions
from bloodline.drives.models import Drive, DriveQuerySet, DriveRequest, Registration, Slot
from bloodline.drives.schemas import (
    AcceptIn,
    ArrivalWindow,
    CancelIn,
    DeclineIn,
    DriveIn,
    DriveOut,
    DrivePatch,
    RegistrationCreated,
    RegistrationIn,
    RegistrationOut,
    RequestIn,
    RequestOut,
    SlotOut,
    StatusIn,
)
from bloodline.lib.pagination import BoundedPagination
from bloodline.organisations import access as org_access
from bloodline.organisations.kinds import ESTABLISHMENTS
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm
from bloodline.programmes.access import plans
from bloodline.programmes.models import Round

router = Router(tags=["drives"])


# Helpers ------------------------------------------------------------------------------------


def _drives(qs: DriveQuerySet) -> DriveQuerySet:
    return qs.select_related("establishment", "round").prefetch_related("hosts")


def _fresh(drive: Drive) -> Drive:
    return _drives(Drive.objects.all()).get(pk=drive.pk)


def _hosts(uuids: list[UUID]) -> list[Organisation]:
    found = {o.uuid: o for o in Organisation.objects.filter(uuid__in=uuids)}
    if set(uuids) - set(found):
        raise ValidationError({"hosts": [_("Choose host organisations from the list.")]})
    return [found[u] for u in uuids]


def _round(request: HttpRequest, public_id: UUID | None) -> Round | None:
    if public_id is None:
        return None
    found = Round.objects.filter(uuid=public_id, plan__in=plans(request.user)).first()
    if found is None:
        raise ValidationError({"round": [_("Choose a round of a plan you can see.")]})
    return found


def _windows(windows: list[ArrivalWindow]) -> list[dict[str, Any]]:
    return [w.dict() for w in windows]


# Drives -------------------------------------------------------------------------------------


@router.get("", response=list[DriveOut])
@paginate(BoundedPagination)
def list_drives(
    request: HttpRequest,
    status: str | None = None,
    starts_from: dt.date | None = None,
    starts_to: dt.date | None = None,
) -> DriveQuerySet:
    """Drives the signed-in person can see: public ones, and all of their part of the tree."""
    qs = _drives(access.viewable_drives(request.user))
    if status:
        qs = qs.filter(status=status)
    if starts_from:
        qs = qs.filter(ends_on__gte=starts_from)
    if starts_to:
        qs = qs.filter(starts_on__lte=starts_to)
    return qs.order_by("starts_on", "opens_at", "pk")


@router.post("", response={201: DriveOut})
def create_drive(request: HttpRequest, payload: DriveIn) -> Status[Drive]:
    establishment = org_access.get_organisation(
        request.user, payload.establishment, Perm.DRIVE_MANAGE
    )
    drive = actions.create_drive(
        by=request.user,  # type: ignore[arg-type]
        establishment=establishment,
        hosts=_hosts(payload.hosts),
        round=_round(request, payload.round),
        arrival_windows=_windows(payload.arrival_windows),
        ends_on=payload.ends_on or payload.starts_on,
        **payload.dict(exclude={"establishment", "hosts", "round", "arrival_windows", "ends_on"}),
    )
    return Status(201, _fresh(drive))


# Requests (declared before /{public_id} so "requests" is never read as a drive id) ----------


def _requests(qs: QuerySet[DriveRequest]) -> QuerySet[DriveRequest]:
    return qs.select_related("requested_by", "establishment", "drive")


@router.get("/requests", response=list[RequestOut])
@paginate(BoundedPagination)
def list_requests(request: HttpRequest, status: str | None = None) -> QuerySet[DriveRequest]:
    """Requests made by the person's units or addressed to their establishments."""
    qs = _requests(access.requests_for(request.user))
    return qs.filter(status=status) if status else qs


@router.post("/requests", response={201: RequestOut})
def create_request(request: HttpRequest, payload: RequestIn) -> Status[DriveRequest]:
    unit = org_access.get_organisation(request.user, payload.requested_by, Perm.DRIVE_REQUEST)
    # The establishment asked is usually outside the unit's own view, so it is looked up
    # among establishments rather than through the person's scope; the action checks that
    # it serves the unit's area.
    establishment = Organisation.objects.filter(
        uuid=payload.establishment, kind__in=sorted(ESTABLISHMENTS)
    ).first()
    if establishment is None:
        raise ValidationError({"establishment": [_("Choose an active blood establishment.")]})
    made = actions.request_drive(
        by=request.user,  # type: ignore[arg-type]
        requested_by=unit,
        establishment=establishment,
        options=[payload.option_1, payload.option_2, payload.option_3],
        expected_donors=payload.expected_donors,
        venue=payload.venue,
        note=payload.note,
    )
    return Status(201, _requests(DriveRequest.objects.all()).get(pk=made.pk))


@router.get("/requests/{public_id}", response=RequestOut)
def get_request(request: HttpRequest, public_id: UUID) -> DriveRequest:
    return access.get_request(request.user, public_id)


@router.post("/requests/{public_id}/accept", response={201: DriveOut})
def accept_request(request: HttpRequest, public_id: UUID, payload: AcceptIn) -> Status[Drive]:
    drive_request = access.get_request(request.user, public_id)
    access.require_answer(request.user, drive_request)
    drive = actions.accept_request(
        by=request.user,  # type: ignore[arg-type]
        request=drive_request,
        **payload.dict(),
    )
    return Status(201, _fresh(drive))


@router.post("/requests/{public_id}/decline", response=RequestOut)
def decline_request(request: HttpRequest, public_id: UUID, payload: DeclineIn) -> DriveRequest:
    drive_request = access.get_request(request.user, public_id)
    access.require_answer(request.user, drive_request)
    actions.decline_request(
        by=request.user,  # type: ignore[arg-type]
        request=drive_request,
        reason=payload.reason,
    )
    return _requests(DriveRequest.objects.all()).get(pk=drive_request.pk)


# One drive ----------------------------------------------------------------------------------


@router.get("/{public_id}", response=DriveOut)
def get_drive(request: HttpRequest, public_id: UUID) -> Drive:
    return _fresh(access.get_drive(request.user, public_id))


@router.patch("/{public_id}", response=DriveOut)
def update_drive(request: HttpRequest, public_id: UUID, payload: DrivePatch) -> Drive:
    drive = access.get_drive(request.user, public_id)
    access.require_manage(request.user, drive)
    given = payload.dict(exclude_unset=True, exclude={"version", "reason", "hosts"})
    if "round" in given:
        given["round"] = _round(request, payload.round)
    if "arrival_windows" in given:
        given["arrival_windows"] = _windows(payload.arrival_windows or [])
    actions.update_drive(
        by=request.user,  # type: ignore[arg-type]
        drive=drive,
        version=payload.version,
        changes=given,
        hosts=_hosts(payload.hosts) if payload.hosts is not None else None,
        reason=payload.reason,
    )
    return _fresh(drive)


@router.post("/{public_id}/status", response=DriveOut)
def change_status(request: HttpRequest, public_id: UUID, payload: StatusIn) -> Drive:
    drive = access.get_drive(request.user, public_id)
    access.require_manage(request.user, drive)
    actions.change_status(
        by=request.user,  # type: ignore[arg-type]
        drive=drive,
        status=payload.status,
        reason=payload.reason,
    )
    return _fresh(drive)


@router.get("/{public_id}/slots", response=list[SlotOut])
def list_slots(request: HttpRequest, public_id: UUID) -> QuerySet[Slot]:
    """Places per slot; for the drive's managers and for organisers who register people."""
    drive = access.get_drive(request.user, public_id)
    if not access.can_manage(request.user, drive):
        access.require_registrar(request.user)
    return drive.slots.all()


# Registrations ------------------------------------------------------------------------------


def _registrations(qs: QuerySet[Registration]) -> QuerySet[Registration]:
    return qs.select_related("slot", "donor", "mobilised_by")


@router.get("/{public_id}/registrations", response=list[RegistrationOut])
@paginate(BoundedPagination)
def list_registrations(request: HttpRequest, public_id: UUID) -> QuerySet[Registration]:
    """The registrations the person may see: all for the drive's managers, else those
    credited to organisations in their registration scope."""
    drive = access.get_drive(request.user, public_id)
    if not access.can_manage(request.user, drive):
        access.require_registrar(request.user)
    return _registrations(access.registrations_for(request.user, drive))


def _slot(drive: Drive, starts_at: dt.datetime) -> Slot:
    if starts_at.tzinfo is None:  # a wall-clock time at the establishment
        starts_at = starts_at.replace(tzinfo=drive.time_zone())
    found = drive.slots.filter(starts_at=starts_at).first()
    if found is None:
        raise ValidationError({"slot": [_("No slot of this drive starts at this time.")]})
    return found


@router.post("/{public_id}/registrations", response={201: RegistrationCreated})
def create_registration(
    request: HttpRequest, public_id: UUID, payload: RegistrationIn
) -> Status[Registration]:
    drive = access.get_drive(request.user, public_id)
    access.require_registrar(request.user)
    credit = payload.mobilised_by
    result = actions.register_person(
        by=request.user,  # type: ignore[arg-type]
        drive=drive,
        slot=_slot(drive, payload.slot),
        full_name=payload.full_name,
        date_of_birth=payload.date_of_birth,
        sex=payload.sex,
        phone=payload.phone,
        unit=org_access.get_organisation(request.user, payload.unit),
        mobilised_by=org_access.get_organisation(request.user, credit) if credit else None,
    )
    registration = _registrations(Registration.objects.all()).get(pk=result.registration.pk)
    duplicate = result.match.is_duplicate
    # Read by RegistrationCreated alongside the model's own fields.
    registration.duplicate = duplicate  # type: ignore[attr-defined]
    registration.warning = actions.duplicate_warning(result) if duplicate else ""  # type: ignore[attr-defined]
    return Status(201, registration)


@router.post("/{public_id}/registrations/{registration_id}/cancel", response=RegistrationOut)
def cancel_registration(
    request: HttpRequest, public_id: UUID, registration_id: UUID, payload: CancelIn
) -> Registration:
    drive = access.get_drive(request.user, public_id)
    registration = access.get_registration(request.user, drive, registration_id)
    actions.cancel_registration(
        by=request.user,  # type: ignore[arg-type]
        registration=registration,
        reason=payload.reason,
    )
    return _registrations(Registration.objects.all()).get(pk=registration.pk)

"""Who may see and act on drives, requests and registrations; built on organisations.access.

A drive is visible to everyone while it is public (confirmed or running) and, in any status,
to people whose view scope holds its establishment or one of its hosts. Anything else answers
404. Changing a drive needs the drive-management permission at its establishment; seeing and
changing registrations needs the registration permission at the mobilising organisation (or
drive management at the establishment). Visible but not allowed answers 403.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from bloodline.drives.models import Drive, DriveQuerySet, DriveRequest, Registration
from bloodline.organisations import access as org_access
from bloodline.organisations.access import AnyUser
from bloodline.organisations.kinds import ESTABLISHMENTS
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm


def drives_in_scope(user: AnyUser, perm: str = Perm.VIEW) -> DriveQuerySet:
    """Drives whose establishment or a host lies where the person holds ``perm``."""
    if org_access.unbounded(user):
        return Drive.objects.all()
    paths = org_access.scope_paths(user, perm)
    if not paths:
        return Drive.objects.none()
    hosted = Drive.hosts.through.objects.filter(org_access.within("organisation", paths))
    return Drive.objects.filter(
        org_access.within("establishment", paths) | Q(pk__in=hosted.values("drive_id"))
    )


def viewable_drives(user: AnyUser) -> DriveQuerySet:
    """What the person may open: public drives, and every drive in their view scope."""
    public = Drive.objects.public()
    if not user.is_authenticated:
        return public
    if org_access.unbounded(user):
        return Drive.objects.all()
    return Drive.objects.filter(Q(pk__in=public.values("pk")) | Q(pk__in=drives_in_scope(user)))


def get_drive(user: AnyUser, public_id: uuid.UUID | str) -> Drive:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    drive = viewable_drives(user).select_related("establishment", "round").filter(uuid=key)
    found = drive.first()
    if found is None:
        raise Http404
    return found


def can_manage(user: AnyUser, drive: Drive) -> bool:
    return org_access.has_perm(user, Perm.DRIVE_MANAGE, drive.establishment)


def may_print_labels(user: AnyUser, establishment: Organisation) -> bool:
    """Whether the person may print the DIN labels of donations the establishment collects:
    they record donations there. The label files refuse with 403 exactly when this is false,
    and the drive page links them only when it is true."""
    return org_access.has_perm(user, Perm.DONATION_RECORD, establishment)


def require_manage(user: AnyUser, drive: Drive) -> None:
    if not can_manage(user, drive):
        raise PermissionDenied


def managed_establishments(user: AnyUser) -> list[Organisation]:
    """Establishments where the person may create drives."""
    found = org_access.organisations(user, Perm.DRIVE_MANAGE).filter(
        kind__in=sorted(ESTABLISHMENTS), is_active=True
    )
    return list(found.order_by("path"))


def registrars_scope(user: AnyUser) -> list[Organisation]:
    """Organisations the person may credit with a registration, in tree order."""
    found = org_access.organisations(user, Perm.REGISTRATION_MANAGE).filter(is_active=True)
    return list(found.order_by("path"))


def can_register(user: AnyUser) -> bool:
    return org_access.holds_anywhere(user, Perm.REGISTRATION_MANAGE)


def require_registrar(user: AnyUser) -> None:
    if not can_register(user):
        raise PermissionDenied


def registrations_for(user: AnyUser, drive: Drive) -> QuerySet[Registration]:
    """The registrations of a drive the person may see: all of them for its managers, else
    those credited to organisations in the person's registration scope."""
    qs = Registration.objects.filter(drive=drive)
    if can_manage(user, drive):
        return qs
    paths = org_access.scope_paths(user, Perm.REGISTRATION_MANAGE)
    return qs.filter(org_access.within("mobilised_by", paths))


def get_registration(user: AnyUser, drive: Drive, public_id: uuid.UUID | str) -> Registration:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    found = registrations_for(user, drive).select_related("slot", "donor").filter(uuid=key)
    registration = found.first()
    if registration is None:
        raise Http404
    return registration


def requests_for(user: AnyUser) -> QuerySet[DriveRequest]:
    """Requests addressed to an establishment, or made by a unit, in the person's view."""
    if org_access.unbounded(user):
        return DriveRequest.objects.all()
    paths = org_access.scope_paths(user, Perm.VIEW)
    return DriveRequest.objects.filter(
        org_access.within("establishment", paths) | org_access.within("requested_by", paths)
    )


def get_request(user: AnyUser, public_id: uuid.UUID | str) -> DriveRequest:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    found = requests_for(user).select_related("establishment", "requested_by", "drive")
    request = found.filter(uuid=key).first()
    if request is None:
        raise Http404
    return request


def require_answer(user: AnyUser, request: DriveRequest) -> None:
    """Accepting or declining is for the managers of the establishment asked."""
    org_access.require(user, Perm.DRIVE_MANAGE, request.establishment)

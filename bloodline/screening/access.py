"""Who may run a station of a drive, and which presentation a station may open; built on
drives.access and organisations.access (decision 0025).

A drive is seen as ``drives.access`` says (its establishment or a host in the person's view);
a station of it runs with a permission at the drive's establishment (``station.run``, or
``screening.decide`` for the physician). A presentation is opened only through its own
drive: 404 otherwise.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from bloodline.drives.access import drives_in_scope
from bloodline.drives.models import Drive
from bloodline.organisations import access
from bloodline.organisations.access import AnyUser
from bloodline.screening.models import Presentation


def may_run(user: AnyUser, drive: Drive, perm: str) -> bool:
    """Whether the person may run a station needing ``perm`` at this drive; the station tabs
    show only these, so nobody sees a tab that answers 403."""
    return access.has_perm(user, perm, drive.establishment)


def get_drive(user: AnyUser, public_id: uuid.UUID | str, *, perm: str) -> Drive:
    """404 outside the person's scope; 403 when they see the drive but may not run a station
    needing ``perm`` there."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    drive = drives_in_scope(user).select_related("establishment").filter(uuid=key).first()
    if drive is None:
        raise Http404
    if not may_run(user, drive, perm):
        raise PermissionDenied
    return drive


def get_presentation(drive: Drive, public_id: uuid.UUID | str) -> Presentation:
    """A presentation of this drive (the drive already checked by ``get_drive``); 404 for a
    malformed id or a presentation of another drive."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    found = Presentation.objects.select_related("donor", "registration__mobilised_by")
    presentation = found.filter(drive=drive, uuid=key).first()
    if presentation is None:
        raise Http404
    return presentation

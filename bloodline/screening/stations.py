"""What every station step shares: who may run it, and the presentation locked at its step.

A step first locks the presentation row, then checks the drive is still running and that the
donor is at this station, so two tablets acting on one donor cannot both move them on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.donors.models import Donor
from bloodline.drives.models import Drive, DriveStatus
from bloodline.lib.forms import refuse
from bloodline.lib.locking import bumped
from bloodline.organisations import access
from bloodline.organisations.roles import Perm
from bloodline.screening.models import Presentation, Step


def require_running(drive: Drive) -> None:
    # Read again: the drive may have been closed since the page was loaded.
    status = Drive.objects.values_list("status", flat=True).get(pk=drive.pk)
    if status != DriveStatus.RUNNING:
        raise refuse(
            _("This drive is %(status)s; the stations work only while it is running.")
            % {"status": DriveStatus(status).label}
        )


def require_station(by: User, drive: Drive, perm: str = Perm.STATION_RUN) -> None:
    access.require(by, perm, drive.establishment)


def local_date(drive: Drive, moment: dt.datetime | None = None) -> dt.date:
    """The day at the drive's establishment: rules and DIN years count local days."""
    return timezone.localtime(moment or timezone.now(), drive.time_zone()).date()


def at_step(presentation: Presentation, steps: Collection[str]) -> Presentation:
    """The presentation, locked, if it is still at one of ``steps``."""
    locked = (
        Presentation.objects.select_for_update(of=("self",))
        .select_related("drive__establishment", "donor", "registration__mobilised_by")
        .get(pk=presentation.pk)
    )
    require_running(locked.drive)
    if locked.step not in steps:
        raise refuse(
            _("This donor is no longer at this station (now: %(step)s).")
            % {"step": Step(locked.step).label}
        )
    return locked


def lock_donor(presentation: Presentation) -> None:
    """Hold the donor's row until the transaction ends. Every write that changes whether the
    donor may give (a collection, a deferral; the look-back locks the same row) takes it
    after the presentation, so a check made under it sees every such write committed before
    and none can land until it commits (decision 0037)."""
    list(Donor.objects.select_for_update().filter(pk=presentation.donor_id).values_list("pk"))


def move_on(presentation: Presentation, step: str, fields: list[str]) -> None:
    """Save the step's fields and the new step, bumping the version."""
    presentation.step = step
    presentation.version = bumped()
    presentation.save(update_fields=[*fields, "step", "version"])
    presentation.refresh_from_db(fields=["version"])

"""Who waits at each station of a drive: the one query the station pages and the station API
share, so both show the same people in the same order."""

from __future__ import annotations

from django.db.models import QuerySet

from bloodline.drives.models import Drive, Registration
from bloodline.screening.models import Presentation


def not_checked_in(drive: Drive) -> QuerySet[Registration]:
    """Registrations of the drive whose donor has not arrived yet, by slot then booking."""
    return (
        Registration.objects.filter(drive=drive, cancelled_at__isnull=True)
        .filter(presentation__isnull=True)
        .select_related("donor", "slot")
        .order_by("slot__starts_at", "created_at", "pk")
    )


def at_step(drive: Drive, step: str) -> QuerySet[Presentation]:
    """Presentations of the drive waiting at ``step``, first come first served."""
    return (
        Presentation.objects.filter(drive=drive, step=step)
        .select_related("donor")
        .order_by("arrived_at", "pk")
    )

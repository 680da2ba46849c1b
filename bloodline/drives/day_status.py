"""Where a registration stands on the day (issue 13, decision 0058): booked → arrived →
deferred or donated, or did not come once the drive closed without them.

The status is computed, never stored: one annotation (``with_day_status``) read by the drive's
registration list, the no-show counts and the donor's own booking, so the station actions that
make it change (check-in, the physician's decision, the collection, closing the drive) need no
second write and cannot drift from it. Presentations (screening) and donations (collection) sit
above drives, so they are reached through the same reverse relations and spelt-out codes as
``reconciliation`` (decision 0023); "arrived" is the very test reconciliation's no-show list
uses: a presentation of the donor at the drive.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When

from bloodline.drives.models import DayStatus, DriveStatus, Registration
from bloodline.drives.reconciliation import COMPLETE, DEFERRED
from bloodline.organisations.models import Organisation

ENDED = (DriveStatus.CLOSED, DriveStatus.RECONCILED)


def _presentations() -> QuerySet[Any]:
    """The registered person's presentation at the registration's drive (at most one)."""
    presentation = apps.get_model("screening", "Presentation")
    return presentation.objects.filter(drive=OuterRef("drive_id"), donor=OuterRef("donor_id"))


def with_day_status(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """``registrations`` with ``day_status`` (a ``DayStatus`` code), in the same one query.

    The order of the cases is the rule: a cancelled registration (or drive) stays cancelled;
    a complete collection is a donation (an incomplete one is not, programmes.md §1 [S87]);
    the physician's deferral defers; any other presentation (in the flow, left early, an
    incomplete collection) means the person arrived; an ended drive without them is a no-show.
    """
    came = _presentations()
    return registrations.annotate(
        day_step=Subquery(came.values("step")[:1]),
        day_outcome=Subquery(came.values("donation__outcome")[:1]),
    ).annotate(
        day_status=Case(
            When(
                Q(cancelled_at__isnull=False) | Q(drive__status=DriveStatus.CANCELLED),
                then=Value(DayStatus.CANCELLED.value),
            ),
            When(day_outcome=COMPLETE, then=Value(DayStatus.DONATED.value)),
            When(day_step=DEFERRED, then=Value(DayStatus.DEFERRED.value)),
            When(Exists(came), then=Value(DayStatus.ARRIVED.value)),
            When(drive__status__in=ENDED, then=Value(DayStatus.NO_SHOW.value)),
            default=Value(DayStatus.BOOKED.value),
            output_field=models.CharField(),
        )
    )


def no_shows_by_organiser(
    registrations: QuerySet[Registration],
) -> list[tuple[Organisation, int]]:
    """How many of ``registrations`` (a drive's, as the reader may see them) did not come,
    per mobilising organisation, most first: one query. Empty until the drive has ended."""
    missing = with_day_status(registrations).filter(Q(day_status=DayStatus.NO_SHOW))
    counts = Counter(r.mobilised_by for r in missing.select_related("mobilised_by"))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].path))

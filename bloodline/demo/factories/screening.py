"""Generated presentations for tests (no real people).

Creates a presentation (and its deferral) directly, bypassing the station actions and their
audit events, for speed; the presentation's credit and the day summaries plan progress reads
are set as the check-in and the physician's decision set them (decision 0047).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bloodline.drives.models import Drive
from bloodline.screening import summaries
from bloodline.screening.models import Deferral, Presentation, Step


def presentation(
    *,
    drive: Drive,
    donor: Any,
    checked_in_by: Any,
    arrived_at: dt.datetime,
    step: str = Step.QUESTIONNAIRE,
    deferral_code: str = "",
    starts_on: dt.date | None = None,
    **fields: Any,
) -> Presentation:
    """A presentation at ``drive``; with ``deferral_code`` it ends deferred with one deferral
    record of that code (as the physician's decision leaves it)."""
    registration = fields.get("registration")
    made = Presentation.objects.create(
        drive=drive,
        donor=donor,
        arrived_at=arrived_at,
        checked_in_by=checked_in_by,
        step=Step.DEFERRED if deferral_code else step,
        credited_to_id=(registration.mobilised_by_id if registration else None)
        or donor.affiliation_id,
        **fields,
    )
    summaries.presented(made)
    if deferral_code:
        Deferral.objects.create(
            donor=donor,
            presentation=made,
            code=deferral_code,
            reason="",
            starts_on=starts_on or arrived_at.date(),
        )
        summaries.deferred(made, [deferral_code])
    return made

"""Generated donations for tests, the demo and benchmarks (no real people).

Bulk-creates donors and donations directly: it bypasses the recording action (and its audit
event per donation) on purpose, for speed; recording through stations uses the action. The
progress day summaries are kept all the same (``collection.summaries.recorded``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from bloodline.collection import summaries
from bloodline.collection.models import Donation, DonationType, Outcome
from bloodline.donors.access import registry_for
from bloodline.donors.models import Donor
from bloodline.drives.models import Drive
from bloodline.organisations.models import Organisation

_counter = itertools.count(1)


def next_din(facility: str = "G9999") -> str:
    """A well-formed generated DIN: facility code, nominal year, sequence (13 characters)."""
    return f"{facility}26{next(_counter):06d}"


def donors(count: int, unit: Organisation | None, prefix: str = "Donor") -> list[Donor]:
    home = registry_for(unit)
    return Donor.objects.bulk_create(
        Donor(full_name=f"{prefix} {i}", affiliation=unit, registry=home) for i in range(count)
    )


def donations(
    people: Iterable[Donor],
    *,
    credited_to: Organisation,
    establishment: Organisation,
    at: dt.datetime,
    volume_ml: int = 350,
    donation_type: str = DonationType.WHOLE_BLOOD,
    drive: Drive | None = None,
    bag_ml: int | None = None,
    incomplete_reason: str = "",
) -> list[Donation]:
    """Donations of ``volume_ml`` collected; whole blood in a bag of ``bag_ml`` (by default
    the volume itself). With ``incomplete_reason`` they are incomplete collections."""
    whole = donation_type == DonationType.WHOLE_BLOOD
    made = Donation.objects.bulk_create(
        Donation(
            din=next_din(),
            donor=person,
            establishment=establishment,
            collected_at=at,
            donation_type=donation_type,
            volume_ml=volume_ml,
            bag_volume_ml=(bag_ml or volume_ml) if whole else None,
            outcome=Outcome.INCOMPLETE if incomplete_reason else Outcome.COMPLETE,
            incomplete_reason=incomplete_reason,
            credited_to=credited_to,
            drive=drive,
        )
        for person in people
    )
    summaries.recorded(made)  # progress reads the day summaries (decision 0039)
    return made

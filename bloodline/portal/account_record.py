"""The donor's own record as the portal shows it (issue 13 §4; decision 0056): one builder
for the home page and ``GET /api/v1/me/record``, so both say the same thing.

Nothing here decides a rule of its own: the donation count is the e-certificate's
(``collection.certificates.donation_count``), the next eligible dates are the engine's as
the station card computes them (``screening.lookup.eligibility_by_type``), deferral reasons
are the house's words for their codes, and test results appear only for donations whose
collecting establishment releases results to donors (``ResultRelease``, off by default).
The queries do not grow with the length of the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bloodline.collection import certificates
from bloodline.collection.models import Donation, DonationType
from bloodline.donors.models import Donor
from bloodline.lab.models import TestResult
from bloodline.portal.account_models import ResultRelease
from bloodline.screening.lookup import Eligibility, eligibility_by_type
from bloodline.screening.models import Deferral, Presentation


@dataclass(frozen=True)
class Visit:
    """One donation with what was measured at that visit and the results released."""

    donation: Donation
    collected_on: dt.date
    place: str
    presentation: Presentation | None
    results: list[TestResult] = field(default_factory=list)


@dataclass(frozen=True)
class Deferred:
    deferral: Deferral
    reason: str  # in the reader's language
    in_force: bool


@dataclass(frozen=True)
class OwnRecord:
    donor: Donor
    visits: list[Visit]
    donation_count: int
    deferrals: list[Deferred]
    next_eligible: dict[str, Eligibility]
    blood_group: str  # the laboratory-confirmed group, "" until confirmed


def _results(donations: list[Donation]) -> dict[int, list[TestResult]]:
    """The results that count (``TestResult.counts``), not corrected, of the donations whose
    establishment releases results to donors."""
    releasing = set(
        ResultRelease.objects.filter(
            establishment_id__in={d.establishment_id for d in donations}, to_donors=True
        ).values_list("establishment_id", flat=True)
    )
    wanted = [d.pk for d in donations if d.establishment_id in releasing]
    found: dict[int, list[TestResult]] = {}
    if not wanted:
        return found
    rows = (
        TestResult.objects.filter(sample__donation_id__in=wanted, correction__isnull=True)
        .select_related("sample")
        .order_by("test", "entered_at")
    )
    for result in rows:
        if result.counts():  # the lab's own rule: imported, or hand-entered and verified
            found.setdefault(result.sample.donation_id, []).append(result)
    return found


def own_record(donor: Donor, today: dt.date) -> OwnRecord:
    donations = list(
        Donation.objects.filter(donor=donor)
        .select_related("drive", "establishment", "presentation")
        .order_by("-collected_at", "-pk")
    )
    results = _results(donations)
    visits = [
        Visit(
            donation=d,
            collected_on=certificates.collected_on(d),
            place=certificates.place_of(d),
            presentation=getattr(d, "presentation", None),
            results=results.get(d.pk, []),
        )
        for d in donations
    ]
    latest_complete = next((d for d in donations if d.is_complete), None)
    count = certificates.donation_count(latest_complete) if latest_complete else 0
    deferrals = [
        Deferred(d, d.reason_label(), d.in_force(today))
        for d in Deferral.objects.filter(donor=donor).order_by("-starts_on", "-pk")
    ]
    return OwnRecord(
        donor=donor,
        visits=visits,
        donation_count=count,
        deferrals=deferrals,
        next_eligible=eligibility_by_type(donor, list(DonationType.values)),
        blood_group=donor.blood_group_confirmed() if donor.confirmed_at else "",
    )

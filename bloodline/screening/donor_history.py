"""What the station nurse sees of a donor's giving (issue 13, staff side; decision 0058): how
many donations they have made and their last ones, so an 18th donation is visible as such.

The count is the e-certificate's (``collection.certificates``): complete collections only, the
registry's measure of a donation (programmes.md §1 [S87][U13]); no second rule here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from bloodline.collection.certificates import counted_donations, donation_count
from bloodline.collection.models import Donation
from bloodline.donors.models import Donor
from bloodline.screening.lookup import LAST_DONATIONS


@dataclass(frozen=True)
class History:
    made: int  # donations before today's, as the certificate counts them
    recent: list[Donation]  # the last few, newest first

    @property
    def next_number(self) -> int:
        """The number today's donation would carry on its certificate."""
        return self.made + 1


def _counted(donor: Donor, before: Donation | None) -> QuerySet[Donation]:
    donations = counted_donations(donor.pk)
    return donations.exclude(pk=before.pk) if before is not None else donations


def made_before(donor: Donor, *, before: Donation | None = None) -> int:
    """How many donations the donor had made, leaving out ``before`` (one query)."""
    return _counted(donor, before).count()


def of(donor: Donor, *, before: Donation | None = None) -> History:
    """The donor's count and last donations (two queries), leaving out ``before`` — today's
    own donation, once collected — so the count says what the donor brought to the drive."""
    donations = _counted(donor, before)
    recent = list(
        donations.select_related("drive", "establishment").order_by("-collected_at", "-pk")[
            :LAST_DONATIONS
        ]
    )
    return History(donations.count(), recent)


def number_of(donation: Donation) -> int:
    """Today's donation as its certificate numbers it: the 18th, say."""
    return donation_count(donation)

"""What collection tells donors (issue 13 §6): the thank-you after a donation, queued in the
outbox in the same transaction as the donation (decision 0053)."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING

from django.utils import timezone

from bloodline.collection import certificates
from bloodline.lib.links import donor_home_link
from bloodline.notifications import outbox
from bloodline.notifications.models import Event

if TYPE_CHECKING:
    from bloodline.accounts.models import User
    from bloodline.collection.models import Donation


def thank(donation: Donation, *, by: User) -> outbox.Outcome:
    """Queue the thank-you for ``donation`` in its donor's language, once per donation; the
    place as the e-certificate names it."""
    donor, establishment = donation.donor, donation.establishment
    zone = zoneinfo.ZoneInfo(establishment.effective_time_zone())
    return outbox.enqueue(
        Event.THANK_YOU,
        to_donor=donor,
        context={
            "donor_name": donor.full_name,
            "date": timezone.localtime(donation.collected_at, zone).date(),
            # Called when the text is rendered, in the donor's language.
            "place": lambda: certificates.place_of(donation),
            "link": donor_home_link(),
        },
        key=f"thank_you:{donation.uuid}",
        establishment=establishment,
        by=by,
    )

"""What distribution tells donors (issue 13 §4): when a unit made from their donation is
transfused, "your donation of <date> helped a patient at <hospital, place>" — no patient
data, once per donation, unless the collecting establishment switched the message off
(``notifications.SwitchedOff``)."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING

from django.utils import timezone

from bloodline.lib.links import donor_home_link
from bloodline.notifications import outbox
from bloodline.notifications.models import Event
from bloodline.organisations.kinds import AREAS, Kind

if TYPE_CHECKING:
    from bloodline.accounts.models import User
    from bloodline.inventory.models import Component
    from bloodline.organisations.models import Organisation


def hospital_place(hospital: Organisation, language: str | None = None) -> str:
    """The hospital and the area it is in (its nearest area above it that is not the
    country), in ``language`` (else the active one) where a translated name exists."""
    name = hospital.display_name(language)
    area = hospital.parent
    while area is not None and area.kind not in AREAS:
        area = area.parent
    if area is None or area.kind == Kind.COUNTRY:
        return name
    return f"{name}, {area.display_name(language)}"


def helped(unit: Component, hospital: Organisation, *, by: User) -> outbox.Outcome:
    """Queue the message for the donor of ``unit``, transfused at ``hospital``."""
    donation = unit.donation
    donor, establishment = donation.donor, donation.establishment
    zone = zoneinfo.ZoneInfo(establishment.effective_time_zone())
    return outbox.enqueue(
        Event.DONATION_HELPED,
        to_donor=donor,
        context={
            "donor_name": donor.full_name,
            "date": timezone.localtime(donation.collected_at, zone).date(),
            # Called when the text is rendered, in the donor's language.
            "place": lambda: hospital_place(hospital),
            "link": donor_home_link(),
        },
        key=f"donation_helped:{donation.uuid}",  # once, however many of its units help
        establishment=establishment,
        by=by,
    )

"""Whether a donor may give on a drive's day, asked of the eligibility engine the way the
station's lookup does (``screening.lookup``): their donations, the deferrals still running on
that day, the rule set of the drive's establishment. The portal refuses a booking the engine
defers; it never decides intervals itself. Nothing here replaces the check at the drive."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

from bloodline.collection.models import Donation
from bloodline.donors.models import Donor
from bloodline.drives.models import Drive, Slot
from bloodline.jurisdictions.loader import UnknownRuleSet
from bloodline.screening import engine
from bloodline.screening.assessment import as_active, as_history, deferrals_in_force
from bloodline.screening.lookup import CARD_DONATION_TYPE, next_eligible


def decision_on(donor: Donor, drive: Drive, day: dt.date) -> engine.Decision | None:
    """The engine's decision for whole blood on ``day``; None when it cannot judge (no sex or
    date of birth on record, no rule set): the station judges then."""
    if donor.sex not in ("M", "F") or donor.date_of_birth is None:
        return None
    zone = drive.time_zone()
    history = Donation.objects.filter(donor=donor).order_by("-collected_at", "-pk")
    facts = engine.Facts(
        on=day,
        sex="M" if donor.sex == "M" else "F",
        date_of_birth=donor.date_of_birth,
        donation_type=CARD_DONATION_TYPE,
        history=as_history(history, zone),
        active_deferrals=as_active(deferrals_in_force(donor, day)),
    )
    try:
        return engine.evaluate_on(drive.establishment.jurisdiction, facts)
    except UnknownRuleSet:
        return None


def refuse_if_deferred(donor: Donor, drive: Drive, slot: Slot) -> None:
    """A translated ``ValidationError`` (code ``deferred``) when the engine defers the donor
    on the slot's day, with the first day they may give when there is one."""
    day = slot.starts_at.astimezone(drive.time_zone()).date()
    decision = decision_on(donor, drive, day)
    if decision is None or decision.outcome not in ("deferred_temporary", "deferred_permanent"):
        return
    until = next_eligible(decision, day)
    if until is not None:
        message = _(
            "You cannot give blood on %(day)s. You may give again from %(until)s: choose a "
            "drive on or after that day."
        ) % {
            "day": formats.date_format(day, "SHORT_DATE_FORMAT"),
            "until": formats.date_format(until, "SHORT_DATE_FORMAT"),
        }
    else:
        message = _(
            "You cannot give blood on %(day)s. Please talk to the blood centre before booking."
        ) % {"day": formats.date_format(day, "SHORT_DATE_FORMAT")}
    reasons = [reason.message for reason in decision.reasons if reason.severity != "review"]
    raise ValidationError(
        {"slot": [ValidationError(" ".join([message, *reasons]), code="deferred")]}
    )

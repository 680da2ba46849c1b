"""Collection and post-donation care: the DIN label is scanned (or a number allocated), the
donation is recorded through collection.actions so it counts in plan progress, and the donor
is looked after before leaving."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.collection import dins
from bloodline.collection.actions import (
    NO_SHORTFALL,
    Phlebotomy,
    Reaction,
    Shortfall,
    add_reaction,
    record_donation,
)
from bloodline.collection.models import Donation, DonationType, Facility
from bloodline.lib import isbt128
from bloodline.screening.assessment import judged_at_collection
from bloodline.screening.models import Presentation, Step
from bloodline.screening.stations import at_step, local_date, move_on, refuse, require_station


def _din(presentation: Presentation, scanned: str, by: User) -> str:
    """The scanned label's DIN, or a newly allocated one when nothing was scanned: from the
    block of the station ``by`` runs at this drive (decision 0043)."""
    establishment = presentation.drive.establishment
    if not scanned.strip():
        if not Facility.objects.filter(establishment=establishment).exists():
            raise refuse(
                _(
                    "This establishment has no ISBT 128 facility identification number "
                    "configured; scan a pre-printed label or ask an administrator."
                ),
                "din",
            )
        return dins.allocate(
            establishment=establishment,
            on=local_date(presentation.drive),
            drive=presentation.drive,
            holder=by,
        ).din
    try:  # scanned, or typed with its check character, and issued here (decision 0021)
        din = dins.entered(scanned, establishment=establishment)
    except isbt128.DinError as exc:
        raise refuse(str(exc), "din") from exc
    if Donation.objects.filter(din=din).exists():
        raise refuse(_("This donation identification number is already used."), "din")
    return din


def _check(
    presentation: Presentation,
    volume_ml: int | None,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    phlebotomy: Phlebotomy,
    reaction: Reaction | None,
) -> None:
    errors = phlebotomy.errors() | (reaction.errors() if reaction else {})
    # Never more than the physician accepted: that volume already obeys the donor's weight
    # limit. The complete-collection minimum is the rule set's, per bag size
    # (collection.actions.validate_donation).
    accepted = presentation.volume_ml or 0
    # Judged again now, under the donor's lock: a deferral or a donation recorded since the
    # decision refuses it (decision 0037). Whatever was decided (an override included), the
    # bag obeys the weight, volume and Hb-by-volume rules (decision 0015).
    if accepted not in judged_at_collection(presentation):
        raise refuse(
            _(
                "The rules do not allow a %(volume)s mL collection from this donor: nothing "
                "may be collected."
            )
            % {"volume": accepted},
            "volume_ml",
        )
    if volume_ml is None or not 0 < volume_ml <= accepted:
        errors["volume_ml"] = [
            _("Enter the volume collected, at most the accepted %(volume)s mL.")
            % {"volume": accepted}
        ]
    if ended_at > timezone.now() + dt.timedelta(minutes=5):
        errors["ended_at"] = [_("The needle-out time is in the future.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def collect(
    *,
    by: User,
    presentation: Presentation,
    din: str = "",
    bag_type: str,
    volume_ml: int | None,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    problems: str = "",
    reaction: Reaction | None = None,
    shortfall: Shortfall = NO_SHORTFALL,
) -> Donation:
    """Record the collection of an accepted donor; credited to the registration's mobiliser.
    Below the rule set's minimum for the bag it is an incomplete collection and ``shortfall``
    must say why; the presentation moves on to post-donation care either way."""
    require_station(by, presentation.drive)
    presentation = at_step(presentation, {Step.COLLECTION})
    phlebotomy = Phlebotomy(bag_type, started_at, ended_at, problems)
    _check(presentation, volume_ml, started_at, ended_at, phlebotomy, reaction)
    assert volume_ml is not None and presentation.registration is not None
    donation = record_donation(
        by=by,
        din=_din(presentation, din, by),
        donor=presentation.donor,
        establishment=presentation.drive.establishment,
        collected_at=ended_at,
        donation_type=DonationType.WHOLE_BLOOD,
        volume_ml=volume_ml,
        bag_volume_ml=presentation.volume_ml,
        drive=presentation.drive,
        credited_to=presentation.registration.mobilised_by,
        phlebotomy=phlebotomy,
        shortfall=shortfall,
    )
    if reaction is not None:
        add_reaction(by=by, donation=donation, reaction=reaction, at=ended_at)
    presentation.donation = donation
    move_on(presentation, Step.POST_CARE, ["donation"])
    record(
        by=by,
        action="presentation.collect",
        obj=presentation,
        changes={
            "donation": [None, str(donation.uuid)],
            "din": [None, donation.din],
            "outcome": [None, donation.outcome],
        },
    )
    return donation


@transaction.atomic
def post_care(
    *, by: User, presentation: Presentation, reaction: Reaction | None = None
) -> Presentation:
    """The donor rested and was looked after; a late reaction is recorded with the donation."""
    require_station(by, presentation.drive)
    presentation = at_step(presentation, {Step.POST_CARE})
    now = timezone.now()
    if reaction is not None and presentation.donation is not None:
        add_reaction(by=by, donation=presentation.donation, reaction=reaction, at=now)
    presentation.cared_at, presentation.cared_by = now, by
    move_on(presentation, Step.DONE, ["cared_at", "cared_by"])
    record(
        by=by,
        action="presentation.post_care",
        obj=presentation,
        changes={"step": [Step.POST_CARE, Step.DONE]},
    )
    return presentation

"""Recording donations: from the collection station (screening.stations), the admin form and the
demo. The station passes the phlebotomy details; the others leave them empty."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.collection import messages, summaries
from bloodline.collection.models import (
    AdverseReaction,
    BagType,
    Donation,
    DonationType,
    IncompleteReason,
    Outcome,
    ReactionKind,
    ReactionSeverity,
)
from bloodline.donors.erasure import refuse_erased
from bloodline.donors.models import Donor
from bloodline.drives.models import Drive, DriveStatus, Registration
from bloodline.drives.reconciliation import is_voided
from bloodline.jurisdictions.loader import UnknownRuleSet, registry
from bloodline.jurisdictions.schema import RuleSet
from bloodline.lib import isbt128
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm


def default_credit(donor: Donor, drive: Drive | None) -> Organisation | None:
    """Who mobilised the donor: the registration's choice, else the donor's own unit, else
    the drive's first host."""
    if drive is not None:
        registration = (
            Registration.objects.filter(drive=drive, donor=donor, cancelled_at__isnull=True)
            .select_related("mobilised_by")
            .first()
        )
        if registration is not None:
            return registration.mobilised_by
    if donor.affiliation is not None:
        return donor.affiliation
    if drive is not None:
        return drive.hosts.order_by("pk").first()
    return None


@dataclass(frozen=True)
class Shortfall:
    """Why a collection stopped short: a reason code from ``IncompleteReason`` and an optional
    note. Empty when the collection is complete."""

    reason: str = ""
    note: str = ""


# The shortfall of a complete collection: none.
NO_SHORTFALL = Shortfall()


def rules_at(establishment: Organisation, collected_at: dt.datetime) -> RuleSet | None:
    """The rule set in force at the establishment on the (local) day of the collection."""
    zone = zoneinfo.ZoneInfo(establishment.effective_time_zone())
    try:
        return registry.get(establishment.jurisdiction, collected_at.astimezone(zone).date())
    except UnknownRuleSet:
        return None


def _outcome(
    rules: RuleSet | None,
    volume_ml: int,
    bag_volume_ml: int,
    shortfall: Shortfall,
    errors: dict[str, list[str]],
) -> str:
    """Complete or incomplete, by the rule set's limits for the bag; problems go to ``errors``."""
    limits = rules.whole_blood_volumes.limits(bag_volume_ml) if rules is not None else None
    if limits is None:
        # A missing rule is not a pass: without a limit nobody can say the bag is full.
        errors["bag_volume_ml"] = [
            _("The rule set in force has no %(volume)s mL bag; choose one of its bag sizes.")
            % {"volume": bag_volume_ml}
        ]
        return Outcome.COMPLETE
    if volume_ml > limits.max_ml:
        errors["volume_ml"] = [
            _(
                "%(volume)s mL is more than a %(bag)s mL bag can hold (at most %(max)s mL). "
                "Check the volume collected."
            )
            % {"volume": volume_ml, "bag": bag_volume_ml, "max": limits.max_ml}
        ]
    if volume_ml >= limits.min_complete_ml:
        if shortfall.reason:
            errors["incomplete_reason"] = [
                _(
                    "%(volume)s mL fills a %(bag)s mL bag (at least %(min)s mL), so the "
                    "collection is complete; leave the reason for an incomplete one empty."
                )
                % {"volume": volume_ml, "bag": bag_volume_ml, "min": limits.min_complete_ml}
            ]
        return Outcome.COMPLETE
    if shortfall.reason not in IncompleteReason.values:
        errors["incomplete_reason"] = [
            _(
                "%(volume)s mL is below the %(min)s mL of a complete %(bag)s mL collection. "
                "Choose why the collection is incomplete."
            )
            % {"volume": volume_ml, "bag": bag_volume_ml, "min": limits.min_complete_ml}
        ]
    return Outcome.INCOMPLETE


def validate_donation(
    din: str,
    donation_type: str,
    volume_ml: int,
    bag_volume_ml: int | None,
    credited_to: Organisation | None,
    *,
    establishment: Organisation | None = None,
    collected_at: dt.datetime | None = None,
    shortfall: Shortfall = NO_SHORTFALL,
) -> str:
    """Raise a ValidationError keyed by field for anything that would make a bad record;
    otherwise return the collection's outcome (complete or incomplete)."""
    errors: dict[str, list[str]] = {}
    try:
        din = isbt128.parse(din).din
    except isbt128.DinError as exc:
        errors["din"] = [str(exc)]
    else:
        if Donation.objects.filter(din=din).exists():
            errors["din"] = [_("This donation identification number is already used.")]
        elif is_voided(din):
            errors["din"] = [
                _("This donation identification number was voided and cannot be used.")
            ]
    if donation_type not in DonationType.values:
        errors["donation_type"] = [_("Choose a donation type from the list.")]
    if volume_ml <= 0:
        errors["volume_ml"] = [_("Enter the volume collected in millilitres.")]
    outcome: str = Outcome.COMPLETE
    if donation_type == DonationType.WHOLE_BLOOD and not bag_volume_ml:
        errors["bag_volume_ml"] = [_("A whole-blood donation needs the bag's nominal volume.")]
    elif donation_type == DonationType.WHOLE_BLOOD and bag_volume_ml and volume_ml > 0:
        rules = (
            rules_at(establishment, collected_at)
            if establishment is not None and collected_at is not None
            else None
        )
        outcome = _outcome(rules, volume_ml, bag_volume_ml, shortfall, errors)
    elif shortfall.reason:
        # Only whole blood has a bag to fill; the sources give no apheresis minimum.
        errors["incomplete_reason"] = [
            _("Only a whole-blood collection can be recorded as incomplete.")
        ]
    if credited_to is None:
        errors["credited_to"] = [_("Choose the organisation that mobilised this donor.")]
    if errors:
        raise ValidationError(errors)
    return outcome


# A donation is added to a drive that is running or closed (before it is reconciled).
DONATION_STATUSES = frozenset({DriveStatus.RUNNING, DriveStatus.CLOSED})


def drive_errors(
    drive: Drive | None, establishment: Organisation | None, collected_at: dt.datetime | None
) -> dict[str, list[str]]:
    """What makes a donation not fit its drive: a reconciled (locked) or not running drive,
    another establishment than the drive's, a collection time outside the drive's days in
    the drive's own time zone (decision 0022). Read by every path that records donations."""
    if drive is None:
        return {}
    errors: dict[str, list[str]] = {}
    if drive.status == DriveStatus.RECONCILED:
        errors["drive"] = [
            _("This drive is reconciled and its records are locked; reopen it first.")
        ]
    elif drive.status not in DONATION_STATUSES:
        errors["drive"] = [_("Donations are recorded at a drive that is running or closed.")]
    if establishment is not None and establishment.pk != drive.establishment_id:
        errors["establishment"] = [
            _("A donation at this drive is collected by the drive's own establishment.")
        ]
    if collected_at is not None:
        day = collected_at.astimezone(drive.time_zone()).date()
        if not drive.starts_on <= day <= drive.ends_on:
            errors["collected_at"] = [
                _("The collection time is outside the drive's days (%(first)s to %(last)s).")
                % {"first": drive.starts_on.isoformat(), "last": drive.ends_on.isoformat()}
            ]
    return errors


@dataclass(frozen=True)
class Phlebotomy:
    """How a collection went, as the phlebotomist records it at the station."""

    bag_type: str
    started_at: dt.datetime
    ended_at: dt.datetime
    problems: str = ""

    def errors(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if self.bag_type not in BagType.values:
            errors["bag_type"] = [_("Choose a bag type from the list.")]
        if self.ended_at < self.started_at:
            errors["ended_at"] = [_("The needle cannot come out before it went in.")]
        return errors

    def fields(self, by: User) -> dict[str, object]:
        return {
            "bag_type": self.bag_type,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "collection_problems": self.problems.strip(),
            "collected_by": by,
        }


@dataclass(frozen=True)
class Reaction:
    """An adverse reaction to record with a donation."""

    kind: str
    severity: str
    care_given: str = ""

    def errors(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if self.kind not in ReactionKind.values:
            errors["reaction_kind"] = [_("Choose the type of reaction from the list.")]
        if self.severity not in ReactionSeverity.values:
            errors["reaction_severity"] = [_("Choose how severe the reaction was.")]
        return errors


def add_reaction(
    *, by: User, donation: Donation, reaction: Reaction, at: dt.datetime
) -> AdverseReaction:
    """Record a reaction; runs in the caller's transaction (the collection or the care step)."""
    access.require(by, Perm.DONATION_RECORD, donation.establishment)
    found = reaction.errors()
    if found:
        raise ValidationError(found)
    created = AdverseReaction.objects.create(
        donation=donation,
        kind=reaction.kind,
        severity=reaction.severity,
        care_given=reaction.care_given.strip(),
        recorded_at=at,
        recorded_by=by,
    )
    # The trail names the reaction and the donation by their ids; what happened stays here.
    record(
        by=by,
        action="donation.adverse_reaction",
        obj=created,
        changes={"donation": [None, str(donation.uuid)]},
    )
    return created


@transaction.atomic
def record_donation(
    *,
    by: User,
    din: str,
    donor: Donor,
    establishment: Organisation,
    collected_at: dt.datetime,
    donation_type: str,
    volume_ml: int,
    bag_volume_ml: int | None = None,
    drive: Drive | None = None,
    credited_to: Organisation | None = None,
    phlebotomy: Phlebotomy | None = None,
    shortfall: Shortfall = NO_SHORTFALL,
) -> Donation:
    """Record a collection. Whole blood below the rule set's minimum for its bag is recorded
    as an incomplete collection, which needs a reason (``shortfall``)."""
    access.require(by, Perm.DONATION_RECORD, establishment)
    refuse_erased(donor)
    credited_to = credited_to or default_credit(donor, drive)
    misfit = drive_errors(drive, establishment, collected_at)
    if misfit:
        raise ValidationError(misfit)
    outcome = validate_donation(
        din,
        donation_type,
        volume_ml,
        bag_volume_ml,
        credited_to,
        establishment=establishment,
        collected_at=collected_at,
        shortfall=shortfall,
    )
    incomplete = outcome == Outcome.INCOMPLETE
    din = isbt128.parse(din).din  # stored as the 13 characters, whatever form was typed
    if phlebotomy is not None and phlebotomy.errors():
        raise ValidationError(phlebotomy.errors())
    assert credited_to is not None
    donation = Donation.objects.create(
        din=din,
        donor=donor,
        establishment=establishment,
        collected_at=collected_at,
        donation_type=donation_type,
        volume_ml=volume_ml,
        bag_volume_ml=bag_volume_ml,
        outcome=outcome,
        incomplete_reason=shortfall.reason if incomplete else "",
        incomplete_note=shortfall.note.strip() if incomplete else "",
        drive=drive,
        credited_to=credited_to,
        **(phlebotomy.fields(by) if phlebotomy is not None else {}),
    )
    summaries.recorded([donation])
    record(
        by=by,
        action="donation.record",
        obj=donation,
        changes={
            "din": [None, din],
            "donation_type": [None, donation_type],
            "volume_ml": [None, volume_ml],
            "bag_volume_ml": [None, bag_volume_ml],
            "outcome": [None, outcome],
            **({"incomplete_reason": [None, shortfall.reason]} if incomplete else {}),
            "credited_to": [None, str(credited_to.uuid)],
            "drive": [None, str(drive.uuid) if drive else None],
        },
    )
    messages.thank(donation, by=by)
    return donation

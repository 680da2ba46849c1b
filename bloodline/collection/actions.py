"""Recording donations. The on-site stations will call this too; for now the admin form and
the demo do."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.collection.models import Donation, DonationType
from bloodline.donors.models import Donor
from bloodline.drives.models import Drive, Registration
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

# Structure only; the ISBT 128 check character is verified by the donation-day work.
_DIN = re.compile(r"^[A-Z0-9]{13,16}$")


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


def validate_donation(
    din: str,
    donation_type: str,
    volume_ml: int,
    bag_volume_ml: int | None,
    credited_to: Organisation | None,
) -> None:
    """Raise a ValidationError keyed by field for anything that would make a bad record."""
    errors: dict[str, list[str]] = {}
    if not _DIN.match(din):
        errors["din"] = [_("A donation identification number has 13 to 16 letters and digits.")]
    elif Donation.objects.filter(din=din).exists():
        errors["din"] = [_("This donation identification number is already used.")]
    if donation_type not in DonationType.values:
        errors["donation_type"] = [_("Choose a donation type from the list.")]
    if volume_ml <= 0:
        errors["volume_ml"] = [_("Enter the volume collected in millilitres.")]
    if donation_type == DonationType.WHOLE_BLOOD and not bag_volume_ml:
        errors["bag_volume_ml"] = [_("A whole-blood donation needs the bag's nominal volume.")]
    if credited_to is None:
        errors["credited_to"] = [_("Choose the organisation that mobilised this donor.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_donation(
    *,
    by: User | None,
    din: str,
    donor: Donor,
    establishment: Organisation,
    collected_at: dt.datetime,
    donation_type: str,
    volume_ml: int,
    bag_volume_ml: int | None = None,
    drive: Drive | None = None,
    credited_to: Organisation | None = None,
) -> Donation:
    if by is not None:
        access.require(by, Perm.DONATION_RECORD, establishment)
    din = din.strip().upper()
    credited_to = credited_to or default_credit(donor, drive)
    validate_donation(din, donation_type, volume_ml, bag_volume_ml, credited_to)
    assert credited_to is not None
    donation = Donation.objects.create(
        din=din,
        donor=donor,
        establishment=establishment,
        collected_at=collected_at,
        donation_type=donation_type,
        volume_ml=volume_ml,
        bag_volume_ml=bag_volume_ml,
        drive=drive,
        credited_to=credited_to,
    )
    record(
        by=by,
        action="donation.record",
        object_type="collection.donation",
        object_id=str(donation.uuid),
        object_label=din,
        changes={
            "din": [None, din],
            "donation_type": [None, donation_type],
            "volume_ml": [None, volume_ml],
            "credited_to": [None, str(credited_to.uuid)],
            "drive": [None, str(drive.uuid) if drive else None],
        },
    )
    return donation

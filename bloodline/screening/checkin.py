"""Check-in: a registered donor scans their QR code, or staff find them by identity number or
name; a walk-in gets a donor record and a walk-in registration on the spot.

One presentation per donor per drive: the database's unique constraints decide, so two
tablets checking in the same person at the same moment give one presentation and one refusal.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.donors import card as donor_card
from bloodline.donors.access import in_registry, registry_for
from bloodline.donors.erasure import refuse_erased
from bloodline.donors.models import Donor
from bloodline.donors.search import by_identity_number
from bloodline.drives.models import Channel, Drive, Registration, Slot
from bloodline.drives.registrations import (
    DonorMatch,
    RegistrationResult,
    duplicate_warning,
    find_or_create_donor,
    reaches,
)
from bloodline.organisations.models import Organisation
from bloodline.screening import summaries
from bloodline.screening.lookup import as_uuid
from bloodline.screening.models import Presentation
from bloodline.screening.stations import refuse, require_running, require_station


@dataclass(frozen=True)
class CheckIn:
    presentation: Presentation
    warning: str = ""  # the duplicate-record warning for a walk-in found on record


def _by_identity(drive: Drive, text: str) -> Donor | None:
    """The donor of the drive's registry holding an identity document with this number, as
    the registry normalises it: one probe of the number's blind index (numbers are
    encrypted, decision 0033), never a name search (decision 0041). Erased people are
    found, so that check-in can say why they cannot give."""
    people = in_registry(Donor.objects.active(), registry_for(drive.establishment))
    return by_identity_number(text, people).order_by("pk").first()


def _registration_from_scan(drive: Drive, scan: str) -> tuple[Donor, Registration | None]:
    if donor_card.looks_like_card(scan):  # a donor card opens its holder (decision 0054)
        people = in_registry(Donor.objects.all(), registry_for(drive.establishment))
        try:
            holder = donor_card.donor_from_card(scan, people)
        except donor_card.InvalidCard as exc:
            raise refuse(str(exc.message), "scan") from exc
        assert holder is not None
        return holder, _active_registration(drive, holder)
    key = as_uuid(scan.strip())
    registration = Registration.objects.filter(uuid=key).first() if key else None
    if registration is not None:
        if registration.drive_id != drive.pk:
            other = Drive.objects.get(pk=registration.drive_id)
            raise refuse(
                _(
                    "This registration is for another drive: %(title)s on %(date)s. "
                    "Send the donor to that drive."
                )
                % {"title": other.title, "date": other.starts_on.isoformat()},
                "scan",
            )
        if registration.cancelled_at is not None:
            message = _("This registration was cancelled; check the person in as a walk-in.")
            raise refuse(message, "scan")
        return registration.donor, registration
    people = in_registry(Donor.objects.all(), registry_for(drive.establishment))
    donor = people.filter(uuid=key).first() if key else _by_identity(drive, scan)
    if donor is None:
        message = _("Nobody was found for this code. Type the person's name instead.")
        raise refuse(message, "scan")
    return donor, _active_registration(drive, donor)


def _active_registration(drive: Drive, donor: Donor) -> Registration | None:
    return Registration.objects.filter(drive=drive, donor=donor, cancelled_at__isnull=True).first()


def _walk_in_slot(drive: Drive, now: dt.datetime) -> Slot:
    """The slot running now, else the nearest one: a walk-in is seated without taking a
    booked seat, so a full slot never turns a volunteer away."""
    slots = list(drive.slots.all())
    if not slots:
        raise refuse(_("This drive has no slots."))
    current = [s for s in slots if s.starts_at <= now < s.ends_at]
    return current[0] if current else min(slots, key=lambda s: abs(s.starts_at - now))


def _walk_in(
    *, by: User, drive: Drive, donor: Donor, mobilised_by: Organisation | None, now: dt.datetime
) -> Registration:
    refuse_erased(donor)
    credit = mobilised_by or donor.affiliation or drive.hosts.order_by("pk").first()
    if credit is None:
        raise refuse(_("Choose the organisation that mobilised this person."), "mobilised_by")
    # The same reach as a registration (decision 0008): a walk-in affiliated with a unit the
    # drive does not collect for — another province, another country — is credited to a unit
    # it does, chosen by the nurse, never to the affiliation.
    if not reaches(drive, credit):
        raise ValidationError(
            {
                "mobilised_by": [
                    _("%(name)s is outside the area this drive collects for.")
                    % {"name": credit.display_name()},
                    _("Choose the organisation that mobilised this person."),
                ]
            }
        )
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                drive=drive,
                slot=_walk_in_slot(drive, now),
                donor=donor,
                mobilised_by=credit,
                channel=Channel.WALK_IN,
                registered_by=by,
            )
    except IntegrityError as exc:  # the same walk-in checked in on another tablet
        raise refuse(already_checked_in(), "scan") from exc
    record(
        by=by,
        action="registration.create",
        obj=registration,
        changes={
            "drive": [None, str(drive.uuid)],
            "donor": [None, str(donor.uuid)],
            "mobilised_by": [None, str(credit.uuid)],
            "channel": [None, Channel.WALK_IN],
        },
    )
    return registration


def already_checked_in() -> str:
    return _("This person is already checked in at this drive.")


def _present(
    *, by: User, drive: Drive, donor: Donor, registration: Registration, now: dt.datetime
) -> Presentation:
    refuse_erased(donor)
    if Presentation.objects.filter(drive=drive, donor=donor).exists():
        raise refuse(already_checked_in(), "scan")
    try:
        with transaction.atomic():
            presentation = Presentation.objects.create(
                drive=drive,
                donor=donor,
                registration=registration,
                arrived_at=now,
                checked_in_by=by,
                credited_to_id=registration.mobilised_by_id or donor.affiliation_id,
            )
    except IntegrityError as exc:  # checked in on another tablet at the same moment
        raise refuse(already_checked_in(), "scan") from exc
    summaries.presented(presentation)
    record(
        by=by,
        action="presentation.check_in",
        obj=presentation,
        changes={
            "drive": [None, str(drive.uuid)],
            "donor": [None, str(donor.uuid)],
            "registration": [None, str(registration.uuid)],
            "channel": [None, registration.channel],
        },
    )
    return presentation


def _find_or_add(
    *,
    by: User,
    full_name: str,
    date_of_birth: dt.date | None,
    sex: str,
    phone: str,
    affiliation: Organisation | None,
    region: str,
    registry: Organisation | None,
) -> DonorMatch:
    errors: dict[str, list[str]] = {}
    if not full_name.strip():
        errors["full_name"] = [_("Scan a code or type the person's name.")]
    if date_of_birth is None:
        errors["date_of_birth"] = [_("Enter the date of birth: screening needs the age.")]
    if not sex.strip():
        errors["sex"] = [_("Choose the sex: screening rules depend on it.")]
    if errors:
        raise ValidationError(errors)
    return find_or_create_donor(
        by=by,
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        phone=phone,
        affiliation=affiliation,
        region=region,
        registry=registry,
    )


@transaction.atomic
def check_in(
    *,
    by: User,
    drive: Drive,
    scan: str = "",
    full_name: str = "",
    date_of_birth: dt.date | None = None,
    sex: str = "",
    phone: str = "",
    mobilised_by: Organisation | None = None,
) -> CheckIn:
    """Check a person in at a running drive, by ``scan`` (registration QR, donor id or
    identity number) or by name and date of birth (a registered person, or a walk-in)."""
    require_station(by, drive)
    require_running(drive)
    now = timezone.now()
    warning = ""
    match: DonorMatch | None = None
    if scan.strip():
        donor, registration = _registration_from_scan(drive, scan)
    else:
        match = _find_or_add(
            by=by,
            full_name=full_name,
            date_of_birth=date_of_birth,
            sex=sex,
            phone=phone,
            affiliation=mobilised_by,
            region=drive.establishment.country_code(),
            registry=registry_for(drive.establishment),
        )
        donor, registration = match.donor, _active_registration(drive, match.donor)
    if registration is None:
        if Presentation.objects.filter(drive=drive, donor=donor).exists():
            raise refuse(already_checked_in(), "scan")
        registration = _walk_in(by=by, drive=drive, donor=donor, mobilised_by=mobilised_by, now=now)
        if match is not None and match.is_duplicate:
            warning = duplicate_warning(RegistrationResult(registration, match))
    presentation = _present(by=by, drive=drive, donor=donor, registration=registration, now=now)
    return CheckIn(presentation, warning)


def host_credit(drive: Drive, public_id: uuid.UUID | str | None) -> Organisation | None:
    """The organisation a walk-in is credited to, chosen by the check-in station: one of the
    drive's hosts (the page and the API offer only those), or nobody when none was chosen."""
    if not public_id:
        return None
    host = drive.hosts.filter(uuid=public_id).first()
    if host is None:
        message = _("Choose one of the organisations hosting this drive.")
        raise ValidationError({"mobilised_by": [message]})
    return host

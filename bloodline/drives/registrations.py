"""Registering people for drive slots, and finding them in the donor registry first.

A seat is taken with one conditional UPDATE (``booked < capacity``), so however many
organisers book the last seat at once, exactly one gets it; the database check
``booked <= capacity`` backs that up. Everything here runs in the caller's transaction or its
own, so a refused registration leaves neither a donor nor a seat behind.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.donors import phones
from bloodline.donors.access import registry_for
from bloodline.donors.actions import phone_message
from bloodline.donors.duplicates import find_candidates
from bloodline.donors.erasure import refuse_erased
from bloodline.donors.models import Donor, Sex
from bloodline.drives import areas, booking_messages, waitlist_offers
from bloodline.drives.models import Channel, Drive, Registration, Slot
from bloodline.drives.seats import free_seat, take_seat
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

NAME_MAX = 200

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class DonorMatch:
    """The donor record used, and whether it was found rather than created."""

    donor: Donor
    created: bool
    matched_on: str = ""  # "identity" (name and date of birth) or "phone" when found

    @property
    def is_duplicate(self) -> bool:
        return not self.created


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    match: DonorMatch


def normalise_name(name: str) -> str:
    """Names are kept as written; only Unicode form and runs of spaces are made uniform."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def check_person(full_name: str, date_of_birth: dt.date | None, sex: str, errors: Errors) -> None:
    """The person's details, each problem at its field."""
    if not full_name:
        errors.setdefault("full_name", []).append(_("Enter the person's full name."))
    elif len(full_name) > NAME_MAX:
        errors.setdefault("full_name", []).append(
            _("Enter at most %(n)s characters.") % {"n": NAME_MAX}
        )
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        errors.setdefault("date_of_birth", []).append(_("The date of birth is in the future."))
    if sex and sex not in Sex.values:
        errors.setdefault("sex", []).append(_("Write the sex as M or F."))


def find_donor(
    full_name: str, date_of_birth: dt.date | None, phone: str, registry: Organisation | None
) -> DonorMatch | None:
    """An existing record for this person, found by the registry's rules: a similar name
    (case, accents and spacing aside) and the same date of birth, or the same phone with a
    similar name or the same date of birth. A phone alone is not enough: family members often
    share one. Merged records are never returned. Only donors of ``registry`` (the registry
    of the drive's establishment, decision 0030) are matched."""
    candidates = find_candidates(
        full_name=full_name, date_of_birth=date_of_birth, phone=phone, registry=registry
    )
    if candidates:
        best = candidates[0]
        matched = "phone" if best.reason.startswith("phone") else "identity"
        return DonorMatch(best.donor, created=False, matched_on=matched)
    return None


@transaction.atomic
def find_or_create_donor(
    *,
    by: User,
    full_name: str,
    date_of_birth: dt.date | None,
    sex: str = "",
    phone: str = "",
    affiliation: Organisation | None = None,
    region: str = "",
    registry: Organisation | None,
) -> DonorMatch:
    """The person's donor record: an existing one when they are already known, so one person
    never gets two records (their history and deferrals must stay together). Phones are
    stored in international form, reading national numbers in ``region`` (the country of the
    establishment or unit, e.g. VN)."""
    region = region or (affiliation.country_code() if affiliation is not None else "")
    full_name, sex = normalise_name(full_name), sex.strip().upper()
    errors: Errors = {}
    check_person(full_name, date_of_birth, sex, errors)
    try:
        phone = phones.normalise(phone, region)
    except phones.InvalidPhone:
        errors.setdefault("phone", []).append(phone_message(region))
    if errors:
        raise ValidationError(errors)
    found = find_donor(full_name, date_of_birth, phone, registry)
    if found is not None:
        return found
    donor = Donor.objects.create(
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        phone=phone,
        affiliation=affiliation,
        registry=registry,
    )
    # The trail says who added the person and where; their details stay in the registry only.
    record(
        by=by,
        action="donor.create",
        obj=donor,
        changes={"affiliation": [None, str(affiliation.uuid) if affiliation else None]},
    )
    return DonorMatch(donor, created=True)


def _check_booking(drive: Drive, slot: Slot, donor: Donor) -> None:
    # The status is read again: the drive may have been closed since the caller loaded it.
    drive.status = Drive.objects.values_list("status", flat=True).get(pk=drive.pk)
    if not drive.takes_registrations:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("This drive is %(status)s and takes no registrations.")
                    % {"status": drive.get_status_display()}
                ]
            }
        )
    if slot.drive_id != drive.pk:
        raise ValidationError({"slot": [_("This slot belongs to another drive.")]})
    if Registration.objects.filter(drive=drive, donor=donor, cancelled_at__isnull=True).exists():
        raise ValidationError({"full_name": [already_registered(donor)]})


def already_registered(donor: Donor) -> str:
    return _("%(name)s is already registered for this drive.") % {"name": donor.full_name}


def reaches(drive: Drive, organisation: Organisation) -> bool:
    """Whether the drive collects for ``organisation``: it lies in the area the drive's
    establishment serves, or inside one of the drive's hosts (decision 0008). A unit of
    another province, or of another country, cannot be credited with the drive's donors."""
    if areas.serves(drive.establishment, organisation):
        return True
    return any(organisation.is_within(host) for host in drive.hosts.all())


def _require_reach(drive: Drive, organisation: Organisation, field: str) -> None:
    if not reaches(drive, organisation):
        raise ValidationError(
            {
                field: [
                    _("%(name)s is outside the area this drive collects for.")
                    % {"name": organisation.display_name()}
                ]
            }
        )


@transaction.atomic
def register(
    *,
    by: User,
    drive: Drive,
    slot: Slot,
    donor: Donor,
    mobilised_by: Organisation,
    channel: str = Channel.ORGANISER,
) -> Registration:
    """Book a person into a slot, crediting ``mobilised_by`` with mobilising them."""
    access.require(by, Perm.REGISTRATION_MANAGE, mobilised_by)
    _require_reach(drive, mobilised_by, "mobilised_by")
    return book_seat(
        by=by, drive=drive, slot=slot, donor=donor, mobilised_by=mobilised_by, channel=channel
    )


def book_seat(
    *,
    by: User,
    drive: Drive,
    slot: Slot,
    donor: Donor,
    mobilised_by: Organisation,
    channel: str,
    held: bool = False,
) -> Registration:
    """The one booking rule, for every path (organiser, bulk, the donor themself, a waiting
    list offer accepted): the caller has checked who may book; ``held`` says the seat was
    already taken for this person (a waiting-list hold)."""
    refuse_erased(donor)
    _check_booking(drive, slot, donor)
    if not held:
        take_seat(slot, drive)
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                drive=drive,
                slot=slot,
                donor=donor,
                mobilised_by=mobilised_by,
                channel=channel,
                registered_by=by,
            )
    except IntegrityError as exc:  # the same person booked at the same moment elsewhere
        raise ValidationError({"full_name": [already_registered(donor)]}) from exc
    record(
        by=by,
        action="registration.create",
        obj=registration,
        changes={
            "drive": [None, str(drive.uuid)],
            "donor": [None, str(donor.uuid)],
            "slot": [None, slot.starts_at.isoformat()],
            "mobilised_by": [None, str(mobilised_by.uuid)],
            "channel": [None, channel],
        },
    )
    return registration


@transaction.atomic
def register_person(
    *,
    by: User,
    drive: Drive,
    slot: Slot,
    full_name: str,
    date_of_birth: dt.date | None,
    sex: str = "",
    phone: str = "",
    unit: Organisation | None = None,
    mobilised_by: Organisation | None = None,
    channel: str = Channel.ORGANISER,
) -> RegistrationResult:
    """Find or add the person, then book them. The credit goes to ``mobilised_by`` or, by
    default, to the person's unit; either way it must lie in the organiser's scope."""
    credit = mobilised_by or unit
    if credit is None:
        raise ValidationError(
            {"mobilised_by": [_("Choose the organisation that mobilised this person.")]}
        )
    field = "mobilised_by" if mobilised_by is not None else "unit"
    if not access.has_perm(by, Perm.REGISTRATION_MANAGE, credit):
        raise ValidationError(
            {field: [_("You can only credit organisations in your own part of the tree.")]}
        )
    _require_reach(drive, credit, field)
    match = find_or_create_donor(
        by=by,
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        phone=phone,
        affiliation=unit,
        region=drive.establishment.country_code(),
        registry=registry_for(drive.establishment),
    )
    registration = register(
        by=by, drive=drive, slot=slot, donor=match.donor, mobilised_by=credit, channel=channel
    )
    return RegistrationResult(registration, match)


def duplicate_warning(result: RegistrationResult) -> str:
    """What the organiser is told when the person was already on record."""
    donor = result.match.donor
    if result.match.matched_on == "phone":
        message = _(
            "Someone with this phone number is already on record as %(name)s; that record "
            "was used instead of adding a second one. Check that this is the same person."
        )
    else:
        message = _(
            "%(name)s, with this date of birth, is already on record; that record was used "
            "instead of adding a second one."
        )
    return message % {"name": donor.full_name}


def _require_cancel(by: User, registration: Registration) -> None:
    drive = registration.drive
    if access.has_perm(by, Perm.DRIVE_MANAGE, drive.establishment):
        return
    if not access.has_perm(by, Perm.REGISTRATION_MANAGE, registration.mobilised_by):
        raise PermissionDenied


@transaction.atomic
def cancel_registration(*, by: User, registration: Registration, reason: str = "") -> Registration:
    """Cancel a booking and free its seat. The registration itself is kept."""
    _require_cancel(by, registration)
    return end_registration(by=by, registration=registration, reason=reason)


def end_registration(*, by: User, registration: Registration, reason: str = "") -> Registration:
    """Cancel ``registration`` (the caller checked who may) and pass its seat to the slot's
    waiting list, if anyone waits (decision 0057)."""
    drive = registration.drive
    if not drive.takes_registrations:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("Registrations of a %(status)s drive can no longer be cancelled.")
                    % {"status": drive.get_status_display()}
                ]
            }
        )
    now = timezone.now()
    # Conditional, so two people cancelling at once free the seat only once.
    cancelled = Registration.objects.filter(pk=registration.pk, cancelled_at__isnull=True).update(
        cancelled_at=now
    )
    if not cancelled:
        raise ValidationError({NON_FIELD_ERRORS: [_("This registration is already cancelled.")]})
    free_seat(registration.slot_id)
    registration.cancelled_at = now
    record(
        by=by,
        action="registration.cancel",
        obj=registration,
        changes={"cancelled_at": [None, now.isoformat()]},
        reason=reason,
    )
    booking_messages.withdraw_reminder(registration)
    waitlist_offers.offer_freed_seat(registration.slot, drive)
    return registration

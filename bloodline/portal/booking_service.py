"""The donor's booking actions as the portal's pages and API call them (decision 0057): the
eligibility engine is asked first, a first booking makes the donor's record, then the drives
app's own self-booking rules run (``drives.self_booking``), all in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.donors.access import registry_for
from bloodline.donors.models import Donor, DonorAccount
from bloodline.drives import self_booking
from bloodline.drives.models import Drive, Registration, Slot, WaitlistEntry
from bloodline.drives.registrations import find_or_create_donor
from bloodline.portal.booking_access import own_donor, require_account
from bloodline.portal.booking_eligibility import refuse_if_deferred


@dataclass(frozen=True)
class Person:
    """What someone without a donor record gives at their first booking."""

    full_name: str
    date_of_birth: dt.date | None
    sex: str
    phone: str


def _need_slot(slot: Slot | None) -> Slot:
    if slot is None:
        raise ValidationError({"slot": [_("Choose one of the drive's slots.")]})
    return slot


def start_record(*, by: User, drive: Drive, person: Person | None) -> Donor:
    """A new, unclaimed donor record for the account's first booking, linked to it. A person
    already on record must claim that record first: linking it here would hand its history
    to whoever typed the same name and date of birth."""
    account = require_account(by)
    errors = {}
    if person is None or person.date_of_birth is None:
        errors["date_of_birth"] = [_("Enter your date of birth.")]
    if person is None or person.sex not in ("M", "F"):
        errors["sex"] = [_("Choose your sex.")]
    if person is None or not person.phone.strip():
        errors["phone"] = [_("Enter your phone number.")]
    if errors:
        raise ValidationError(errors)
    assert person is not None
    match = find_or_create_donor(
        by=by,
        full_name=person.full_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        phone=person.phone,
        region=drive.establishment.country_code(),
        registry=registry_for(drive.establishment),
    )
    if not match.created:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    ValidationError(
                        _(
                            "We could not book with these details. If you have given blood "
                            "before, claim your donor record first, then book."
                        ),
                        code="claim_first",
                    )
                ]
            }
        )
    # Conditional: two first bookings at once link one record, the other rolls back.
    linked = DonorAccount.objects.filter(pk=account.pk, donor__isnull=True).update(
        donor=match.donor
    )
    if not linked:
        raise ValidationError({NON_FIELD_ERRORS: [_("Your account changed meanwhile. Try again.")]})
    return match.donor


@transaction.atomic
def book(
    *, by: User, drive: Drive, slot: Slot | None, person: Person | None = None
) -> Registration:
    slot = _need_slot(slot)
    donor = own_donor(by) or start_record(by=by, drive=drive, person=person)
    refuse_if_deferred(donor, drive, slot)
    return self_booking.book(by=by, drive=drive, slot=slot, donor=donor)


@transaction.atomic
def reschedule(
    *, by: User, registration: Registration, drive: Drive, slot: Slot | None
) -> Registration:
    slot = _need_slot(slot)
    refuse_if_deferred(registration.donor, drive, slot)
    return self_booking.reschedule(by=by, registration=registration, drive=drive, slot=slot)


@transaction.atomic
def join_waitlist(*, by: User, drive: Drive, slot: Slot | None) -> WaitlistEntry:
    slot = _need_slot(slot)
    donor = own_donor(by)
    if donor is None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("Book a first drive or claim your record before joining a waiting list.")
                ]
            }
        )
    refuse_if_deferred(donor, drive, slot)
    return self_booking.join_waitlist(by=by, drive=drive, slot=slot, donor=donor)


@transaction.atomic
def accept_offer(*, by: User, entry: WaitlistEntry) -> Registration:
    refuse_if_deferred(entry.donor, entry.drive, entry.slot)
    return self_booking.accept_offer(by=by, entry=entry)


cancel = self_booking.cancel
leave_waitlist = self_booking.leave_waitlist

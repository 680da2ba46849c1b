"""The contact consents a donor gives and withdraws themself (issue 13 §1, §3), through the
registry's own consent actions (``donors.actions``): versioned, never edited, one in force
per purpose."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bloodline.accounts.models import User
from bloodline.donors import actions as donor_actions
from bloodline.donors import self_service
from bloodline.donors.models import Consent, ConsentPurpose, Donor

# The version of the texts below: change it with the texts, so a consent says what was read.
TEXT_VERSION = "portal-2026-1"
TEXTS: dict[str, Promise] = {
    ConsentPurpose.CONTACT_SMS: _(
        "You may send me text messages about my bookings, my results and when I can give again."
    ),
    ConsentPurpose.CONTACT_EMAIL: _(
        "You may send me emails about my bookings, my results and when I can give again."
    ),
    ConsentPurpose.CONTACT_ZALO: _(
        "You may send me Zalo messages about my bookings, my results and when I can give again."
    ),
    ConsentPurpose.CONTACT_WECHAT: _(
        "You may send me WeChat messages about my bookings, my results and when I can give again."
    ),
    ConsentPurpose.CONTACT_CALL: _(
        "You may phone me about my bookings, my results and urgent needs for my blood group."
    ),
}
PURPOSES = list(TEXTS)


def in_force(donor: Donor) -> dict[str, Consent]:
    rows = Consent.objects.filter(donor=donor, purpose__in=PURPOSES, withdrawn_at__isnull=True)
    return {c.purpose: c for c in rows}


def _own(by: User) -> Donor:
    donor = self_service.donor_of(by)
    if donor is None:
        raise PermissionDenied
    return donor


def _known(purpose: str) -> None:
    if purpose not in TEXTS:
        raise ValidationError({"purpose": [_("Choose a way to be contacted from the list.")]})


def give(*, by: User, purpose: str) -> Consent:
    _known(purpose)
    return donor_actions.record_consent(
        by=by, donor=_own(by), purpose=purpose, text_version=TEXT_VERSION
    )


def withdraw(*, by: User, purpose: str) -> Consent:
    _known(purpose)
    consent = in_force(_own(by)).get(purpose)
    if consent is None:
        raise ValidationError({"purpose": [_("You have not agreed to this; nothing to withdraw.")]})
    return donor_actions.withdraw_consent(by=by, consent=consent)

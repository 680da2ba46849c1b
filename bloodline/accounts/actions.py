"""Writes to accounts, each audited in its own transaction."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bloodline.accounts.models import User
from bloodline.audit.record import record


def validate_language(code: str) -> str:
    if code not in dict(settings.LANGUAGES):
        raise ValidationError(
            {
                "preferred_language": _("“%(code)s” is not one of the languages Bloodline speaks.")
                % {"code": code}
            },
            code="unknown_language",
        )
    return code


@transaction.atomic
def set_preferred_language(*, by: User, user: User, language: str) -> User:
    validate_language(language)
    old = user.preferred_language
    if old == language:
        return user
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    record(
        by=by,
        action="user.set_language",
        obj=user,
        changes={"preferred_language": [old, language]},
    )
    return user


RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE = "recovery codes"  # device names are codes, not words shown to anyone
AUTHENTICATOR_DEVICE = "authenticator"


def pending_authenticator(user: User) -> TOTPDevice:
    """The secret being set up: kept unconfirmed (unusable for signing in) until the person
    proves their app with one code, so reloading the enrolment page shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_DEVICE, confirmed=False)
    return device


@transaction.atomic
def confirm_authenticator(*, by: User, device: TOTPDevice) -> list[str]:
    """The person proved their authenticator app works: it becomes their only one, and they
    get a fresh set of recovery codes (returned once, to be shown once)."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(by=by, action="account.second_factor_enrol", obj=device.user)
    return _new_recovery_codes(device.user)


@transaction.atomic
def regenerate_recovery_codes(*, by: User, user: User) -> list[str]:
    """Replace the person's recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(user)
    record(by=by, action="account.recovery_codes", obj=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes

"""Writes to accounts, each audited in its own transaction."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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

"""One-time codes and the rate limits around them (issue 13 §1, §2; decision 0056).

A code is six digits drawn by ``secrets``, kept only as a keyed hash (HMAC under the secret
key, salted by the code's own id, so two equal codes never share a hash), valid for
``CODE_MINUTES``, used once, and dead after ``MAX_WRONG_TRIES`` wrong tries. Codes sent to an
address and claim attempts are counted per address (or account) and per network address,
each by its blind index: nothing here keeps an address or an IP in clear. django-axes is not
used: it counts failed password sign-ins per user name, whereas here every code *sent* costs
a message and must be limited before anyone fails.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bloodline.lib.crypto import blind_index
from bloodline.portal.account_models import Attempt, AttemptKind, OneTimeCode

# Security limits of the sign-in door, set by issue 13 §1 (not domain rules).
CODE_DIGITS = 6
LINK_CODE_DIGITS = 8  # shown on a phone and typed by a nurse; never sent anywhere
CODE_MINUTES = 10
MAX_WRONG_TRIES = 5
WINDOW = dt.timedelta(hours=1)
CODES_PER_ADDRESS = 5  # codes sent to one address in WINDOW
CODES_PER_ORIGIN = 20  # codes asked for from one network address in WINDOW
CLAIMS_PER_ACCOUNT = 5  # claim attempts by one account in WINDOW
CLAIMS_PER_ORIGIN = 10  # claim attempts from one network address in WINDOW
PASSWORD_FAILURES_PER_ADDRESS = 5  # wrong passwords for one address in WINDOW
PASSWORD_FAILURES_PER_ORIGIN = 20  # wrong passwords from one network address in WINDOW


class CodeRefused(ValidationError):
    """A code that cannot be accepted; ``code`` says why (wrong, expired, used, spent)."""


@dataclass(frozen=True)
class Issued:
    code: OneTimeCode
    plain: str  # to put in the message (or on the donor's screen); never stored


def _hash(code_id: object, plain: str) -> str:
    return salted_hmac(
        "bloodline.portal.code", f"{code_id}:{plain}", algorithm="sha256"
    ).hexdigest()


def link_hash(plain: str) -> str:
    """Link codes are looked up by what the nurse types, so their hash is not salted by id."""
    return salted_hmac("bloodline.portal.link", plain.strip(), algorithm="sha256").hexdigest()


def address_digest(address: str) -> str:
    return blind_index(address, "sign_in_address")


def origin_of(request: HttpRequest) -> str:
    """The blind index of the network address a request came from (the one django-axes
    reads too)."""
    return blind_index(str(request.META.get("REMOTE_ADDR") or "unknown"), "origin")


def issue(purpose: str, *, digits: int = CODE_DIGITS, **fields: object) -> Issued:
    """A new code for ``purpose``; ``fields`` fill the row (channel, address_index, account,
    donor). Call inside the caller's transaction."""
    plain = "".join(secrets.choice("0123456789") for _i in range(digits))
    now = timezone.now()
    code = OneTimeCode(
        purpose=purpose,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
        **fields,
    )
    code.code_hash = link_hash(plain) if purpose == "link" else _hash(code.uuid, plain)
    code.save()
    return Issued(code, plain)


def check(code: OneTimeCode, typed: str) -> None:
    """Accept ``typed`` for ``code`` (locked by the caller) and mark it used, or raise
    ``CodeRefused`` with a translated reason. A wrong try is counted on the row: the caller
    must let its transaction commit before passing the refusal on, or the count is lost."""
    now = timezone.now()
    if code.used_at is not None:
        raise CodeRefused(_("This code was already used. Ask for a new code."), code="used")
    if code.expires_at <= now:
        raise CodeRefused(_("This code has expired. Ask for a new code."), code="expired")
    if code.wrong_tries >= MAX_WRONG_TRIES:
        raise CodeRefused(_("Too many wrong codes were typed. Ask for a new code."), code="spent")
    wanted = _hash(code.uuid, "".join(typed.split()))
    if not hmac.compare_digest(wanted, code.code_hash):
        code.wrong_tries += 1
        OneTimeCode.objects.filter(pk=code.pk).update(wrong_tries=code.wrong_tries)
        left = MAX_WRONG_TRIES - code.wrong_tries
        if left <= 0:
            raise CodeRefused(
                _("Too many wrong codes were typed. Ask for a new code."), code="spent"
            )
        raise CodeRefused(
            ngettext(
                "This code is not right. You can try %(n)d more time.",
                "This code is not right. You can try %(n)d more times.",
                left,
            )
            % {"n": left},
            code="wrong",
        )
    code.used_at = now
    OneTimeCode.objects.filter(pk=code.pk).update(used_at=now)


def count(kind: str, *, subject: str = "", origin: str = "") -> int:
    since = timezone.now() - WINDOW
    rows = Attempt.objects.filter(kind=kind, at__gte=since)
    return rows.filter(subject=subject).count() if subject else rows.filter(origin=origin).count()


def note(kind: str, *, subject: str, origin: str) -> None:
    Attempt.objects.create(kind=kind, subject=subject, origin=origin, at=timezone.now())


# Tries each kind allows per subject (address or account) and per network address.
LIMITS: dict[str, tuple[int, int]] = {
    AttemptKind.CODE_SENT: (CODES_PER_ADDRESS, CODES_PER_ORIGIN),
    AttemptKind.CLAIM: (CLAIMS_PER_ACCOUNT, CLAIMS_PER_ORIGIN),
    AttemptKind.PASSWORD: (PASSWORD_FAILURES_PER_ADDRESS, PASSWORD_FAILURES_PER_ORIGIN),
}


def refuse_when_limited(kind: str, *, subject: str, origin: str) -> None:
    """A translated ``ValidationError`` (code ``throttled``, answered 429 by the API) once
    ``subject`` or ``origin`` has used up the tries ``kind`` allows in WINDOW."""
    per_subject, per_origin = LIMITS[kind]
    if count(kind, subject=subject) >= per_subject or count(kind, origin=origin) >= per_origin:
        raise ValidationError(too_many_message(), code="throttled")


def spend(kind: str, *, subject: str, origin: str) -> None:
    """One try of ``kind``: refused when the limit is reached, else counted."""
    refuse_when_limited(kind, subject=subject, origin=origin)
    note(kind, subject=subject, origin=origin)


def too_many_message() -> str:
    minutes = int(WINDOW.total_seconds() // 60)
    return _("Too many tries. Wait %(minutes)d minutes and try again.") % {"minutes": minutes}

"""The digital donor card (issue 13 §5, decision 0054).

A card is a QR code of a signed, expiring token that says which donor holds it and nothing
else: the donor's public id (``uuid``, 16 bytes in base64) and the card's generation. No name,
identity number, phone or date of birth is in it. The token is signed with Django's
``signing`` (the deployment's secret key, a salt of its own, so no other signed value of the
application reads as a card) and expires ``DONOR_CARD_MAX_AGE_DAYS`` after it was printed.

Revocation: each donor carries ``card_generation``; ``issue_card`` counts it up, so every
card printed before the reissue answers "replaced". A station reads a card with
``donor_from_card``: one lookup on the unique ``uuid`` index, inside the registry it reads.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.donors import access, actions
from bloodline.donors.models import Donor
from bloodline.lib.qr import qr_svg

SALT = "bloodline.donors.card"
PREFIX = "DC1"  # donor card, format 1: what a scan starts with
ISSUED = "donor.card_issued"
_VALUE = re.compile(rf"^{PREFIX}\.([A-Za-z0-9_-]{{22}})\.(\d{{1,9}})$")


class InvalidCard(ValidationError):
    """A scanned card that cannot open a donor; ``code`` says why: ``expired``, ``revoked``
    (a newer card was issued, or the record was merged or erased), ``forged`` (the signature
    or the contents do not check out) or ``unknown`` (nobody the reader may see holds it)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)
        self.reason = code


@dataclass(frozen=True)
class CardKey:
    """What a card carries, once its signature and age are checked."""

    donor_uuid: uuid.UUID
    generation: int


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def _max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.DONOR_CARD_MAX_AGE_DAYS)


def looks_like_card(text: str) -> bool:
    """Whether scanned text is meant as a donor card (it may still be expired or forged)."""
    return text.strip().startswith(PREFIX + ".")


def card_token(donor: Donor) -> str:
    """The token of the donor's card in force, signed now (its age counts from today)."""
    if donor.card_generation < 1:
        raise ValueError("no card was issued to this donor")
    short = base64.urlsafe_b64encode(donor.uuid.bytes).decode().rstrip("=")
    return _signer().sign(f"{PREFIX}.{short}.{donor.card_generation}")


def read_card(token: str) -> CardKey:
    """The donor id and generation a card carries; ``InvalidCard`` if it expired or does not
    check out. Says nothing about revocation: that needs the donor (``donor_from_card``)."""
    try:
        value = _signer().unsign(token.strip(), max_age=_max_age())
    except signing.SignatureExpired as exc:
        raise InvalidCard(
            _("This donor card has expired. Print the donor a new card."), "expired"
        ) from exc
    except signing.BadSignature as exc:
        raise _forged() from exc
    match = _VALUE.match(value)
    if match is None:
        raise _forged()
    raw = base64.urlsafe_b64decode(match.group(1) + "==")
    return CardKey(uuid.UUID(bytes=raw), int(match.group(2)))


def _forged() -> InvalidCard:
    return InvalidCard(
        _("This donor card is not genuine: it was not issued by this service or was altered."),
        "forged",
    )


def holding(key: CardKey, people: QuerySet[Donor]) -> QuerySet[Donor]:
    """The donor among ``people`` whose card in force this is: the unique public id, the
    current generation, a record neither merged nor erased."""
    return people.filter(
        uuid=key.donor_uuid,
        card_generation=key.generation,
        merged_into__isnull=True,
        erased_at__isnull=True,
    )


def donor_from_card(token: str, people: QuerySet[Donor] | None = None) -> Donor | None:
    """The donor holding this card, among ``people`` (the registry the reader may see; all
    donors when not given): one query on the unique public id. None when the text is not a
    card at all (so a caller tries its other lookups); ``InvalidCard`` with a translated
    reason when it is a card that cannot open anyone (a second query says which)."""
    if not looks_like_card(token):
        return None
    key = read_card(token)
    found = people if people is not None else Donor.objects.all()
    donor = holding(key, found).select_related("registry").first()
    if donor is not None:
        return donor
    if found.filter(uuid=key.donor_uuid).exists():
        raise InvalidCard(
            _("This donor card was replaced by a newer one and no longer works."), "revoked"
        )
    raise InvalidCard(_("Nobody in the registries you work with holds this card."), "unknown")


@transaction.atomic
def issue_card(donor: Donor, *, by: User) -> str:
    """Issue the donor a new card (the first, or a replacement): every earlier card stops
    working. Returns the new card's token. Audited; refused for a merged or erased record."""
    access.require_donor(by, donor)
    current = Donor.objects.select_for_update().get(pk=donor.pk)
    actions.refuse_closed(current)
    before = current.card_generation
    current.card_generation = before + 1
    current.save(update_fields=["card_generation"])
    record(
        by=by,
        action=ISSUED,
        obj=current,
        changes={"card_generation": [before, current.card_generation]},
    )
    donor.card_generation = current.card_generation
    return card_token(current)


def card_qr(token: str) -> str:
    """The card's QR code as inline SVG: the token and nothing else."""
    return qr_svg(token, scale=4, label=_("Donor card QR code"))

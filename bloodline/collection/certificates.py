"""E-certificates of donation (issue 13 §5, decision 0054).

One PDF per complete donation, in the donor's language (their preferred language, else the
reader's): the donor's name, the date and place, the donation type and volume, how many
donations the donor has made up to this one, the collecting establishment and a QR code to
verify it. The count is the registry's own measure of a donation: a *complete* collection
(an incomplete one is a presentation, not a donation; programmes.md §1 [S87][U13]), the
condition ``summaries.COMPLETE`` that plan progress counts with.

The QR code carries the address of a public page and a signed token of the donation's public
id (Django ``signing``, a salt of its own, no expiry: a certificate stays true). The page says
only "valid certificate of <date>, <place>": nothing about the donor.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from bloodline.collection.models import Donation
from bloodline.collection.summaries import COMPLETE
from bloodline.lib.pdf import render_pdf
from bloodline.lib.qr import qr_svg

SALT = "bloodline.collection.certificate"


class InvalidCertificate(ValidationError):
    """A verification token that does not name a donation of this service."""


@dataclass(frozen=True)
class Verified:
    """What the public page may say about a certificate: its date and place, nothing else."""

    collected_on: dt.date
    place: str


def collected_on(donation: Donation) -> dt.date:
    """The collection date as the establishment's staff would write it: in its time zone."""
    zone = zoneinfo.ZoneInfo(donation.establishment.effective_time_zone())
    return donation.collected_at.astimezone(zone).date()


def place_of(donation: Donation) -> str:
    """Where the donation was given: the drive's venue, else the collecting establishment."""
    if donation.drive is not None and donation.drive.venue:
        return donation.drive.venue
    return donation.establishment.display_name()


def counted_donations(donor_id: int) -> QuerySet[Donation]:
    """The donor's donations as the certificate counts them: complete collections only."""
    return Donation.objects.filter(COMPLETE, donor_id=donor_id)


def donation_count(donation: Donation) -> int:
    """How many donations the donor had made with this one: their complete collections up to
    it (one query on the donor-and-time index)."""
    return (
        counted_donations(donation.donor_id)
        .filter(
            Q(collected_at__lt=donation.collected_at)
            | Q(collected_at=donation.collected_at, pk__lte=donation.pk)
        )
        .count()
    )


def token_for(donation: Donation) -> str:
    """The signed token the certificate's QR code carries: the donation's public id only."""
    short = base64.urlsafe_b64encode(donation.uuid.bytes).decode().rstrip("=")
    return signing.Signer(salt=SALT).sign(short)


def verify(token: str) -> Verified:
    """The date and place of the certified donation; ``InvalidCertificate`` otherwise."""
    refused = InvalidCertificate(
        _("This certificate could not be verified: it was not issued by this service."),
        code="forged",
    )
    try:
        short = signing.Signer(salt=SALT).unsign(token.strip())
        key = uuid.UUID(bytes=base64.urlsafe_b64decode(short + "=="))
    except (signing.BadSignature, ValueError) as exc:
        raise refused from exc
    donation = (
        Donation.objects.filter(COMPLETE, uuid=key).select_related("drive", "establishment").first()
    )
    if donation is None:
        raise refused
    return Verified(collected_on(donation), place_of(donation))


def language_for(donation: Donation) -> str:
    """The donor's preferred language, else the reader's."""
    return donation.donor.preferred_language or translation.get_language() or "en"


def certificate_html(donation: Donation, *, verify_url: str) -> str:
    """The certificate as HTML, in the donor's language (``verify_url``: the public page's
    address for this donation, which the QR code carries)."""
    if not donation.is_complete:
        raise ValidationError(
            _("An incomplete collection is not a donation, so it has no certificate."),
            code="incomplete",
        )
    with translation.override(language_for(donation)):
        context: dict[str, Any] = {
            "donation": donation,
            "donor": donation.donor,
            "collected_on": collected_on(donation),
            "place": place_of(donation),
            "establishment": donation.establishment.display_name(),
            "count": donation_count(donation),
            "qr": qr_svg(verify_url, scale=3, label=_("Certificate verification QR code")),
            "verify_url": verify_url,
        }
        return render_to_string("collection/certificate.html", context)


def certificate_pdf(donation: Donation, *, verify_url: str) -> bytes:
    """The certificate as a PDF (WeasyPrint, self-contained: nothing fetched)."""
    return render_pdf(certificate_html(donation, verify_url=verify_url))

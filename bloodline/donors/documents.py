"""Checking an identity document before it is recorded: its number, and what the number says
about its holder against the date of birth and sex on the donor's record."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from bloodline.donors.models import NATIONAL_COUNTRY, DocumentKind
from bloodline.lib import national_ids

_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
_OTHER = re.compile(r"^[A-Z0-9\-/]{1,40}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_KINDS = frozenset(DocumentKind.values)  # built once: ``.values`` makes a new list per call

Errors = dict[str, list[str]]


def normalise_number(number: str) -> str:
    return "".join(number.split()).upper()


def check_document(
    kind: str,
    number: str,
    issuing_country: str,
    date_of_birth: dt.date | None,
    sex: str,
) -> Errors:
    """Problems with the document, each at its field (``kind``, ``number``, ``issuing_country``).

    ``number`` and ``issuing_country`` must already be normalised.
    """
    errors: Errors = {}
    if kind not in _KINDS:
        errors["kind"] = [_("Choose a kind of document from the list.")]
        return errors
    if kind in NATIONAL_COUNTRY:
        if issuing_country and issuing_country != NATIONAL_COUNTRY[DocumentKind(kind)]:
            errors["issuing_country"] = [_("This kind of document is issued by another country.")]
        try:
            facts = national_ids.read(kind, number)
        except national_ids.InvalidNationalId as exc:
            errors["number"] = [str(exc)]
        else:
            problems = national_ids.check_consistent(facts, date_of_birth, sex)
            if problems:
                errors["number"] = problems
        return errors
    if not _COUNTRY.match(issuing_country):
        errors["issuing_country"] = [
            _("Write the issuing country as its two-letter code, such as VN or CN.")
        ]
    if kind == DocumentKind.PASSPORT and not _PASSPORT.match(number):
        errors["number"] = [_("A passport number has 5 to 20 letters and digits.")]
    elif kind == DocumentKind.OTHER and not _OTHER.match(number):
        errors["number"] = [_("Enter the document number with letters and digits only.")]
    return errors

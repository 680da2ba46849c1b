"""Finding people in the registry: one definition for the pages and the API (decision 0041).

Two kinds of question, kept apart because they are answered by different indexes:

- **Exact lookups** (``by_identity_number``, ``by_phone``): one equality on a blind index
  (numbers and phones are encrypted, decision 0033), normalised the way the registry
  normalised them when they were stored. Each is one indexed query.
- **Name search** (``by_name``): a substring of the name's key (no case, accents or spaces).
  On PostgreSQL a trigram GIN index on the key answers it (migration 0006, ``pg_trgm``);
  on SQLite the same lookup runs as a scan, with the same answers.

``search`` is what a search box does with what people type: the exact lookups always (an
identity number may be letters only), the phone lookup when it reads as a phone, the name
search when it has no digit (names have none; numbers are not names). Merged duplicates and
erased people are never found.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from django.db.models import Q, QuerySet

from bloodline.donors import phones
from bloodline.donors.documents import normalise_number
from bloodline.donors.models import Donor, DonorQuerySet, IdentityDocument, number_index
from bloodline.donors.models import phone_index as phone_digest
from bloodline.donors.names import name_key

RESULT_LIMIT = 50
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-.()/]{6,}$")
_DIGIT = re.compile(r"\d")


def findable() -> DonorQuerySet:
    """Donors a search or a lookup may return: not merged into another record, not erased."""
    return Donor.objects.active().filter(erased_at__isnull=True)


def holders_of(number: str) -> QuerySet[IdentityDocument, Any]:
    """The ids of the donors holding an identity document with this number (as typed: it is
    normalised like the stored numbers), as a subquery: one probe of the number index."""
    digest = number_index(normalise_number(number))
    return IdentityDocument.objects.filter(number_index=digest).values("donor_id")


def by_identity_number(number: str, people: QuerySet[Donor] | None = None) -> QuerySet[Donor]:
    """Donors among ``people`` (default: every findable donor) holding this document number."""
    if not normalise_number(number):
        return Donor.objects.none()
    return (people if people is not None else findable()).filter(pk__in=holders_of(number))


def by_phone(phone: str, region: str, people: QuerySet[Donor] | None = None) -> QuerySet[Donor]:
    """Donors among ``people`` whose phone is this number, read in E.164 with ``region`` the
    country whose national numbers the person types. Raises ``phones.InvalidPhone`` when it
    cannot be read as a phone number. A phone may be shared (family members): several
    donors may answer."""
    e164 = phones.normalise(phone, region)
    if not e164:
        raise phones.InvalidPhone(phone)
    return (people if people is not None else findable()).filter(phone_index=phone_digest(e164))


def name_match(query: str) -> Q:
    """The condition of a name search: the query's key inside the name's key. Records
    bulk-loaded without their key are still found by their name as written (the ``name_key``
    index bounds those rows too). An empty key matches nothing."""
    key = name_key(query)
    if not key:
        return Q(pk__in=[])
    return Q(name_key__contains=key) | Q(name_key="", full_name__icontains=query.strip())


def by_name(query: str, people: QuerySet[Donor] | None = None) -> QuerySet[Donor]:
    """Donors among ``people`` whose name contains ``query`` (without case, accents or spaces)."""
    return (people if people is not None else findable()).filter(name_match(query))


def search(query: str, region: str = "") -> DonorQuerySet:
    """Donors for what was typed in a search box: identity number, phone or name (see the
    module's docstring), by name then id. The exact matches are read first (one probe of the
    number index), so the one query left combines conditions that each have an index: a
    ``pk IN (...)`` list, the phone's blind index and the name's trigram index."""
    query = query.strip()
    if not query:
        return Donor.objects.none()
    holders = list(holders_of(query).values_list("donor_id", flat=True)[:RESULT_LIMIT])
    match = Q(pk__in=holders)
    if _PHONE_LIKE.match(query):
        with contextlib.suppress(phones.InvalidPhone):
            match |= Q(phone_index=phone_digest(phones.normalise(query, region)))
    if not _DIGIT.search(query):
        match |= name_match(query)
    return findable().filter(match).select_related("affiliation").order_by("full_name", "pk")

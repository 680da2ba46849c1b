"""Looking people up in the registry by name, identity number or phone: one definition for
the pages and the API. Merged duplicates never appear."""

from __future__ import annotations

import contextlib
import re

from django.db.models import Q

from bloodline.donors import phones
from bloodline.donors.documents import normalise_number
from bloodline.donors.models import Donor, DonorQuerySet, number_index, phone_index
from bloodline.donors.names import name_key

RESULT_LIMIT = 50
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-.()/]{6,}$")


def search(query: str, region: str = "") -> DonorQuerySet:
    """Donors whose name contains ``query`` (without case, accents or spaces), or who hold an
    identity document with this number, or whose phone is this number. Numbers and phones
    are encrypted: each is found by one equality on its blind index (decision 0033). Erased
    donors are never found."""
    query = query.strip()
    found = Donor.objects.active().filter(erased_at__isnull=True)
    if not query:
        return found.none()
    number = normalise_number(query)
    match = Q(identity_documents__number_index=number_index(number))
    key = name_key(query)
    if key:
        # Records bulk-loaded without their key are still found by their name as written.
        match |= Q(name_key__contains=key) | Q(name_key="", full_name__icontains=query)
    if _PHONE_LIKE.match(query):
        with contextlib.suppress(phones.InvalidPhone):
            match |= Q(phone_index=phone_index(phones.normalise(query, region)))
    ids = found.filter(match).values("pk")
    return found.filter(pk__in=ids).select_related("affiliation").order_by("full_name", "pk")

"""Finding people who may already be on record.

Exact: the same identity document. Fuzzy: a similar name (without case, accents or spaces)
with the same date of birth, or the same phone together with a similar name or the same date
of birth. A phone alone is not enough: family members often share one. Names are compared in
Python on the few people who share a date of birth or a phone, so records written before the
name key existed are found as well.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bloodline.donors.access import in_registry
from bloodline.donors.models import Donor, IdentityDocument, number_index, phone_index
from bloodline.donors.names import name_key
from bloodline.organisations.models import Organisation

REASONS = {
    "identity_document": _("same identity document"),
    "name_and_date_of_birth": _("similar name and same date of birth"),
    "phone_and_name": _("same phone and similar name"),
    "phone_and_date_of_birth": _("same phone and same date of birth"),
}
CANDIDATE_LIMIT = 20


@dataclass(frozen=True)
class Candidate:
    donor: Donor
    reason: str  # a key of REASONS

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


def _reason(donor: Donor, key: str, date_of_birth: dt.date | None, same_phone: bool) -> str:
    same_name = bool(key) and name_key(donor.full_name) == key
    same_birth = date_of_birth is not None and donor.date_of_birth == date_of_birth
    if same_name and same_birth:
        return "name_and_date_of_birth"
    if same_phone and same_name:
        return "phone_and_name"
    if same_phone and same_birth:
        return "phone_and_date_of_birth"
    return ""


def find_candidates(
    *,
    full_name: str,
    date_of_birth: dt.date | None,
    phone: str = "",
    documents: list[tuple[str, str]] | None = None,
    exclude: Donor | None = None,
    registry: Organisation | None,
) -> list[Candidate]:
    """People who may be this person, most certain first. ``documents`` are (kind, number)
    pairs, numbers normalised; ``phone`` in E.164 or as stored. Only donors of ``registry``
    are compared (decision 0030: a registry is national, never global)."""
    people = in_registry(Donor.objects.active().filter(erased_at__isnull=True), registry)
    found: dict[int, Candidate] = {}
    pairs = Q(pk__in=[])
    for kind, number in documents or []:
        pairs |= Q(kind=kind, number_index=number_index(number))
    holders = IdentityDocument.objects.filter(pairs).values_list("donor_id", flat=True)
    exact = people.filter(pk__in=holders) if documents else Donor.objects.none()
    for donor in exact:
        found[donor.pk] = Candidate(donor, "identity_document")
    fuzzy = Q(pk__in=[])
    if date_of_birth is not None:
        fuzzy |= Q(date_of_birth=date_of_birth)
    digest = phone_index(phone)
    if digest:
        fuzzy |= Q(phone_index=digest)
    key = name_key(full_name)
    for donor in people.filter(fuzzy).order_by("pk")[:500]:
        if donor.pk in found:
            continue
        reason = _reason(donor, key, date_of_birth, bool(digest) and donor.phone_index == digest)
        if reason:
            found[donor.pk] = Candidate(donor, reason)
    if exclude is not None:
        found.pop(exclude.pk, None)
    return list(found.values())[:CANDIDATE_LIMIT]


def candidates_for(donor: Donor) -> list[Candidate]:
    """People who may be the same person as this donor."""
    documents = [(d.kind, d.number) for d in donor.identity_documents.all()]
    return find_candidates(
        full_name=donor.full_name,
        date_of_birth=donor.date_of_birth,
        phone=donor.phone,
        documents=documents,
        exclude=donor,
        registry=donor.registry,
    )

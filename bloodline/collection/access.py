"""Who may open a donation; built on organisations.access (decision 0025).

A donation is seen through the establishment that collected it. Every page and API endpoint
that names a donation by its DIN — the laboratory's sample, component processing, the DIN
labels — gets it here: 404 when the DIN is malformed, unknown or out of the person's sight,
403 when they see it but do not hold the permission the page needs.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from bloodline.collection.models import Donation, RegistryImport
from bloodline.lib import isbt128
from bloodline.organisations import access
from bloodline.organisations.access import AnyUser
from bloodline.organisations.kinds import ESTABLISHMENTS
from bloodline.organisations.models import OrganisationQuerySet
from bloodline.organisations.roles import Perm


def get_donation(
    user: AnyUser,
    din: str,
    *,
    perm: str,
    queryset: QuerySet[Donation] | None = None,
    with_flags: bool = False,
) -> Donation:
    """The donation with this DIN (as scanned, typed with its check character, or bare).

    ``with_flags`` also finds a donation stored with its flag characters after the 13
    (the label files are asked for by the DIN as printed)."""
    try:
        key = isbt128.parse(din).din
    except isbt128.DinError as exc:
        raise Http404 from exc
    lookup = {"din__startswith": key} if with_flags else {"din": key}
    found = queryset if queryset is not None else Donation.objects.all()
    return access.get_in_scope(user, found, perm=perm, via="establishment", **lookup)


def import_establishments(user: AnyUser) -> OrganisationQuerySet:
    """The establishments whose registry the person may import into (decision 0045): where
    they administer the establishment, manage donors and record donations. 403 for others."""
    found = access.organisations(user, Perm.CHANGE).filter(kind__in=sorted(ESTABLISHMENTS))
    allowed = [
        o.pk
        for o in found
        if access.has_perm(user, Perm.DONOR_MANAGE, o)
        and access.has_perm(user, Perm.DONATION_RECORD, o)
    ]
    if not allowed:
        raise PermissionDenied
    return found.filter(pk__in=allowed).order_by("name")


def get_registry_import(user: AnyUser, public_id: object) -> RegistryImport:
    """A registry import run: 404 outside the person's sight, 403 without the establishment's
    administration there."""
    return access.get_in_scope(
        user, RegistryImport.objects.all(), perm=Perm.CHANGE, via="establishment", uuid=public_id
    )

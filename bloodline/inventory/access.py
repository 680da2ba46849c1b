"""Who may open a unit, a storage location or a transfer; built on organisations.access
(decision 0025).

A unit (component) and a storage location are seen through the establishment that holds them,
a transfer through the establishment it goes to. The stock pages and the stock API get them
here, so both answer alike: 404 outside the person's sight, 403 when they see it but do not
hold the permission asked for.
"""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from bloodline.inventory.models import (
    Component,
    StorageLocation,
    SupplyLevelChange,
    SupplyPublication,
    SupplyShown,
    Transfer,
)
from bloodline.organisations import access
from bloodline.organisations.access import AnyUser
from bloodline.organisations.kinds import ESTABLISHMENTS
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

# What a unit's page and its API answer show, fetched with the unit.
UNIT_RELATED = (
    "donation__establishment",
    "establishment",
    "location",
    "created_by",
    "released_by",
    "stocked_by",
    "discarded_by",
    "issued_to",
)


def establishments(user: AnyUser, perm: str) -> list[Organisation]:
    """The active establishments where the person holds ``perm``, in tree order."""
    found = access.organisations(user, perm).filter(kind__in=sorted(ESTABLISHMENTS), is_active=True)
    return list(found.order_by("path"))


def get_component(
    user: AnyUser,
    public_id: uuid.UUID | str,
    *,
    perm: str = Perm.VIEW,
    queryset: QuerySet[Component] | None = None,
) -> Component:
    """The unit with this UUID, seen through the establishment holding it."""
    found = queryset if queryset is not None else Component.objects.select_related(*UNIT_RELATED)
    return access.get_in_scope(user, found, perm=perm, via="establishment", uuid=public_id)


def get_location(user: AnyUser, public_id: uuid.UUID | str, *, perm: str) -> StorageLocation:
    return access.get_in_scope(
        user, StorageLocation.objects.all(), perm=perm, via="establishment", uuid=public_id
    )


def get_transfer(user: AnyUser, public_id: uuid.UUID | str, *, perm: str = Perm.VIEW) -> Transfer:
    """A transfer, seen through the establishment it is sent to (the one that receives it)."""
    found = Transfer.objects.select_related("source", "destination")
    return access.get_in_scope(user, found, perm=perm, via="destination", uuid=public_id)


def published_establishments() -> QuerySet[Organisation]:
    """The establishments on the public supply page, for anyone, signed in or not (issue 15
    §2): active, with a supply level recorded, and not withdrawn from the page by their stock
    managers; in tree order. Each carries ``public_shows``, what the page shows of it."""
    recorded = SupplyLevelChange.objects.filter(establishment=OuterRef("pk"))
    chosen = SupplyPublication.objects.filter(establishment=OuterRef("pk")).values("shows")[:1]
    return (
        Organisation.objects.filter(kind__in=sorted(ESTABLISHMENTS), is_active=True)
        .filter(Exists(recorded))
        .annotate(public_shows=Coalesce(Subquery(chosen), Value(SupplyShown.LEVELS.value)))
        .exclude(public_shows=SupplyShown.NOTHING.value)
        .order_by("path")
    )


def published_establishment(public_id: uuid.UUID | str) -> Organisation:
    """One establishment of the public supply page; 404 for any other, as if it did not exist."""
    found = published_establishments().filter(uuid=public_id).first()
    if found is None:
        raise Http404
    return found

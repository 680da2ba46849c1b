"""The public supply figures as JSON under /api/v1/supply (issue 15 §2, decision 0061): no
sign-in; the same establishments and figures as the public page (``inventory.access``,
``inventory.public_supply``). Facts only: levels and component classes as codes, groups as
ABO and RhD; ``available`` is null unless the establishment chose to show counts."""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema

from bloodline.inventory import access as inventory_access
from bloodline.inventory import public_supply
from bloodline.organisations.models import Organisation

router = Router(tags=["public supply"])


class GroupOut(Schema):
    component_kind: str
    abo: str
    rhd: str
    group: str
    level: str  # green, pre_amber, amber or red
    available: int | None


class EstablishmentSupplyOut(Schema):
    uuid: UUID
    name: str
    shows: str  # levels or counts
    as_of: dt.datetime
    groups: list[GroupOut]


def _out(establishment: Organisation) -> EstablishmentSupplyOut:
    found = public_supply.status_of(establishment)
    return EstablishmentSupplyOut(
        uuid=establishment.uuid,
        name=establishment.display_name(),
        shows=found.shows,
        as_of=found.as_of,
        groups=[
            GroupOut(
                component_kind=g.component_kind,
                abo=g.abo,
                rhd=g.rhd,
                group=g.group,
                level=g.level,
                available=g.available,
            )
            for g in found.groups
        ],
    )


@router.get("", response=list[EstablishmentSupplyOut], auth=None, url_name="public_supply")
def supply_list(request: HttpRequest) -> list[EstablishmentSupplyOut]:
    """Every establishment that publishes its supply, in tree order."""
    return [_out(e) for e in inventory_access.published_establishments()]


@router.get("/{public_id}", response=EstablishmentSupplyOut, auth=None)
def supply_of(request: HttpRequest, public_id: UUID) -> EstablishmentSupplyOut:
    """One establishment; 404 for any that does not publish."""
    return _out(inventory_access.published_establishment(public_id))

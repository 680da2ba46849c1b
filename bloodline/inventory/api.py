"""Stock under /api/v1/stock: what an establishment holds, one unit, and the processing steps
(opened, thawed, washed, irradiated) recorded on it.

Scoped through inventory/access (on organisations/access) like the pages: 404 for an
establishment or unit outside the person's view, 403 where they can see it but may not look
at stock.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

from collections.abc import Callable
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from bloodline.accounts.models import User
from bloodline.inventory import access as inventory_access
from bloodline.inventory import actions, stock
from bloodline.inventory.models import Component, ProcessingEvent, StorageLocation
from bloodline.inventory.schemas import (
    ComponentOut,
    ExpiryBand,
    ProcessingIn,
    ProcessingOut,
    StockOut,
    StockRow,
    SupplyOut,
)
from bloodline.jurisdictions.labels import component_type
from bloodline.organisations import access
from bloodline.organisations.roles import Perm

router = Router(tags=["stock"])


def _bands(row: stock.Row) -> list[ExpiryBand]:
    limits: list[int | None] = [*stock.BUCKETS, None]
    return [
        ExpiryBand(up_to_days=limit, label=str(label), units=units)
        for limit, label, units in zip(limits, stock.BUCKET_LABELS, row.by_days, strict=True)
    ]


def _wanted(component_code: str, abo: str | None, rhd: str | None) -> Callable[..., bool]:
    def wanted(code: str | None, unit_abo: str, unit_rhd: str) -> bool:
        return (
            (not component_code or code is None or code == component_code)
            and (not abo or unit_abo == abo)
            and (not rhd or unit_rhd == rhd)
        )

    return wanted


@router.get("/", response=StockOut)
def get_stock(
    request: HttpRequest,
    establishment: UUID,
    component_code: str = "",
    abo: Literal["A", "B", "AB", "O"] | None = None,
    rhd: Literal["pos", "neg"] | None = None,
) -> dict[str, object]:
    """Available units (released, label checked, not reserved, unexpired now) by component
    type and ABO/RhD, split by days to expiry, with the units still in quarantine or waiting
    for their label; days of supply against the thresholds; units expiring within a day.
    The same figures as the stock page (inventory/stock.py), in a fixed number of queries."""
    holder = access.get_organisation(request.user, establishment, Perm.STOCK_VIEW)
    found = stock.summary(holder)
    wanted = _wanted(component_code, abo, rhd)
    rows = [r for r in found.rows if wanted(r.component_code, r.abo, r.rhd)]
    # A plain dict: the response schema resolves the expiring units from the models.
    return {
        "establishment": holder.uuid,
        "as_of": found.now,
        "total": sum(r.available for r in rows),
        "rows": [
            StockRow(
                component_kind=r.component_kind,
                component_code=r.component_code,
                component_name=component_type(r.component_code),
                abo=r.abo,
                rhd=r.rhd,
                group=r.group,
                available=r.available,
                expiring=_bands(r),
                quarantined=r.quarantined,
                awaiting_label=r.awaiting_label,
                held=r.held,
            )
            for r in rows
        ],
        # Days of supply are per component class, so a product filter does not apply.
        "supply": [
            SupplyOut(
                component_kind=s.component_kind,
                kind_name=s.kind_name,
                abo=s.abo,
                rhd=s.rhd,
                group=s.group,
                available=s.available,
                days=s.days,
                level=s.level,
            )
            for s in found.supply
            if wanted(None, s.abo, s.rhd)
        ],
        "expiring_soon": [u for u in found.expiring if wanted(u.component_code, u.abo, u.rhd)],
    }


@router.get("/units/{public_id}", response=ComponentOut)
def get_unit(request: HttpRequest, public_id: UUID) -> Component:
    """One unit: status, group, expiry, product code and division, DIN, location, version."""
    unit = inventory_access.get_component(request.user, public_id, perm=Perm.STOCK_VIEW)
    return unit


@router.post("/units/{public_id}/processing", response={201: ProcessingOut})
def record_processing(
    request: HttpRequest, public_id: UUID, payload: ProcessingIn
) -> Status[ProcessingEvent]:
    """Record that the unit was opened, thawed, washed or irradiated; its expiry becomes the
    earlier of the old one and the step plus the rule set's period. 422 with the reason when
    the rule set has no rule for the step on this type, the step was already done, or the
    unit is issued, unsafe, discarded or expired; nothing is written then."""
    unit = inventory_access.get_component(request.user, public_id)
    location = None
    if payload.location is not None:
        location = StorageLocation.objects.filter(
            uuid=payload.location, establishment=unit.establishment
        ).first()
        if location is None:
            raise ValidationError({"location": [_("Choose a location of this establishment.")]})
    user: User = request.user  # type: ignore[assignment]
    event = actions.record_processing(
        by=user,
        component=unit,
        kind=payload.kind,
        at=payload.at,
        location=location,
        version=payload.version,
    )
    return Status(201, ProcessingEvent.objects.select_related("component", "by").get(pk=event.pk))


@router.get("/units/{public_id}/processing", response=list[ProcessingOut])
def list_processing(request: HttpRequest, public_id: UUID) -> list[ProcessingEvent]:
    """The processing steps recorded on the unit, oldest first."""
    unit = inventory_access.get_component(request.user, public_id, perm=Perm.STOCK_VIEW)
    return list(unit.processing_events.select_related("component", "by"))

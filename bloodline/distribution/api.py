"""Hospital orders and their fulfilment under /api/v1/distribution.

A hospital places an order and reports receipt and outcomes; the establishment's desk
allocates, scans units into the shipment and dispatches it. Every write goes through
distribution.actions (locks, the release gate at issue, audit); scope comes from
distribution/access (on organisations/access), shared with the order pages: an order is
visible to those who can see its hospital or its supplier (404 otherwise), and usable by its
parties (403 for other people who see it).
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import uuid
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from bloodline.accounts.models import User
from bloodline.distribution import access as order_access
from bloodline.distribution import actions
from bloodline.distribution.models import (
    Allocation,
    ItemOutcome,
    Order,
    OrderLine,
    Shipment,
    ShipmentItem,
)
from bloodline.distribution.schemas import (
    DispatchIn,
    EmergencyReleaseIn,
    OrderIn,
    OrderOut,
    OutcomeIn,
    PickIn,
    ReceiveIn,
    ShipmentItemOut,
    ShipmentOut,
    VersionIn,
)
from bloodline.lib.pagination import BoundedPagination
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

router = Router(tags=["distribution"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# Lookups ------------------------------------------------------------------------------------


def _orders(qs: QuerySet[Order]) -> QuerySet[Order]:
    live = Allocation.objects.filter(cancelled_at__isnull=True).select_related(
        "component__donation"
    )
    return qs.select_related("hospital", "supplier").prefetch_related(
        Prefetch("lines", OrderLine.objects.order_by("pk")),
        Prefetch("lines__allocations", live),
    )


def _fresh(order: Order) -> Order:
    return _orders(Order.objects.all()).get(pk=order.pk)


def _order(user: access.AnyUser, public_id: str) -> Order:
    """The order with this UUID or order number: 404 unless the person can see its hospital
    or its supplier, 403 unless they place orders for the one or fulfil them at the other."""
    order, _sides = order_access.get_order(user, public_id)
    return order


def _shipment(order: Order) -> Shipment:
    allocation = Allocation.objects.filter(
        line__order=OuterRef("shipment__order"), component=OuterRef("component")
    ).order_by("-pk")
    items = (
        ShipmentItem.objects.select_related("component__donation")
        .annotate(
            allocation_conditions=Coalesce(Subquery(allocation.values("conditions")[:1]), Value(""))
        )
        .order_by("pk")
    )
    found = (
        Shipment.objects.select_related("order")
        .prefetch_related(Prefetch("items", items))
        .filter(order=order)
        .first()
    )
    if found is None:
        raise Http404
    return found


# Orders -------------------------------------------------------------------------------------


@router.get("/orders", response=list[OrderOut])
@paginate(BoundedPagination)
def list_orders(request: HttpRequest, status: str = "") -> QuerySet[Order]:
    """Orders of the person's hospitals, and orders addressed to their establishments' desks;
    newest first."""
    user = request.user
    qs = order_access.of_parties(user)
    if status:
        qs = qs.filter(status=status)
    return _orders(qs).order_by("-placed_at", "-pk")


def _supplier(public_id: uuid.UUID) -> Organisation:
    # The establishment supplying a hospital is usually outside the hospital's own view, so
    # it is looked up among all organisations; the action checks that it is a supplier.
    found = Organisation.objects.filter(uuid=public_id).first()
    if found is None:
        raise ValidationError({"supplier": [_("Choose a blood centre or blood station.")]})
    return found


@router.post("/orders", response={201: OrderOut})
def place_order(request: HttpRequest, payload: OrderIn) -> Status[Order]:
    """Place an order for a hospital. A ``needed_by`` without an offset is a wall-clock time
    at the hospital."""
    hospital = access.get_organisation(request.user, payload.hospital, Perm.ORDER_PLACE)
    needed_by = payload.needed_by
    if timezone.is_naive(needed_by):
        needed_by = timezone.make_aware(needed_by, ZoneInfo(hospital.effective_time_zone()))
    order = actions.place_order(
        by=_actor(request),
        hospital=hospital,
        supplier=_supplier(payload.supplier),
        urgency=payload.urgency,
        needed_by=needed_by,
        note=payload.note,
        lines=[actions.LineRequest(**line.dict()) for line in payload.lines],
    )
    return Status(201, _fresh(order))


@router.get("/orders/{public_id}", response=OrderOut)
def get_order(request: HttpRequest, public_id: str) -> Order:
    """One order by its UUID or its order number, with its lines and allocated units."""
    return _fresh(_order(request.user, public_id))


@router.post("/orders/{public_id}/allocate", response=OrderOut)
def allocate(request: HttpRequest, public_id: str, payload: VersionIn) -> Order:
    """Allocate the best compatible available units, first expiry first, to every open line."""
    order = _order(request.user, public_id)
    actions.allocate(by=_actor(request), order=order, version=payload.version)
    return _fresh(order)


@router.post("/orders/{public_id}/lines/{number}/emergency-release", response=OrderOut)
def emergency_release(
    request: HttpRequest, public_id: str, number: int, payload: EmergencyReleaseIn
) -> Order:
    """The hospital records the ordering clinician's emergency release of RhD-positive red
    cells for line ``number`` (1 = first) of a placed order, with the reason; the order
    becomes an emergency order. Refused (422) where it does not apply."""
    order = _order(request.user, public_id)
    lines = list(order.lines.all())
    if not 1 <= number <= len(lines):
        raise Http404
    actions.sign_emergency_release(
        by=_actor(request),
        line=lines[number - 1],
        clinician=payload.clinician,
        reason=payload.reason,
        version=payload.version,
    )
    return _fresh(order)


# Shipment -----------------------------------------------------------------------------------


@router.get("/orders/{public_id}/shipment", response=ShipmentOut)
def get_shipment(request: HttpRequest, public_id: str) -> Shipment:
    """The units scanned for the order, dispatch and receipt, and each unit's outcome."""
    return _shipment(_order(request.user, public_id))


@router.post("/orders/{public_id}/pick", response={201: ShipmentOut})
def pick(request: HttpRequest, public_id: str, payload: PickIn) -> Status[Shipment]:
    """Scan an allocated unit into the shipment (DIN bar code, then product bar code). The
    release gate is checked again: a unit that may not leave is refused and nothing is added."""
    order = _order(request.user, public_id)
    actions.pick(
        by=_actor(request),
        order=order,
        din_scan=payload.din_scan,
        product_scan=payload.product_scan,
    )
    return Status(201, _shipment(order))


@router.post("/orders/{public_id}/dispatch", response=ShipmentOut)
def dispatch(request: HttpRequest, public_id: str, payload: DispatchIn) -> Shipment:
    """Issue the scanned units, if the count packed equals the count scanned and every unit
    passes the gate again now."""
    order = _order(request.user, public_id)
    actions.dispatch(
        by=_actor(request), order=order, packed_count=payload.packed_count, version=payload.version
    )
    return _shipment(order)


@router.post("/orders/{public_id}/receive", response=ShipmentOut)
def receive(request: HttpRequest, public_id: str, payload: ReceiveIn) -> Shipment:
    """The hospital confirms the shipment arrived, with the count of units it received."""
    order = _order(request.user, public_id)
    actions.receive(by=_actor(request), order=order, received_count=payload.received_count)
    return _shipment(order)


@router.post("/shipment-items/{component_id}/outcome", response=ShipmentItemOut)
def report_outcome(
    request: HttpRequest, component_id: uuid.UUID, payload: OutcomeIn
) -> ShipmentItem:
    """What became of a unit at the hospital: transfused, returned (say whether the cold
    chain was kept) or discarded (say why). The unit is named by its component UUID; its
    shipment is the one it is in now (a unit returned earlier may have gone out again)."""
    item = order_access.get_shipped_item(request.user, component_id, outcome=ItemOutcome.RETURNED)
    actions.report_outcome(by=_actor(request), item=item, **payload.dict())
    return ShipmentItem.objects.select_related("component__donation").get(pk=item.pk)

"""Who may see and work on an order; built on organisations.access (decision 0025).

An order has two parties: the hospital that placed it (people who place orders there) and
the supplier's distribution desk (people who fulfil orders there). It is *seen* by everyone
who can see either organisation, and *worked on* only by its parties. The order pages and the
distribution API both get orders here:

- the API answers 404 to someone who sees neither organisation and 403 to someone who sees
  one but is no party (a laboratory technician at the supplier);
- the pages go one step further and answer 404 to anyone who is no party
  (``onlookers_see=False``), so an order's existence is shown only to the people it concerns.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from bloodline.distribution.models import Order, ShipmentItem
from bloodline.organisations import access
from bloodline.organisations.access import AnyUser
from bloodline.organisations.roles import Perm

# An order is seen through either party's organisation.
PARTIES = ("hospital", "supplier")


@dataclass(frozen=True)
class Sides:
    """Which party the person is for an order (both, for an active superuser)."""

    desk: bool  # the supplier's distribution desk
    hospital: bool  # the ordering hospital

    @property
    def party(self) -> bool:
        return self.desk or self.hospital


def sides(user: AnyUser, order: Order) -> Sides:
    return Sides(
        desk=access.has_perm(user, Perm.ORDER_FULFIL, order.supplier),
        hospital=access.has_perm(user, Perm.ORDER_PLACE, order.hospital),
    )


def places_orders(user: AnyUser) -> bool:
    return access.holds_anywhere(user, Perm.ORDER_PLACE)


def fulfils_orders(user: AnyUser) -> bool:
    return access.holds_anywhere(user, Perm.ORDER_FULFIL)


def placed(user: AnyUser, queryset: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """Orders of the hospitals where the person places orders."""
    found = queryset if queryset is not None else Order.objects.all()
    return access.in_scope(found, user, Perm.ORDER_PLACE, via="hospital")


def to_fulfil(user: AnyUser, queryset: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """Orders addressed to the desks where the person fulfils orders."""
    found = queryset if queryset is not None else Order.objects.all()
    return access.in_scope(found, user, Perm.ORDER_FULFIL, via="supplier")


def of_parties(user: AnyUser, queryset: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """Orders the person is a party to, on either side."""
    found = queryset if queryset is not None else Order.objects.all()
    if access.unbounded(user):
        return found
    hospitals = access.scope_paths(user, Perm.ORDER_PLACE)
    desks = access.scope_paths(user, Perm.ORDER_FULFIL)
    return found.filter(access.within("hospital", hospitals) | access.within("supplier", desks))


def _key(public_id: uuid.UUID | str) -> dict[str, Any]:
    """An order is named by its UUID or, in the API, by its order number."""
    if isinstance(public_id, uuid.UUID):
        return {"uuid": public_id}
    try:
        return {"uuid": uuid.UUID(public_id)}
    except ValueError:
        return {"number": public_id.strip().upper()}


def get_order(
    user: AnyUser,
    public_id: uuid.UUID | str,
    *,
    queryset: QuerySet[Order] | None = None,
    onlookers_see: bool = True,
) -> tuple[Order, Sides]:
    """The order with this UUID or number, and which party the person is.

    404 unless the person sees its hospital or its supplier; then 403 unless they are a
    party — or 404 again with ``onlookers_see=False``."""
    found = queryset if queryset is not None else Order.objects.all()
    order = access.get_in_scope(user, found, via=PARTIES, **_key(public_id))
    side = sides(user, order)
    if not side.party:
        raise PermissionDenied if onlookers_see else Http404
    return order, side


def get_shipped_item(user: AnyUser, component_id: uuid.UUID, **exclude: Any) -> ShipmentItem:
    """The shipment item a unit is in now (its latest one), seen through its order's parties'
    organisations; 404 otherwise. ``exclude`` leaves out items, e.g. returned ones."""
    found = (
        ShipmentItem.objects.select_related(
            "shipment__order__hospital", "shipment__order__supplier"
        )
        .filter(component__uuid=component_id)
        .exclude(**exclude)
        .order_by("-pk")
    )
    via = [f"shipment__order__{p}" for p in PARTIES]
    item = found.first()
    if item is None or not access.may(user, Perm.VIEW, item, via=via):
        raise Http404
    return item

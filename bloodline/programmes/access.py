"""Which plans a person may see and act on; built on organisations.access.

A plan is visible to people whose scope lies inside the plan's area (a commune committee sees
its district's plan, to allocate its share) and to people whose scope contains the area.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from bloodline.organisations import access as org_access
from bloodline.organisations.access import AnyUser
from bloodline.organisations.models import Organisation, path_pks, subtree_bounds
from bloodline.organisations.roles import Perm
from bloodline.programmes.models import Plan, PlanQuerySet


def plans(user: AnyUser) -> PlanQuerySet:
    if org_access.unbounded(user):
        return Plan.objects.all()
    paths = org_access.scope_paths(user, Perm.VIEW)
    if not paths:
        return Plan.objects.none()
    covering: set[int] = set()
    condition = Q()
    for path in paths:
        covering.update(path_pks(path))
        low, high = subtree_bounds(path)
        condition |= Q(area__path__gte=low, area__path__lt=high)
    return Plan.objects.filter(condition | Q(area_id__in=covering))


def get_plan(user: AnyUser, public_id: uuid.UUID | str) -> Plan:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    plan = plans(user).select_related("issuer", "area").filter(uuid=key).first()
    if plan is None:
        raise Http404
    return plan


def require_manage(user: AnyUser, plan: Plan) -> None:
    if not org_access.has_perm(user, Perm.PLAN_MANAGE, plan.issuer):
        raise PermissionDenied


def node_in_plan(user: AnyUser, plan: Plan, public_id: uuid.UUID | str, perm: str) -> Organisation:
    """An organisation inside the plan's area that the person may ``perm``."""
    node = org_access.get_organisation(user, public_id, perm)
    if not node.is_within(plan.area):
        raise Http404
    return node

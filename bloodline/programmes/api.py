"""Plans, rounds and targets under /api/v1/plans, scoped like the pages (progress: reports)."""
# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from bloodline.lib.api_schemas import OptionalPublicId, Patch, PublicId
from bloodline.organisations import access as org_access
from bloodline.organisations.roles import Perm
from bloodline.programmes import access, actions
from bloodline.programmes.models import Plan, Round, Target

router = Router(tags=["plans"])


class PlanOut(Schema):
    uuid: UUID
    number: str
    title: str
    issued_on: dt.date
    period_start: dt.date
    period_end: dt.date
    measure: str
    status: str
    issuer: PublicId
    area: PublicId
    base_volume_ml: int
    rule_set: str
    allow_over_allocation: bool
    supersedes: OptionalPublicId
    version: int


class PlanIn(Schema):
    issuer: UUID
    number: str = Field(max_length=60)
    issued_on: dt.date
    title: str = Field(max_length=300)
    period_start: dt.date
    period_end: dt.date
    measure: str
    total_target: Decimal
    allow_over_allocation: bool = False


class PlanPatch(Patch):
    version: int
    number: str | None = Field(default=None, max_length=60)
    issued_on: dt.date | None = None
    title: str | None = Field(default=None, max_length=300)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    measure: str | None = None
    allow_over_allocation: bool | None = None


class ReasonIn(Schema):
    reason: str = Field(default="", max_length=500)


class RoundOut(Schema):
    uuid: UUID
    name: str
    starts_on: dt.date
    ends_on: dt.date


class RoundIn(Schema):
    name: str = Field(max_length=120)
    starts_on: dt.date
    ends_on: dt.date


class TargetOut(Schema):
    organisation: UUID
    organisation_name: str
    amount: Decimal


class TargetsIn(Schema):
    parent: UUID
    round: UUID | None = None
    targets: dict[UUID, Decimal | None]


def _plan(request: HttpRequest, public_id: UUID) -> Plan:
    return access.get_plan(request.user, public_id)


def _round(plan: Plan, public_id: UUID | None) -> Round | None:
    if public_id is None:
        return None
    found = plan.rounds.filter(uuid=public_id).first()
    if found is None:
        raise Http404
    return found


@router.get("", response=list[PlanOut])
def list_plans(request: HttpRequest) -> Any:
    return access.plans(request.user).select_related("issuer", "area", "supersedes")


@router.post("", response={201: PlanOut})
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[Plan]:
    issuer = org_access.get_organisation(request.user, payload.issuer, Perm.PLAN_MANAGE)
    plan = actions.create_plan(
        by=request.user,  # type: ignore[arg-type]
        issuer=issuer,
        **payload.dict(exclude={"issuer"}),
    )
    return Status(201, plan)


@router.get("/{public_id}", response=PlanOut)
def get_plan(request: HttpRequest, public_id: UUID) -> Plan:
    return _plan(request, public_id)


@router.patch("/{public_id}", response=PlanOut)
def update_plan(request: HttpRequest, public_id: UUID, payload: PlanPatch) -> Plan:
    plan = _plan(request, public_id)
    return actions.update_plan(
        by=request.user,  # type: ignore[arg-type]
        plan=plan,
        version=payload.version,
        changes=payload.dict(exclude={"version"}, exclude_none=True),
    )


@router.post("/{public_id}/issue", response=PlanOut)
def issue_plan(request: HttpRequest, public_id: UUID) -> Plan:
    plan = _plan(request, public_id)
    access.require_manage(request.user, plan)
    return actions.issue_plan(by=request.user, plan=plan)  # type: ignore[arg-type]


@router.post("/{public_id}/close", response=PlanOut)
def close_plan(request: HttpRequest, public_id: UUID, payload: ReasonIn) -> Plan:
    plan = _plan(request, public_id)
    return actions.close_plan(by=request.user, plan=plan, reason=payload.reason)  # type: ignore[arg-type]


@router.post("/{public_id}/revise", response={201: PlanOut})
def revise_plan(request: HttpRequest, public_id: UUID, payload: ReasonIn) -> Status[Plan]:
    plan = _plan(request, public_id)
    revision = actions.revise_plan(by=request.user, plan=plan, reason=payload.reason)  # type: ignore[arg-type]
    return Status(201, revision)


@router.get("/{public_id}/rounds", response=list[RoundOut])
def list_rounds(request: HttpRequest, public_id: UUID) -> Any:
    return _plan(request, public_id).rounds.all()


@router.post("/{public_id}/rounds", response={201: RoundOut})
def add_round(request: HttpRequest, public_id: UUID, payload: RoundIn) -> Status[Round]:
    plan = _plan(request, public_id)
    new = actions.add_round(by=request.user, plan=plan, **payload.dict())  # type: ignore[arg-type]
    return Status(201, new)


@router.get("/{public_id}/targets", response=list[TargetOut])
def list_targets(
    request: HttpRequest, public_id: UUID, parent: UUID, round: UUID | None = None
) -> list[dict[str, Any]]:
    plan = _plan(request, public_id)
    node = access.node_in_plan(request.user, plan, parent, Perm.VIEW)
    found = Target.objects.filter(
        plan=plan, round=_round(plan, round), organisation__parent=node
    ).select_related("organisation")
    return [
        {
            "organisation": t.organisation.uuid,
            "organisation_name": t.organisation.display_name(),
            "amount": t.amount,
        }
        for t in found
    ]


@router.put("/{public_id}/targets", response=list[TargetOut])
def set_targets(request: HttpRequest, public_id: UUID, payload: TargetsIn) -> list[dict[str, Any]]:
    """Allocate the parent's target to its direct children; all rows or none."""
    plan = _plan(request, public_id)
    parent = access.node_in_plan(request.user, plan, payload.parent, Perm.TARGET_ALLOCATE)
    children = {c.uuid: c for c in parent.units()}
    unknown = [str(k) for k in payload.targets if k not in children]
    if unknown:
        raise ValidationError(
            {k: [_("This organisation is not directly under the parent.")] for k in unknown}
        )
    actions.set_targets(
        by=request.user,  # type: ignore[arg-type]
        plan=plan,
        parent=parent,
        round=_round(plan, payload.round),
        amounts={children[k]: v for k, v in payload.targets.items()},
    )
    return list_targets(request, public_id, payload.parent, payload.round)

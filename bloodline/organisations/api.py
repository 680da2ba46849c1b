"""Organisations and the signed-in person under /api/v1/, scoped exactly like the pages."""

# No "from __future__ import annotations": django-ninja reads these annotations at run time,
# also through decorators such as @paginate whose module cannot resolve postponed names.

import datetime as dt
from uuid import UUID

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from bloodline.accounts.actions import set_preferred_language
from bloodline.audit.models import AuditEvent
from bloodline.lib.api_schemas import Answer, Label, OptionalPublicId, Patch
from bloodline.lib.pagination import BoundedPagination
from bloodline.organisations import access, actions
from bloodline.organisations.models import Organisation, OrganisationQuerySet
from bloodline.organisations.roles import Perm

router = Router(tags=["organisations"])
me_router = Router(tags=["me"])


class OrganisationOut(Answer):
    uuid: UUID
    kind: str
    kind_label: Label = Field(validation_alias="get_kind_display")
    name: str
    display_name: str
    name_translations: dict[str, str]
    official_code: str
    parent: OptionalPublicId
    depth: int
    is_active: bool
    time_zone: str
    jurisdiction: str
    version: int


class OrganisationIn(Schema):
    parent: UUID
    kind: str
    name: str = Field(max_length=200)
    name_translations: dict[str, str] = Field(default_factory=dict)
    official_code: str = Field(default="", max_length=40)
    time_zone: str = Field(default="", max_length=64)
    jurisdiction: str = Field(default="", max_length=64)
    is_active: bool = True


class OrganisationPatch(Patch):
    version: int
    name: str | None = Field(default=None, max_length=200)
    name_translations: dict[str, str] | None = None
    official_code: str | None = Field(default=None, max_length=40)
    time_zone: str | None = Field(default=None, max_length=64)
    jurisdiction: str | None = Field(default=None, max_length=64)
    is_active: bool | None = None
    reason: str = Field(default="", max_length=500)


class MoveIn(Schema):
    new_parent: UUID
    reason: str = Field(default="", max_length=500)


class AuditEventOut(Schema):
    occurred_at: dt.datetime
    actor: str = Field(alias="actor_display")
    action: str
    changes: dict[str, list[object]]
    reason: str
    request_id: str


def _with_parent(qs: OrganisationQuerySet) -> OrganisationQuerySet:
    return qs.select_related("parent")


@router.get("", response=list[OrganisationOut])
@paginate(BoundedPagination)
def list_organisations(
    request: HttpRequest,
    parent: UUID | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> OrganisationQuerySet:
    """Organisations the signed-in person can see, optionally the children of one."""
    qs = _with_parent(access.organisations(request.user))
    if parent is not None:
        qs = qs.filter(parent=access.get_organisation(request.user, parent))
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("path")


@router.get("/{public_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, public_id: UUID) -> Organisation:
    return access.get_organisation(request.user, public_id)


@router.post("", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    parent = access.get_organisation(request.user, payload.parent, Perm.ADD_CHILD)
    org = actions.create_organisation(
        by=request.user,  # type: ignore[arg-type]
        parent=parent,
        **payload.dict(exclude={"parent"}),
    )
    return Status(201, _with_parent(Organisation.objects.all()).get(pk=org.pk))


@router.patch("/{public_id}", response=OrganisationOut)
def update_organisation(
    request: HttpRequest, public_id: UUID, payload: OrganisationPatch
) -> Organisation:
    org = access.get_organisation(request.user, public_id, Perm.CHANGE)
    changes = payload.dict(exclude={"version", "reason"}, exclude_none=True)
    actions.update_organisation(
        by=request.user,  # type: ignore[arg-type]
        organisation=org,
        version=payload.version,
        changes=changes,
        reason=payload.reason,
    )
    return _with_parent(Organisation.objects.all()).get(pk=org.pk)


@router.post("/{public_id}/move", response=OrganisationOut)
def move_organisation(request: HttpRequest, public_id: UUID, payload: MoveIn) -> Organisation:
    org = access.get_organisation(request.user, public_id)
    target = access.get_organisation(request.user, payload.new_parent, Perm.ADD_CHILD)
    actions.move_organisation(
        by=request.user,  # type: ignore[arg-type]
        organisation=org,
        new_parent=target,
        reason=payload.reason,
    )
    return _with_parent(Organisation.objects.all()).get(pk=org.pk)


@router.get("/{public_id}/history", response=list[AuditEventOut])
@paginate(BoundedPagination)
def organisation_history(request: HttpRequest, public_id: UUID) -> object:
    org = access.get_organisation(request.user, public_id, Perm.VIEW_AUDIT)
    return AuditEvent.objects.for_object("organisations.organisation", str(org.uuid))


class MembershipOut(Schema):
    organisation: UUID
    organisation_name: str
    role: str
    role_label: str
    valid_from: dt.date
    valid_to: dt.date | None


class MeOut(Schema):
    username: str
    full_name: str
    preferred_language: str
    memberships: list[MembershipOut]


class MePatch(Schema):
    preferred_language: str


def _me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        username=user.get_username(),
        full_name=getattr(user, "full_name", ""),
        preferred_language=getattr(user, "preferred_language", ""),
        memberships=[
            MembershipOut(
                organisation=g.membership.organisation.uuid,
                organisation_name=g.membership.organisation.display_name(),
                role=g.membership.role,
                role_label=str(g.membership.get_role_display()),
                valid_from=g.membership.valid_from,
                valid_to=g.membership.valid_to,
            )
            for g in access.grants(user)
        ],
    )


@me_router.get("", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    """The signed-in person and the roles they hold."""
    return _me(request)


@me_router.patch("", response=MeOut)
def update_me(request: HttpRequest, payload: MePatch) -> MeOut:
    user = get_object_or_404(get_user_model(), pk=request.user.pk)
    set_preferred_language(by=user, user=user, language=payload.preferred_language)
    request.user = user
    return _me(request)

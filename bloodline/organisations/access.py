"""The one place where scope is checked.

Every view and API endpoint gets organisation-scoped objects through these helpers. A person
may act at a node when one of their current memberships grants the permission at that node
or at an ancestor (for a steering committee: at the area it is attached to). Objects outside
everything the person can see answer 404, so their existence is not revealed; objects the
person can see but not change answer 403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from bloodline.accounts.models import User
from bloodline.organisations.models import Membership, Organisation, OrganisationQuerySet
from bloodline.organisations.roles import ROLE_PERMISSIONS, Perm

AnyUser = User | AnonymousUser


@dataclass(frozen=True)
class Grant:
    """One permission reach: a scope root path and the permissions held there."""

    path: str
    perms: frozenset[str]
    membership: Membership


def _is_superuser(user: AnyUser) -> bool:
    return bool(getattr(user, "is_superuser", False)) and user.is_active


def is_system(user: AnyUser) -> bool:
    """The system actor, allowed by name (decision 0024). It never signs in, so it only ever
    reaches an action through background or demo code that passed it on purpose."""
    return isinstance(user, User) and user.is_system


def unbounded(user: AnyUser) -> bool:
    """An active superuser or the system actor: no scope limits what they may do."""
    return _is_superuser(user) or is_system(user)


def grants(user: AnyUser) -> list[Grant]:
    """The person's current grants, computed once per request (cached on the user object)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[Grant] | None = user.__dict__.get("_bloodline_grants")
    if cached is not None:
        return cached
    memberships = (
        Membership.objects.current()
        .filter(user=user)
        .select_related("organisation", "organisation__parent")
    )
    result = [
        Grant(m.organisation.scope_root().path, ROLE_PERMISSIONS[m.role], m) for m in memberships
    ]
    user.__dict__["_bloodline_grants"] = result
    return result


def forget(user: AnyUser) -> None:
    """Drop the cached grants, after the person's memberships changed."""
    user.__dict__.pop("_bloodline_grants", None)


def scope_paths(user: AnyUser, perm: str) -> list[str]:
    return [g.path for g in grants(user) if perm in g.perms]


def has_perm(user: AnyUser, perm: str, organisation: Organisation) -> bool:
    if unbounded(user):
        return True
    return any(organisation.path.startswith(path) for path in scope_paths(user, perm))


def organisations(user: AnyUser, perm: str = Perm.VIEW) -> OrganisationQuerySet:
    """Every organisation where the person holds ``perm``."""
    if _is_superuser(user):
        return Organisation.objects.all()
    return Organisation.objects.within(scope_paths(user, perm))


def scope_roots(user: AnyUser, perm: str = Perm.VIEW) -> list[Organisation]:
    """The top nodes of the person's scope, without nodes already inside another one."""
    if _is_superuser(user):
        return list(Organisation.objects.filter(parent__isnull=True))
    found = {
        g.membership.organisation.scope_root().path: g for g in grants(user) if perm in g.perms
    }
    tops = [p for p in found if not any(p != o and p.startswith(o) for o in found)]
    return [found[p].membership.organisation.scope_root() for p in sorted(tops)]


def require(user: AnyUser, perm: str, organisation: Organisation) -> None:
    if not has_perm(user, perm, organisation):
        raise PermissionDenied


def get_organisation(
    user: AnyUser, public_id: uuid.UUID | str, perm: str = Perm.VIEW
) -> Organisation:
    """The organisation with this public id, if the person may ``perm`` it.

    404 when it does not exist or the person cannot even see it; 403 when the person can see
    it but not do ``perm`` there.
    """
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    organisation = Organisation.objects.select_related("parent").filter(uuid=key).first()
    if organisation is None or not has_perm(user, Perm.VIEW, organisation):
        raise Http404
    require(user, perm, organisation)
    return organisation

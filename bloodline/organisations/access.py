"""The one place where scope is checked (decision 0025).

Every view and API endpoint gets organisation-scoped objects through these verbs. A person
may act at a node when one of their current memberships grants the permission at that node
or at an ancestor (for a steering committee: at the area it is attached to). Objects outside
everything the person can see answer 404, so their existence is not revealed; objects the
person can see but not change answer 403.

The verbs every app uses:

- ``get_in_scope(user, queryset, perm=…, via=…, **lookup)``: one object, 404 / 403 as above;
- ``in_scope(queryset, user, perm, via=…)``: a queryset narrowed to the person's scope, seen
  through one or more organisation fields (an order is seen via its hospital OR its supplier);
- ``holds_anywhere(user, perm)``: whether the person holds ``perm`` anywhere (menus, lists).

Who has no limits at all is decided once, here: ``unbounded(user)``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.http import Http404

from bloodline.accounts.models import User
from bloodline.organisations.models import (
    SEGMENT,
    Membership,
    Organisation,
    OrganisationQuerySet,
    country_from_code,
    subtree_bounds,
)
from bloodline.organisations.roles import ROLE_PERMISSIONS, SECOND_FACTOR_PERMS, Perm

AnyUser = User | AnonymousUser
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Grant:
    """One permission reach: a scope root path and the permissions held there."""

    path: str
    perms: frozenset[str]
    membership: Membership
    country: str = ""  # the code of the country at the top of the tree (e.g. VN), if any


def is_system(user: AnyUser) -> bool:
    """The system actor, allowed by name (decision 0024). It never signs in, so it only ever
    reaches an action through background or demo code that passed it on purpose."""
    return isinstance(user, User) and user.is_system


def unbounded(user: AnyUser) -> bool:
    """An active superuser or the system actor: no scope limits what they may do.

    The only place that reads ``is_superuser``: an inactive superuser reaches nothing, like
    every inactive account (``grants`` is empty for them too)."""
    superuser = bool(getattr(user, "is_superuser", False)) and user.is_active
    return superuser or is_system(user)


def grants(user: AnyUser) -> list[Grant]:
    """The person's current grants, computed once per request (cached on the user object)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[Grant] | None = user.__dict__.get("_bloodline_grants")
    if cached is not None:
        return cached
    root = Organisation.objects.filter(path=Substr(OuterRef("organisation__path"), 1, SEGMENT))
    memberships = (
        Membership.objects.current()
        .filter(user=user)
        .select_related("organisation", "organisation__parent")
        # The country comes with the grants: a phone typed at a station needs it.
        .annotate(root_code=Subquery(root.values("official_code")[:1]))
    )
    result = [
        Grant(
            m.organisation.scope_root().path,
            ROLE_PERMISSIONS[m.role],
            m,
            country_from_code(m.root_code),  # type: ignore[attr-defined]
        )
        for m in memberships
    ]
    user.__dict__["_bloodline_grants"] = result
    return result


def needs_second_factor(user: AnyUser) -> bool:
    """Whether this person must confirm sign-in with a second factor: superusers and anyone
    holding a permission to release, verify or issue (``SECOND_FACTOR_PERMS``), which
    includes establishment administrators."""
    return unbounded(user) or any(g.perms & SECOND_FACTOR_PERMS for g in grants(user))


def forget(user: AnyUser) -> None:
    """Drop the cached grants, after the person's memberships changed."""
    user.__dict__.pop("_bloodline_grants", None)


def scope_paths(user: AnyUser, perm: str) -> list[str]:
    return [g.path for g in grants(user) if perm in g.perms]


def holds_anywhere(user: AnyUser, perm: str) -> bool:
    """Whether the person holds ``perm`` somewhere: for menus and list pages, which show a
    page only to people it opens for."""
    return unbounded(user) or bool(scope_paths(user, perm))


def has_perm(user: AnyUser, perm: str, organisation: Organisation) -> bool:
    if unbounded(user):
        return True
    return any(organisation.path.startswith(path) for path in scope_paths(user, perm))


def organisations(user: AnyUser, perm: str = Perm.VIEW) -> OrganisationQuerySet:
    """Every organisation where the person holds ``perm``."""
    if unbounded(user):
        return Organisation.objects.all()
    return Organisation.objects.within(scope_paths(user, perm))


def scope_roots(user: AnyUser, perm: str = Perm.VIEW) -> list[Organisation]:
    """The top nodes of the person's scope, without nodes already inside another one."""
    if unbounded(user):
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


# The verbs every app uses ------------------------------------------------------------------


Via = str | Sequence[str]


def _fields(via: Via) -> list[str]:
    fields = [via] if isinstance(via, str) else list(via)
    if not fields:
        raise ValueError("in_scope needs at least one organisation field")
    return fields


def within(field: str, paths: list[str]) -> Q:
    """Rows whose organisation at ``field`` lies inside any of the subtrees at ``paths``
    (``field`` "" for an organisation queryset itself). No paths match nothing."""
    prefix = f"{field}__" if field else ""
    condition = Q(pk__in=[])
    for path in paths:
        low, high = subtree_bounds(path)
        condition |= Q(**{f"{prefix}path__gte": low, f"{prefix}path__lt": high})
    return condition


def in_scope(
    queryset: QuerySet[M], user: AnyUser, perm: str = Perm.VIEW, *, via: Via = "establishment"
) -> QuerySet[M]:
    """``queryset`` narrowed to the rows the person holds ``perm`` for, through the
    organisation at ``via`` (a field path such as ``"establishment"`` or
    ``"sample__establishment"``), or through any of several fields (``via=("hospital",
    "supplier")``: a row counts when one of them is in scope)."""
    fields = _fields(via)
    if unbounded(user):
        return queryset
    paths = scope_paths(user, perm)
    if not paths:
        return queryset.none()
    condition = Q(pk__in=[])
    for field in fields:
        condition |= within(field, paths)
    return queryset.filter(condition)


def _organisation_at(obj: Model, field: str) -> Organisation | None:
    found: Any = obj
    for part in field.split("__") if field else []:
        found = getattr(found, part, None)
        if found is None:
            return None
    return found if isinstance(found, Organisation) else None


def may(user: AnyUser, perm: str, obj: Model, *, via: Via = "establishment") -> bool:
    """Whether the person holds ``perm`` at one of the object's organisations at ``via``."""
    if unbounded(user):
        return True
    found = (_organisation_at(obj, field) for field in _fields(via))
    return any(o is not None and has_perm(user, perm, o) for o in found)


def get_in_scope(
    user: AnyUser,
    queryset: QuerySet[M],
    *,
    perm: str = Perm.VIEW,
    via: Via = "establishment",
    **lookup: Any,
) -> M:
    """The one object of ``queryset`` matching ``lookup``.

    404 when it does not exist, the lookup is malformed (not a UUID, …) or the person cannot
    even see it through ``via`` (its existence is not revealed); 403 when they see it but do
    not hold ``perm`` there.
    """
    fields = _fields(via)
    related = [f for f in fields if f]
    try:
        found = in_scope(queryset, user, Perm.VIEW, via=fields).select_related(*related)
        obj = found.filter(**lookup).first()
    except (ValueError, ValidationError) as exc:
        raise Http404 from exc
    if obj is None:
        raise Http404
    if perm != Perm.VIEW and not may(user, perm, obj, via=fields):
        raise PermissionDenied
    return obj

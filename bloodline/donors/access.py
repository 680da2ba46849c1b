"""Who may use the donor registry (decision 0030).

A registry is national, never global: each donor belongs to one registry node (``registry``,
the country above the unit or establishment that registered them). A person sees a donor when
that node and one of the places where they hold DONOR_VIEW overlap (one lies inside the
other), and may change the record when the same holds for DONOR_MANAGE. A donor outside
every such place answers 404 (their existence is not revealed); a donor the person may read
but not change answers 403 on writes. The rule lives here and nowhere else; lists are
narrowed in the query (``visible``), never row by row.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from bloodline.donors.models import Donor, DonorQuerySet
from bloodline.organisations import access
from bloodline.organisations.access import AnyUser
from bloodline.organisations.models import SEGMENT, Organisation
from bloodline.organisations.roles import Perm


def can_view(user: AnyUser) -> bool:
    return access.holds_anywhere(user, Perm.DONOR_VIEW)


def can_manage(user: AnyUser) -> bool:
    return access.holds_anywhere(user, Perm.DONOR_MANAGE)


def require_view(user: AnyUser) -> None:
    if not can_view(user):
        raise PermissionDenied


def require_manage(user: AnyUser) -> None:
    if not can_manage(user):
        raise PermissionDenied


def overlapping(paths: list[str], field: str = "registry") -> Q:
    """Rows whose registry node at ``field`` overlaps one of the subtrees at ``paths``: the
    node lies inside a subtree, or a subtree lies inside the node (a station inside the
    country whose national registry it uses). No paths match nothing."""
    above = sorted({p[:end] for p in paths for end in range(SEGMENT, len(p) + 1, SEGMENT)})
    return access.within(field, paths) | Q(**{f"{field}__path__in": above})


def visible(
    queryset: QuerySet[Donor], user: AnyUser, perm: str = Perm.DONOR_VIEW, field: str = "registry"
) -> QuerySet[Donor]:
    """``queryset`` narrowed, in one query, to the donors whose registry the person reaches
    with ``perm`` (``field`` the registry's path from the queryset's model)."""
    if access.unbounded(user):
        return queryset
    paths = access.scope_paths(user, perm)
    if not paths:
        return queryset.none()
    return queryset.filter(overlapping(paths, field))


def may(user: AnyUser, perm: str, donor: Donor) -> bool:
    """Whether the person holds ``perm`` over this donor's registry."""
    if access.unbounded(user):
        return True
    node = donor.registry
    if node is None:
        return False
    return any(
        node.path.startswith(p) or p.startswith(node.path) for p in access.scope_paths(user, perm)
    )


def require_donor(user: AnyUser, donor: Donor, perm: str = Perm.DONOR_MANAGE) -> None:
    """Actions re-check scope: the person holds ``perm`` over this donor's registry."""
    if not may(user, perm, donor):
        raise PermissionDenied


def get_donor(
    user: AnyUser, public_id: uuid.UUID | str, manage: bool = False, perm: str = ""
) -> Donor:
    """The donor with this public id: 404 when it does not exist or lies outside every
    registry the person may read, 403 when they may read it but not ``manage`` it (or not
    hold ``perm``, e.g. TRACE_VIEW, over its registry)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    found = Donor.objects.select_related("merged_into", "affiliation", "registry")
    donor = visible(found, user).filter(uuid=key).first()
    if donor is None:
        raise Http404
    if manage and not may(user, Perm.DONOR_MANAGE, donor):
        raise PermissionDenied
    if perm and not may(user, perm, donor):
        raise PermissionDenied
    return donor


def registry_for(organisation: Organisation | None) -> Organisation | None:
    """The registry node of a donor registered by or at ``organisation``: the country at the
    top of its tree (registries are national, decision 0030)."""
    if organisation is None:
        return None
    if organisation.parent_id is None:
        return organisation
    return Organisation.objects.filter(path=organisation.path[:SEGMENT]).first()


def registry_of_user(user: AnyUser) -> Organisation | None:
    """The registry a donor added by this person joins: the country at the top of the first
    place where they manage donors."""
    roots = access.scope_roots(user, Perm.DONOR_MANAGE)
    return registry_for(roots[0]) if roots else None


def in_registry(queryset: DonorQuerySet, registry: Organisation | None) -> DonorQuerySet:
    """Donors of one registry (matching at drives and stations stays inside it)."""
    if registry is None:
        return queryset.none()
    return queryset.filter(overlapping([registry.path]))


def default_region(user: AnyUser) -> str:
    """The country whose national phone numbers the person types: the country at the top of
    the tree where they manage donors (its official code, e.g. VN)."""
    for perm in (Perm.DONOR_MANAGE, Perm.DONOR_VIEW):
        for grant in access.grants(user):
            if perm in grant.perms:
                return grant.country
    return ""

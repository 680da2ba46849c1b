"""Who may use the donor registry.

The registry is national: a person holding DONOR_VIEW (to read) or DONOR_MANAGE (to write)
at any organisation may look up any donor, wherever they registered. Everyone else gets 403,
and a donor's id answers 404 to someone who may not read the registry, so its existence is
not revealed.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from bloodline.donors.models import Donor
from bloodline.organisations import access
from bloodline.organisations.access import AnyUser
from bloodline.organisations.models import root_country_code
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


def get_donor(user: AnyUser, public_id: uuid.UUID | str, manage: bool = False) -> Donor:
    """The donor with this public id: 404 when it does not exist or the person may not read
    the registry, 403 when they may read but ``manage`` is asked and they may not write."""
    if not can_view(user):
        raise Http404
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    donor = Donor.objects.select_related("merged_into", "affiliation").filter(uuid=key).first()
    if donor is None:
        raise Http404
    if manage:
        require_manage(user)
    return donor


def default_region(user: AnyUser) -> str:
    """The country whose national phone numbers the person types: the country at the top of
    the tree where they manage donors (its official code, e.g. VN)."""
    paths = access.scope_paths(user, Perm.DONOR_MANAGE) or access.scope_paths(user, Perm.DONOR_VIEW)
    if not paths:
        return ""
    return root_country_code(paths[0])

"""Which organisations a blood establishment serves.

An establishment collects in the administrative area it hangs under: a provincial blood
centre (or its fixed collection point, or a hospital blood bank of a provincial hospital)
serves the province, a district blood station its district. That area's subtree is where its
drives may be hosted and which units may ask it for a drive.
"""

from __future__ import annotations

from django.db.models import Q

from bloodline.organisations.kinds import AREAS, ESTABLISHMENTS
from bloodline.organisations.models import (
    SEGMENT,
    Organisation,
    OrganisationQuerySet,
    subtree_bounds,
)


def service_area(establishment: Organisation) -> Organisation:
    """The nearest administrative area above (or at) the establishment."""
    if establishment.kind in AREAS:
        return establishment
    areas = Organisation.objects.ancestors_of(establishment).filter(kind__in=sorted(AREAS))
    nearest = areas.order_by("-depth").first()
    return nearest or establishment


def served_by(establishment: Organisation) -> OrganisationQuerySet:
    """Every active organisation in the establishment's service area."""
    return Organisation.objects.subtree(service_area(establishment)).filter(is_active=True)


def serves(establishment: Organisation, organisation: Organisation) -> bool:
    return organisation.is_within(service_area(establishment))


def establishments_serving(roots: list[Organisation]) -> list[Organisation]:
    """Active establishments that serve any of ``roots`` or something inside them.

    Candidates are the establishments inside the roots' countries; each is kept if its service
    area contains a root or lies inside one. Two queries whatever the number of candidates.
    """
    if not roots:
        return []
    condition = Q()
    for country_path in {root.path[:SEGMENT] for root in roots}:
        low, high = subtree_bounds(country_path)
        condition |= Q(path__gte=low, path__lt=high)
    candidates = list(
        Organisation.objects.filter(condition, kind__in=sorted(ESTABLISHMENTS), is_active=True)
    )
    area_pks = {pk for c in candidates for pk in c.ancestor_pks()}
    areas = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=area_pks, kind__in=sorted(AREAS)).only(
            "pk", "path", "depth"
        )
    }
    found = []
    for candidate in candidates:
        near = [areas[pk] for pk in candidate.ancestor_pks() if pk in areas]
        area = max(near, key=lambda a: a.depth) if near else candidate
        if any(root.is_within(area) or area.is_within(root) for root in roots):
            found.append(candidate)
    return sorted(found, key=lambda o: o.path)

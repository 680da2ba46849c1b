"""What the public supply page, its widget and its JSON show (issue 15 §2, decision 0061):
for each establishment that publishes, the level of each component class and group it holds
or issued in the window, and the units available only where the establishment chose to show
counts. Read through ``inventory.access.published_establishments``; a minute's cache per
establishment keeps a busy public page from recounting stock on every visit (the levels
themselves are recomputed every quarter of an hour by the supply check).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.inventory import supply
from bloodline.inventory.models import SupplyPublication, SupplyShown
from bloodline.lib.blood_groups import blood_group
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

CACHE_SECONDS = 60
DEFAULT_SHOWN = SupplyShown.LEVELS


@dataclass(frozen=True)
class PublicGroup:
    """One class and group as the public sees it."""

    component_kind: str
    abo: str
    rhd: str
    level: str
    available: int | None  # None unless the establishment shows counts

    @property
    def group(self) -> str:
        return blood_group(self.abo, self.rhd)


@dataclass(frozen=True)
class PublicSupply:
    shows: str
    as_of: dt.datetime
    groups: tuple[PublicGroup, ...]


def shown(establishment: Organisation) -> str:
    """What the public page shows of the establishment (levels only unless it chose)."""
    found = SupplyPublication.objects.filter(establishment=establishment).first()
    return found.shows if found is not None else DEFAULT_SHOWN


def _cache_key(establishment: Organisation) -> str:
    return f"public-supply:{establishment.pk}"  # dropped by supply.forget_public


def status(establishment: Organisation, shows: str, now: dt.datetime | None = None) -> PublicSupply:
    """The establishment's public supply: only classes and groups with a level (a rule set
    without levels publishes nothing rather than a silent green)."""
    key = _cache_key(establishment)
    cached = cache.get(key) if now is None else None
    if isinstance(cached, PublicSupply) and cached.shows == shows:
        return cached
    at = now or timezone.now()
    groups = tuple(
        PublicGroup(
            component_kind=s.component_kind,
            abo=s.abo,
            rhd=s.rhd,
            level=s.level,
            available=s.available if shows == SupplyShown.COUNTS else None,
        )
        for s in supply.statuses(establishment, at)
        if s.level
    )
    found = PublicSupply(shows=shows, as_of=at, groups=groups)
    if now is None:
        cache.set(key, found, CACHE_SECONDS)
    return found


def status_of(establishment: Organisation) -> PublicSupply:
    """``status`` with the establishment's own choice: read from ``public_shows`` when it came
    through ``inventory.access.published_establishments``, else from its setting."""
    shows = getattr(establishment, "public_shows", None) or shown(establishment)
    return status(establishment, shows)


@transaction.atomic
def set_shown(*, by: User, establishment: Organisation, shows: str) -> SupplyPublication:
    """A stock manager of the establishment chooses what the public page shows; audited."""
    access.require(by, Perm.STOCK_MANAGE, establishment)
    if shows not in SupplyShown.values:
        raise ValidationError({"shows": [_("Choose what the public page shows.")]})
    before = shown(establishment)
    publication, _created = SupplyPublication.objects.update_or_create(
        establishment=establishment,
        defaults={"shows": shows, "set_by": by, "set_at": timezone.now()},
    )
    if before != shows:
        record(
            by=by,
            action="stock.supply_publication_set",
            obj=publication,
            changes={"shows": [before, shows]},
        )
    supply.forget_public(establishment)
    return publication

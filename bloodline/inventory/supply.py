"""Supply status (issue 15 §1, decision 0060): for each component class and ABO/RhD group of
an establishment, days of supply = units available ÷ average daily issues over the rule set's
window, and the level (green, pre-amber, amber, red) the rule set's bounds give it
(supply.md §1). Level changes are recorded with their figures (``SupplyLevelChange``) by the
supply check, a recurring job; a person may set a level for a while, with a reason (audited).

``statuses`` runs a fixed number of queries per establishment however many units there are:
one grouped count of available units, one of units issued in the window, one read of the
levels in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.inventory.actions import zone
from bloodline.inventory.models import Component, SupplyCause, SupplyLevel, SupplyLevelChange
from bloodline.inventory.status import Status
from bloodline.jurisdictions.loader import registry
from bloodline.jurisdictions.schema import Supply
from bloodline.lib.blood_groups import blood_group, group_order
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

SUPPLY_CHECK = "supply_check"
# How often levels are recomputed and changes recorded: issues and releases move stock by a
# few units an hour, so a quarter of an hour is close enough (the stock page computes live).
CHECK_EVERY = dt.timedelta(minutes=15)
# The longest a person's setting may last before the computed level takes over again.
OVERRIDE_MAX = dt.timedelta(days=14)

Key = tuple[str, str, str]  # component class, ABO, RhD


@dataclass(frozen=True)
class GroupSupply:
    """The supply of one component class and group now."""

    component_kind: str
    abo: str
    rhd: str
    available: int
    issued: int  # units issued in the window
    window_days: int
    # The computed level: "" when the rule set has no levels for the class, or when nothing
    # was issued in the window and nothing is on the shelf (no demand, no supply: no level).
    computed: str
    # A person's setting in force (the newest change, if it is an override not yet over).
    override: SupplyLevelChange | None = None

    @property
    def key(self) -> Key:
        return (self.component_kind, self.abo, self.rhd)

    @property
    def group(self) -> str:
        return blood_group(self.abo, self.rhd)

    @property
    def daily_issues(self) -> Decimal:
        """Average units issued per day over the window, to a hundredth."""
        return (Decimal(self.issued) / self.window_days).quantize(Decimal("0.01"))

    @property
    def days(self) -> Decimal | None:
        """Days of supply, to a tenth, rounded down (a shortage shows no later than it
        should); None when nothing was issued in the window (supply lasts indefinitely)."""
        return days_of_supply(self.available, self.issued, self.window_days)

    @property
    def level(self) -> str:
        return self.override.level if self.override is not None else self.computed


def forget_public(establishment: Organisation) -> None:
    """Drop the public supply page's cached figures of the establishment (``public_supply``),
    once the transaction that changed them commits."""
    key = f"public-supply:{establishment.pk}"
    transaction.on_commit(lambda: cache.delete(key))


def days_of_supply(available: int, issued: int, window_days: int) -> Decimal | None:
    if issued == 0:
        return None
    return (Decimal(available) * window_days / issued).quantize(Decimal("0.1"), ROUND_DOWN)


def rules_of(establishment: Organisation, now: dt.datetime) -> Supply | None:
    """The supply rules in force for the establishment today (its time zone)."""
    day = timezone.localtime(now, zone(establishment)).date()
    return registry.get(establishment.jurisdiction, day).supply


def computed_level(rules: Supply | None, kind: str, available: int, issued: int) -> str:
    levels = rules.levels_of(kind) if rules is not None else None
    if levels is None or rules is None:
        return ""
    days = days_of_supply(available, issued, rules.window.value)
    if days is None:
        return SupplyLevel.GREEN if available else ""
    return levels.level(float(days))


def statuses(establishment: Organisation, now: dt.datetime | None = None) -> list[GroupSupply]:
    """The supply of every class and group the establishment holds or issued in the window,
    in class and group order."""
    now = now or timezone.now()
    rules = rules_of(establishment, now)
    window = int(rules.window.value) if rules is not None else 0
    available = {
        (r["component_kind"], r["abo"], r["rhd"]): r["n"]
        for r in Component.objects.filter(
            establishment=establishment, status=Status.AVAILABLE, expires_at__gt=now
        )
        .exclude(abo="")
        .values("component_kind", "abo", "rhd")
        .annotate(n=Count("pk"))
    }
    issued: dict[Key, int] = {}
    if window:
        issued = {
            (r["component_kind"], r["abo"], r["rhd"]): r["n"]
            for r in Component.objects.filter(
                establishment=establishment,
                issued_at__gt=now - dt.timedelta(days=window),
                issued_at__lte=now,
            )
            .exclude(abo="")
            .values("component_kind", "abo", "rhd")
            .annotate(n=Count("pk"))
        }
    overrides = {
        (c.component_kind, c.abo, c.rhd): c
        for c in latest_changes(establishment)
        if c.cause == SupplyCause.OVERRIDE and c.until is not None and c.until > now
    }
    keys = sorted(set(available) | set(issued), key=lambda k: (k[0], group_order(k[1], k[2])))
    return [
        GroupSupply(
            component_kind=key[0],
            abo=key[1],
            rhd=key[2],
            available=available.get(key, 0),
            issued=issued.get(key, 0),
            window_days=window,
            computed=computed_level(rules, key[0], available.get(key, 0), issued.get(key, 0)),
            override=overrides.get(key),
        )
        for key in keys
    ]


def latest_changes(establishment: Organisation) -> list[SupplyLevelChange]:
    """The newest recorded change of each class and group at the establishment."""
    newest = SupplyLevelChange.objects.filter(
        establishment=establishment,
        component_kind=OuterRef("component_kind"),
        abo=OuterRef("abo"),
        rhd=OuterRef("rhd"),
    ).order_by("-at", "-pk")
    return list(
        SupplyLevelChange.objects.filter(establishment=establishment).filter(
            pk=Subquery(newest.values("pk")[:1])
        )
    )


def check(establishment: Organisation, now: dt.datetime | None = None) -> list[SupplyLevelChange]:
    """Record each class and group whose level differs from the last recorded one (and end
    settings whose time is over). Returns the rows written."""
    now = now or timezone.now()
    with transaction.atomic():
        # One check at a time per establishment: two workers never record one change twice.
        Organisation.objects.select_for_update().filter(pk=establishment.pk).first()
        last = {(c.component_kind, c.abo, c.rhd): c for c in latest_changes(establishment)}
        made = []
        for status in statuses(establishment, now):
            if not status.computed:
                continue
            previous = last.get(status.key)
            if status.override is not None:
                continue  # a person's setting holds until its end
            ended = previous is not None and previous.cause == SupplyCause.OVERRIDE
            if previous is not None and previous.level == status.computed and not ended:
                continue
            made.append(
                SupplyLevelChange(
                    establishment=establishment,
                    component_kind=status.component_kind,
                    abo=status.abo,
                    rhd=status.rhd,
                    level=status.computed,
                    at=now,
                    cause=SupplyCause.OVERRIDE_ENDED if ended else SupplyCause.COMPUTED,
                    available=status.available,
                    issued=status.issued,
                    window_days=status.window_days,
                    days=status.days,
                )
            )
        return SupplyLevelChange.objects.bulk_create(made)


def check_all(now: dt.datetime | None = None) -> dict[str, object]:
    """The recurring supply check over every blood establishment."""
    from bloodline.organisations.kinds import ESTABLISHMENTS

    written = 0
    for establishment in Organisation.objects.filter(kind__in=ESTABLISHMENTS, is_active=True):
        written += len(check(establishment, now))
    return {"changes": written}


@transaction.atomic
def override(
    *,
    by: User,
    establishment: Organisation,
    component_kind: str,
    abo: str,
    rhd: str,
    level: str,
    reason: str,
    until: dt.datetime,
    now: dt.datetime | None = None,
) -> SupplyLevelChange:
    """A person who manages the establishment's stock sets the level of a class and group
    until ``until`` (at most 14 days), with a reason; audited. The supply check records the
    computed level again once it ends."""
    access.require(by, Perm.STOCK_MANAGE, establishment)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if level not in SupplyLevel.values:
        errors["level"] = [_("Choose one of the levels.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for setting the level by hand.")]
    if until <= now:
        errors["until"] = [_("The end must be in the future.")]
    elif until - now > OVERRIDE_MAX:
        errors["until"] = [_("A level set by hand lasts at most 14 days.")]
    known = {s.key: s for s in statuses(establishment, now)}
    status = known.get((component_kind, abo, rhd))
    if status is None:
        errors["abo"] = [_("This establishment holds and issues no such units.")]
    if errors:
        raise ValidationError(errors)
    assert status is not None
    change = SupplyLevelChange.objects.create(
        establishment=establishment,
        component_kind=component_kind,
        abo=abo,
        rhd=rhd,
        level=level,
        at=now,
        cause=SupplyCause.OVERRIDE,
        available=status.available,
        issued=status.issued,
        window_days=status.window_days,
        days=status.days,
        by=by,
        reason=reason.strip(),
        until=until,
    )
    record(
        by=by,
        action="stock.supply_level_set",
        obj=change,
        changes={"level": [status.level, level], "until": [None, until.isoformat()]},
        reason=reason.strip(),
    )
    forget_public(establishment)
    return change


@dataclass(frozen=True)
class Segment:
    level: str
    start: float  # share of the chart's width, 0–1
    width: float


@dataclass(frozen=True)
class Timeline:
    """The recorded level of one class and group over the last ``days`` days: the 30-day
    chart of the supply page (its data table is the list of changes)."""

    component_kind: str
    abo: str
    rhd: str
    segments: list[Segment]

    @property
    def group(self) -> str:
        return blood_group(self.abo, self.rhd)


def timelines(establishment: Organisation, now: dt.datetime, days: int = 30) -> list[Timeline]:
    """Per class and group with a recorded level, the levels in force across the window,
    from the last change before it and the changes within it (two queries)."""
    start = now - dt.timedelta(days=days)
    span = (now - start).total_seconds()
    before = SupplyLevelChange.objects.filter(
        establishment=establishment,
        component_kind=OuterRef("component_kind"),
        abo=OuterRef("abo"),
        rhd=OuterRef("rhd"),
        at__lt=start,
    ).order_by("-at", "-pk")
    rows = list(
        SupplyLevelChange.objects.filter(establishment=establishment, at__lt=start)
        .filter(pk=Subquery(before.values("pk")[:1]))
        .order_by("at", "pk")
    ) + list(
        SupplyLevelChange.objects.filter(
            establishment=establishment, at__gte=start, at__lte=now
        ).order_by("at", "pk")
    )
    by_key: dict[Key, list[tuple[dt.datetime, str]]] = {}
    for row in rows:
        by_key.setdefault((row.component_kind, row.abo, row.rhd), []).append(
            (max(row.at, start), row.level)
        )
    found = []
    for key in sorted(by_key, key=lambda k: (k[0], group_order(k[1], k[2]))):
        points = by_key[key]
        segments = []
        for (at, level), following in zip(points, [*points[1:], (now, "")], strict=True):
            width = (following[0] - at).total_seconds() / span
            if width > 0:
                segments.append(Segment(level, (at - start).total_seconds() / span, width))
        found.append(Timeline(*key, segments))
    return found

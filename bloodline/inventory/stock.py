"""What is on the shelf: counts of units by component type and group, split by days to
expiry, and days of supply against the establishment's thresholds.

``summary`` runs a fixed number of queries however many units there are (one grouped count,
one read of the thresholds, one short list of units about to expire and, when any unit is on
look-back hold, one short list of those); the rest is arithmetic on those rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bloodline.inventory import actions
from bloodline.inventory.models import Component, StockThreshold, StorageLocation
from bloodline.inventory.status import Status
from bloodline.jurisdictions.labels import component_kind
from bloodline.lib.blood_groups import blood_group, group_order
from bloodline.organisations.models import Organisation

# Upper bounds (days to expiry) of the columns of the stock table; the last is open.
BUCKETS = (1, 3, 7)
BUCKET_LABELS = (_("≤ 1 day"), _("2–3 days"), _("4–7 days"), _("> 7 days"))
EXPIRING_WITHIN = dt.timedelta(hours=24)
EXPIRING_LIMIT = 200
LIVE = (Status.QUARANTINED, Status.RELEASED, Status.AVAILABLE, Status.RESERVED, Status.HELD)


class Level:
    OK = "ok"
    SHORTAGE = "shortage"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Row:
    """Units of one component type and group."""

    component_kind: str
    component_code: str
    abo: str
    rhd: str
    by_days: tuple[int, ...]  # available units per BUCKETS column
    quarantined: int
    awaiting_label: int
    held: int  # on look-back hold (decision 0016)

    @property
    def available(self) -> int:
        return sum(self.by_days)

    @property
    def group(self) -> str:
        return blood_group(self.abo, self.rhd)


@dataclass(frozen=True)
class Supply:
    """Days of supply of one component class and group against its threshold."""

    component_kind: str
    abo: str
    rhd: str
    available: int
    threshold: StockThreshold | None

    @property
    def group(self) -> str:
        return blood_group(self.abo, self.rhd)

    @property
    def kind_name(self) -> str:
        return component_kind(self.component_kind)

    @property
    def days(self) -> Decimal | None:
        if self.threshold is None:
            return None
        return days_of_supply(self.available, self.threshold.daily_use)

    @property
    def level(self) -> str:
        if self.threshold is None:
            return ""
        return level(self.days, self.threshold.minimum_days, self.threshold.critical_days)


@dataclass
class Summary:
    establishment: Organisation
    now: dt.datetime
    rows: list[Row] = field(default_factory=list)
    supply: list[Supply] = field(default_factory=list)
    expiring: list[Component] = field(default_factory=list)
    on_hold: list[Component] = field(default_factory=list)

    @property
    def quarantined(self) -> int:
        return sum(r.quarantined for r in self.rows)

    @property
    def awaiting_label(self) -> int:
        return sum(r.awaiting_label for r in self.rows)

    @property
    def held(self) -> int:
        return sum(r.held for r in self.rows)


def days_of_supply(available: int, daily_use: Decimal) -> Decimal:
    """Available units divided by the expected use per day, to a tenth, rounded down (the
    safe side: a shortage shows no later than it should)."""
    return (Decimal(available) / daily_use).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def level(days: Decimal | None, minimum_days: Decimal, critical_days: Decimal) -> str:
    """Below the critical days an emergency, below the minimum a shortage."""
    if days is None:
        return ""
    if days < critical_days:
        return Level.CRITICAL
    if days < minimum_days:
        return Level.SHORTAGE
    return Level.OK


def _rows(establishment: Organisation, now: dt.datetime) -> list[Row]:
    available = Q(status=Status.AVAILABLE)
    counts = {
        f"d{n}": Count("pk", filter=available & Q(expires_at__lte=now + dt.timedelta(days=n)))
        for n in BUCKETS
    }
    found = (
        Component.objects.filter(
            establishment=establishment,
            status__in=[Status.QUARANTINED, Status.RELEASED, Status.AVAILABLE, Status.HELD],
            expires_at__gt=now,
        )
        .values("component_kind", "component_code", "abo", "rhd")
        .annotate(
            **counts,
            total=Count("pk", filter=available),
            quarantined=Count("pk", filter=Q(status=Status.QUARANTINED)),
            awaiting_label=Count("pk", filter=Q(status=Status.RELEASED)),
            held=Count("pk", filter=Q(status=Status.HELD)),
        )
        .order_by("component_kind", "component_code", "abo", "rhd")
    )
    rows = []
    for r in found:
        # Cumulative counts (≤ 1, ≤ 3, ≤ 7 days, all) into one count per column.
        bounds = [r[f"d{n}"] for n in BUCKETS] + [r["total"]]
        by_days = tuple(b - a for a, b in zip([0, *bounds[:-1]], bounds, strict=True))
        rows.append(
            Row(
                r["component_kind"],
                r["component_code"],
                r["abo"],
                r["rhd"],
                by_days,
                r["quarantined"],
                r["awaiting_label"],
                r["held"],
            )
        )
    rows.sort(key=lambda r: (r.component_kind, r.component_code, group_order(r.abo, r.rhd)))
    return rows


def _supply(establishment: Organisation, rows: list[Row]) -> list[Supply]:
    available: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in rows:
        if row.abo:
            available[(row.component_kind, row.abo, row.rhd)] += row.available
    thresholds = {
        (t.component_kind, t.abo, t.rhd): t
        for t in StockThreshold.objects.filter(establishment=establishment)
    }
    keys = {k for k, n in available.items() if n} | set(thresholds)
    ordered = sorted(keys, key=lambda k: (k[0], group_order(k[1], k[2])))
    return [Supply(*key, available.get(key, 0), thresholds.get(key)) for key in ordered]


def expiring(establishment: Organisation, now: dt.datetime) -> list[Component]:
    """Units still held here that expire within the next 24 hours, soonest first."""
    return list(
        Component.objects.filter(
            establishment=establishment,
            status__in=LIVE,
            expires_at__gt=now,
            expires_at__lte=now + EXPIRING_WITHIN,
        )
        .select_related("donation", "location")
        .order_by("expires_at", "pk")[:EXPIRING_LIMIT]
    )


def on_hold(establishment: Organisation, now: dt.datetime) -> list[Component]:
    """In-date units held here on look-back hold, soonest expiry first."""
    return list(
        Component.objects.filter(
            establishment=establishment, status=Status.HELD, expires_at__gt=now
        )
        .select_related("donation", "location")
        .order_by("expires_at", "pk")[:EXPIRING_LIMIT]
    )


def summary(establishment: Organisation, now: dt.datetime | None = None) -> Summary:
    now = now or timezone.now()
    rows = _rows(establishment, now)
    return Summary(
        establishment,
        now,
        rows,
        _supply(establishment, rows),
        expiring(establishment, now),
        on_hold(establishment, now) if any(r.held for r in rows) else [],
    )


def suitable_locations(component: Component) -> list[StorageLocation]:
    """The establishment's locations in use whose range suits the component's storage rule
    (the same check the actions make)."""
    found = []
    storage = actions.storage_of(component)
    for location in StorageLocation.objects.filter(
        establishment_id=component.establishment_id, active=True
    ):
        try:
            actions.check_location(component, location, storage)
        except ValidationError:
            continue
        found.append(location)
    return found

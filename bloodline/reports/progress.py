"""Progress against a plan, computed from recorded donations — never typed in.

For a node of the tree and a period (the plan's, or one round's), every figure comes from a
fixed number of aggregate queries over the donations credited to the node's subtree, grouped
by which child subtree the credited organisation lies in. The number of queries does not grow
with the size of the tree, and no Python loop runs over donations.

Measures (domain/programmes.md §1): donations = every *complete* collection (an incomplete
one, stopped below the rule set's minimum for its bag, is a presentation, not a donation);
bags = complete whole-blood collections (one bag of any size, the Vietnamese đơn vị); mL =
the nominal volume of those bags (whole blood is counted at the bag's nominal volume, not at
what the scale showed); converted units = that mL ÷ the plan's base volume (250 mL in Vietnam
[U21], 200 mL "U" in China [S62]). How apheresis enters converted units is not settled in the
sources, so apheresis is counted in donations only.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr

from bloodline.collection.models import Donation, DonationType, Outcome
from bloodline.organisations.models import SEGMENT, Organisation, subtree_bounds
from bloodline.programmes.models import Measure, Plan, Round, Target
from bloodline.reports import deferral_figures
from bloodline.reports.deferral_figures import Deferrals

WB = Q(donation_type=DonationType.WHOLE_BLOOD)
COMPLETE = Q(outcome=Outcome.COMPLETE)
# Whole blood counts at the bag's nominal volume (programmes.md §1).
NOMINAL_ML = "bag_volume_ml"


@dataclass
class Figures:
    donations: int = 0
    bags: int = 0
    ml: int = 0
    base_ml: int = 250
    donors: int = 0
    first_time: int = 0

    @property
    def converted_units(self) -> Decimal:
        return (Decimal(self.ml) / Decimal(self.base_ml)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def repeat(self) -> int:
        return self.donations - self.first_time

    def in_measure(self, measure: str) -> Decimal:
        return {
            Measure.DONATIONS: Decimal(self.donations),
            Measure.BAGS: Decimal(self.bags),
            Measure.CONVERTED_UNITS: self.converted_units,
            Measure.ML: Decimal(self.ml),
        }[Measure(measure)]


def percent(achieved: Decimal, target: Decimal | None) -> Decimal | None:
    if not target:
        return None
    return (achieved * 100 / target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Line:
    """One organisation's (or the whole node's) figures against its target."""

    organisation: Organisation | None
    target: Decimal | None
    figures: Figures
    measure: str
    deferrals: Deferrals = field(default_factory=Deferrals)

    @property
    def achieved(self) -> Decimal:
        return self.figures.in_measure(self.measure)

    @property
    def percent(self) -> Decimal | None:
        return percent(self.achieved, self.target)

    @property
    def met(self) -> bool | None:
        return None if not self.target else self.achieved >= self.target


@dataclass
class Report:
    plan: Plan
    node: Organisation
    round: Round | None
    start: dt.date
    end: dt.date
    total: Line
    children: list[Line]
    direct: Line | None  # donations credited to the node itself, not to a unit under it
    by_round: list[tuple[Round, Line]] = field(default_factory=list)
    by_drive: list[dict[str, Any]] = field(default_factory=list)

    @property
    def deferrals(self) -> Deferrals:
        return self.total.deferrals

    @property
    def with_target(self) -> list[Line]:
        return [line for line in self.children if line.target]

    @property
    def meeting(self) -> int:
        return sum(1 for line in self.with_target if line.met)

    @property
    def meeting_percent(self) -> Decimal | None:
        return percent(Decimal(self.meeting), Decimal(len(self.with_target)))


def _window(
    zone: zoneinfo.ZoneInfo, start: dt.date, end: dt.date
) -> tuple[dt.datetime, dt.datetime]:
    """The period's days as instants, in the area's own time zone."""
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def _donations(
    node: Organisation, zone: zoneinfo.ZoneInfo, start: dt.date, end: dt.date
) -> QuerySet[Donation]:
    low, high = subtree_bounds(node.path)
    since, until = _window(zone, start, end)
    return Donation.objects.filter(
        COMPLETE,
        credited_to__path__gte=low,
        credited_to__path__lt=high,
        collected_at__gte=since,
        collected_at__lt=until,
    )


def _aggregates(first: bool = True) -> dict[str, Any]:
    earlier = Donation.objects.filter(
        COMPLETE, donor=OuterRef("donor"), collected_at__lt=OuterRef("collected_at")
    )
    values: dict[str, Any] = {
        "donations": Count("id"),
        "bags": Count("id", filter=WB),
        "ml": Sum(NOMINAL_ML, filter=WB),
        "donors": Count("donor", distinct=True),
    }
    if first:
        values["first_time"] = Count("id", filter=~Q(Exists(earlier)))
    return values


def _figures(row: dict[str, Any], base_ml: int) -> Figures:
    return Figures(
        donations=row.get("donations") or 0,
        bags=row.get("bags") or 0,
        ml=row.get("ml") or 0,
        base_ml=base_ml,
        donors=row.get("donors") or 0,
        first_time=row.get("first_time") or 0,
    )


def report(plan: Plan, node: Organisation, round_: Round | None = None) -> Report:
    start, end = (
        (round_.starts_on, round_.ends_on) if round_ else (plan.period_start, plan.period_end)
    )
    base = plan.base_volume_ml
    zone = zoneinfo.ZoneInfo(node.effective_time_zone())
    donations = _donations(node, zone, start, end)
    total = _figures(donations.aggregate(**_aggregates()), base)
    cut = len(node.path) + SEGMENT
    grouped = {
        row["branch"]: _figures(row, base)
        for row in donations.annotate(branch=Substr("credited_to__path", 1, cut))
        .values("branch")
        .annotate(**_aggregates())
        .order_by()
    }
    children = list(node.units().order_by("name"))
    targets = {
        t.organisation_id: t.amount
        for t in Target.objects.filter(
            plan=plan, round=round_, organisation__in=[node.pk, *(c.pk for c in children)]
        )
    }
    seen = deferral_figures.presentations(node.path, *_window(zone, start, end))
    deferred = deferral_figures.by_branch(seen, cut)
    at_drives = deferral_figures.by_drive(seen, plan.rule_set)
    lines = [
        Line(
            c,
            targets.get(c.pk),
            grouped.get(c.path, Figures(base_ml=base)),
            plan.measure,
            deferred.get(c.path, Deferrals()),
        )
        for c in children
    ]
    own = grouped.get(node.path)
    return Report(
        plan=plan,
        node=node,
        round=round_,
        start=start,
        end=end,
        total=Line(
            node,
            targets.get(node.pk),
            total,
            plan.measure,
            deferral_figures.for_node(deferred, at_drives),
        ),
        children=lines,
        direct=Line(node, None, own, plan.measure) if own else None,
        by_round=_by_round(plan, node, zone) if round_ is None else [],
        by_drive=_by_drive(donations, base, at_drives),
    )


def _by_round(plan: Plan, node: Organisation, zone: zoneinfo.ZoneInfo) -> list[tuple[Round, Line]]:
    rounds = list(plan.rounds.all())
    if not rounds:
        return []
    targets = {
        t.round_id: t.amount
        for t in Target.objects.filter(plan=plan, organisation=node, round__in=rounds)
    }
    low, high = subtree_bounds(node.path)
    values: dict[str, Any] = {}
    for r in rounds:
        since, until = _window(zone, r.starts_on, r.ends_on)
        in_round = Q(collected_at__gte=since, collected_at__lt=until)
        values[f"d{r.pk}"] = Count("id", filter=in_round)
        values[f"b{r.pk}"] = Count("id", filter=in_round & WB)
        values[f"m{r.pk}"] = Sum(NOMINAL_ML, filter=in_round & WB)
        values[f"p{r.pk}"] = Count("donor", filter=in_round, distinct=True)
    row = Donation.objects.filter(
        COMPLETE, credited_to__path__gte=low, credited_to__path__lt=high
    ).aggregate(**values)
    return [
        (
            r,
            Line(
                node,
                targets.get(r.pk),
                Figures(
                    donations=row[f"d{r.pk}"] or 0,
                    bags=row[f"b{r.pk}"] or 0,
                    ml=row[f"m{r.pk}"] or 0,
                    base_ml=plan.base_volume_ml,
                    donors=row[f"p{r.pk}"] or 0,
                ),
                plan.measure,
            ),
        )
        for r in rounds
    ]


def _by_drive(
    donations: QuerySet[Donation], base: int, seen: dict[Any, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each drive with donations or presentations in the period: its figures and deferrals."""
    rows = (
        donations.filter(drive__isnull=False)
        .values("drive__uuid", "drive__title", "drive__starts_on", "drive__expected_units")
        .annotate(**_aggregates(first=False))
    )
    drives = {
        row["drive__uuid"]: {
            "uuid": row["drive__uuid"],
            "title": row["drive__title"],
            "date": row["drive__starts_on"],
            "expected": row["drive__expected_units"],
            "figures": _figures(row, base),
            "deferrals": Deferrals(),
        }
        for row in rows.order_by()
    }
    for uuid, found in seen.items():
        drives.setdefault(uuid, {**found, "figures": Figures(base_ml=base)})
        drives[uuid]["deferrals"] = found["deferrals"]
    return sorted(drives.values(), key=lambda d: (d["date"], d["title"]))

"""Progress against a plan, computed from recorded donations — never typed in.

For a node of the tree and a period (the plan's, or one round's), the figures come from the
day summaries of the organisations in the node's subtree (``collection.DailyCredit``, kept in
the same transaction as each donation write, decision 0039), grouped by which child subtree
the credited organisation lies in. The number of distinct donors, which does not add up
across days, comes from the tally's counts per plan window (decision 0052); a window it does
not keep yet, and each drive of the page, is counted from the period's donations. The
number of queries does not grow with the size of the tree or the history, and no Python loop
runs over donations.

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
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum
from django.db.models.functions import Substr

from bloodline.collection.models import DailyCredit, Donation, Outcome
from bloodline.drives.models import Drive
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import (
    SEGMENT,
    Organisation,
    Tally,
    TallyWindow,
    subtree_bounds,
    window_measure,
)
from bloodline.programmes.models import Measure, Plan, Round, Target
from bloodline.reports import deferral_figures
from bloodline.reports.deferral_figures import Deferrals

COMPLETE = Q(outcome=Outcome.COMPLETE)


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
    by_drive: list[dict[str, Any]] = field(default_factory=list)  # one page, newest first
    drives_total: int = 0
    drives_page: int = 1

    @property
    def drives_pages(self) -> int:
        return max(1, -(-self.drives_total // DRIVES_PER_PAGE))

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
    """Complete donations credited in the subtree in the period: read only for the one
    figure that does not add up across days, the number of distinct donors."""
    low, high = subtree_bounds(node.path)
    since, until = _window(zone, start, end)
    return Donation.objects.filter(
        COMPLETE,
        credited_to__path__gte=low,
        credited_to__path__lt=high,
        collected_at__gte=since,
        collected_at__lt=until,
    )


def _distinct_donors(
    node: Organisation, zone: zoneinfo.ZoneInfo, windows: dict[str, tuple[dt.date, dt.date]]
) -> dict[str, int]:
    """Distinct donors in each named window, counted live in one query over the windows'
    donations (a window the tally does not keep yet)."""
    if not windows:
        return {}
    values = {}
    for name, (start, end) in windows.items():
        since, until = _window(zone, start, end)
        within = Q(collected_at__gte=since, collected_at__lt=until)
        values[name] = Count("donor", filter=within, distinct=True)
    first = min(start for start, _ in windows.values())
    last = max(end for _, end in windows.values())
    row = _donations(node, zone, first, last).aggregate(**values)
    return {name: row[name] or 0 for name in windows}


def _kept_windows(windows: dict[str, tuple[dt.date, dt.date]]) -> set[tuple[dt.date, dt.date]]:
    """The windows whose distinct donors the tree's tally keeps, counted (decision 0052)."""
    where = Q(pk__in=[])
    for start, end in set(windows.values()):
        where |= Q(start=start, end=end)
    return set(TallyWindow.objects.filter(where, ready=True).values_list("start", "end"))


def _donors(
    node: Organisation,
    zone: zoneinfo.ZoneInfo,
    windows: dict[str, tuple[dt.date, dt.date]],
    branches: dict[int, str],
    own_credits: bool,
) -> tuple[dict[str, int], dict[str, int]]:
    """Distinct donors of the node in each named window, and of each branch (the children's
    paths, and the node's own path for its own credits) in the report's window ``p``.

    A window the tally keeps is read from it: a few rows, whatever the history (0052). The
    node's own credits are counted live from its own donations only. Any other window is
    counted live from the subtree's donations (0046)."""
    kept = _kept_windows(windows)
    live = {name: w for name, w in windows.items() if w not in kept}
    totals = _distinct_donors(node, zone, live)
    start, end = windows["p"]
    if kept:
        sums: dict[tuple[int, str], int] = defaultdict(int)
        for pk, measure, amount in Tally.objects.filter(
            node_id__in=[node.pk, *(branches if (start, end) in kept else [])],
            day__in={s for s, _e in kept},
            measure__in={window_measure(s, e) for s, e in kept},
        ).values_list("node_id", "measure", "amount"):
            sums[(pk, measure)] += amount
        for name, (s, e) in windows.items():
            if (s, e) in kept:
                totals[name] = sums[(node.pk, window_measure(s, e))]
    if (start, end) not in kept:
        cut = len(node.path) + SEGMENT
        by_branch = {
            row["branch"]: row["donors"]
            for row in _donations(node, zone, start, end)
            .annotate(branch=Substr("credited_to__path", 1, cut))
            .values("branch")
            .annotate(donors=Count("donor", distinct=True))
            .order_by()
        }
        return totals, by_branch
    measure = window_measure(start, end)
    by_branch = {path: sums[(pk, measure)] for pk, path in branches.items()}
    if own_credits:
        since, until = _window(zone, start, end)
        by_branch[node.path] = Donation.objects.filter(
            COMPLETE, credited_to=node, collected_at__gte=since, collected_at__lt=until
        ).aggregate(n=Count("donor", distinct=True))["n"]
    return totals, by_branch


DRIVES_PER_PAGE = 50


def report(
    plan: Plan, node: Organisation, round_: Round | None = None, drives_page: int = 1
) -> Report:
    """The node's progress in the plan (or one round). Drives are listed a page at a time,
    newest first (``drives_page``, ``DRIVES_PER_PAGE`` a page): a province has thousands."""
    start, end = (
        (round_.starts_on, round_.ends_on) if round_ else (plan.period_start, plan.period_end)
    )
    base = plan.base_volume_ml
    zone = zoneinfo.ZoneInfo(node.effective_time_zone())
    rounds = list(plan.rounds.all()) if round_ is None else []
    windows = {"p": (start, end), **{f"r{r.pk}": (r.starts_on, r.ends_on) for r in rounds}}
    donations = _donations(node, zone, start, end)
    children, targets, branches = _units_and_targets(plan, node, round_)
    summary = Summary(_summary_rows(node, branches, windows), base)
    by_branch = summary.by_branch()
    donors, branch_donors = _donors(node, zone, windows, branches, node.path in by_branch)
    grouped = {
        branch: replace(figures, donors=branch_donors.get(branch, 0))
        for branch, figures in by_branch.items()
    }
    total = replace(summary.total("p"), donors=donors["p"])
    deferred = deferral_figures.by_branch(node, branches, start, end)
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
    drives_total, page_drives = _drive_page(node, start, end, drives_page)
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
            deferral_figures.for_node(deferred, node, start, end, plan.rule_set),
        ),
        children=lines,
        direct=Line(node, None, own, plan.measure) if own else None,
        by_round=_by_round(plan, node, rounds, summary, donors),
        by_drive=_by_drive(node, start, end, donations, base, page_drives, plan.rule_set),
        drives_total=drives_total,
        drives_page=max(1, drives_page),
    )


def _units_and_targets(
    plan: Plan, node: Organisation, round_: Round | None
) -> tuple[list[Organisation], dict[int, Decimal], dict[int, str]]:
    """The node's units by name, the targets of the node and its units, and the paths of all
    its children (a steering committee's credits count in the node's total, not as a unit),
    in one query."""
    of_plan = Q(targets__plan=plan) & (
        Q(targets__round=round_) if round_ else Q(targets__round__isnull=True)
    )
    rows = list(
        Organisation.objects.filter(Q(pk=node.pk) | Q(parent=node))
        .annotate(planned=FilteredRelation("targets", condition=of_plan))
        .annotate(target=F("planned__amount"))
        .order_by("name")
    )
    targets = {o.pk: o.target for o in rows if o.target is not None}  # type: ignore[attr-defined]
    below = [o for o in rows if o.pk != node.pk]
    units = [o for o in below if o.kind != Kind.STEERING_COMMITTEE]
    return units, targets, {o.pk: o.path for o in below}


MEASURES = ("donations", "bags", "ml", "first_time")


def _summary_rows(
    node: Organisation, branches: dict[int, str], windows: dict[str, tuple[dt.date, dt.date]]
) -> list[dict[str, Any]]:
    """The figures of each child branch and of the node's own credits, for each window: the
    children's tree tally plus the day rows credited to the node and to each child itself
    (decision 0049). One query whose size grows with the children and the days, not with
    the units below them, the donations or the drives."""
    first = min(s for s, _ in windows.values())
    last = max(e for _, e in windows.values())
    paths = {node.pk: node.path, **branches}
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    tallied = (
        Tally.objects.filter(
            node_id__in=list(branches), day__gte=first, day__lte=last, measure__in=MEASURES
        )
        .values("node_id")
        .annotate(
            **{
                f"{name}_{w}": Sum("amount", filter=Q(measure=name, day__gte=s, day__lte=e))
                for w, (s, e) in windows.items()
                for name in MEASURES
            }
        )
        .order_by()
    )
    own = (
        DailyCredit.objects.filter(credited_to_id__in=list(paths), day__gte=first, day__lte=last)
        .values("credited_to_id")
        .annotate(
            **{
                f"{name}_{w}": Sum(name, filter=Q(day__gte=s, day__lte=e))
                for w, (s, e) in windows.items()
                for name in MEASURES
            }
        )
        .order_by()
    )
    for r in tallied.union(own, all=True):  # one query; the first column is the node
        into = rows[paths[r["node_id"]]]
        for key, value in r.items():
            if key != "node_id":
                into[key] += int(value or 0)  # PostgreSQL sums bigints as numeric
    return [{"branch": branch, **sums} for branch, sums in rows.items()]


@dataclass
class Summary:
    """Rows of ``_summary_rows`` folded into the figures each part of the report shows."""

    rows: list[dict[str, Any]]
    base_ml: int

    def _fold(self, rows: list[dict[str, Any]], window: str) -> Figures:
        got = {m: sum(r[f"{m}_{window}"] or 0 for r in rows) for m in MEASURES}
        return Figures(base_ml=self.base_ml, **got)

    def total(self, window: str) -> Figures:
        return self._fold(self.rows, window)

    def _split(self, column: str) -> dict[Any, list[dict[str, Any]]]:
        parts: dict[Any, list[dict[str, Any]]] = {}
        for row in self.rows:
            if row["donations_p"]:
                parts.setdefault(row[column], []).append(row)
        return parts

    def by_branch(self) -> dict[str, Figures]:
        return {b: self._fold(rows, "p") for b, rows in self._split("branch").items()}


def _by_round(
    plan: Plan,
    node: Organisation,
    rounds: list[Round],
    summary: Summary,
    donors: dict[str, int],
) -> list[tuple[Round, Line]]:
    if not rounds:
        return []
    targets = {
        t.round_id: t.amount
        for t in Target.objects.filter(plan=plan, organisation=node, round__in=rounds)
    }
    return [
        (
            r,
            Line(
                node,
                targets.get(r.pk),
                replace(summary.total(f"r{r.pk}"), donors=donors[f"r{r.pk}"]),
                plan.measure,
            ),
        )
        for r in rounds
    ]


def _drive_page(
    node: Organisation, start: dt.date, end: dt.date, page: int
) -> tuple[int, list[dict[str, Any]]]:
    """How many drives had donations or presentations credited in the subtree in the period,
    and the requested page of them, newest first: read from the node's tree tally and its
    own day rows (one row per drive and measure), then the page's drives."""
    tallied = (
        Tally.objects.filter(
            node=node,
            day__gte=start,
            day__lte=end,
            drive_id__isnull=False,
            measure__in=("donations", "presented"),
        )
        .values("drive_id")
        .annotate(n=Sum("amount"))
        .filter(n__gt=0)
        .values_list("drive_id", flat=True)
        .order_by()
    )
    own = DailyCredit.objects.filter(
        credited_to=node, day__gte=start, day__lte=end, donations__gt=0, drive__isnull=False
    ).values_list("drive_id", flat=True)
    screened = deferral_figures.own_days(node, start, end).values_list("drive_id", flat=True)
    every = set(tallied.union(own, screened))
    if not every:
        return 0, []
    drives = Drive.objects.filter(pk__in=every).order_by("-starts_on", "title", "pk")
    first = (max(1, page) - 1) * DRIVES_PER_PAGE
    found = drives.values("pk", "uuid", "title", "starts_on", "expected_units")
    return len(every), [dict(row) for row in found[first : first + DRIVES_PER_PAGE]]


def _by_drive(
    node: Organisation,
    start: dt.date,
    end: dt.date,
    donations: QuerySet[Donation],
    base: int,
    drives: list[dict[str, Any]],
    rule_set: str,
) -> list[dict[str, Any]]:
    """The figures and deferrals of the page's drives: three queries bounded by the page."""
    pks = [d["pk"] for d in drives]
    if not pks:
        return []
    summed: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    tallied = (
        Tally.objects.filter(
            node=node, day__gte=start, day__lte=end, drive_id__in=pks, measure__in=MEASURES
        )
        .values("drive_id")
        .annotate(**{name: Sum("amount", filter=Q(measure=name)) for name in MEASURES})
        .order_by()
    )
    own = (
        DailyCredit.objects.filter(credited_to=node, day__gte=start, day__lte=end, drive_id__in=pks)
        .values("drive_id")
        .annotate(**{name: Sum(name) for name in MEASURES})
        .order_by()
    )
    for row in tallied.union(own, all=True):
        for name in MEASURES:
            summed[row["drive_id"]][name] += int(row[name] or 0)
    donors = dict(
        donations.filter(drive__in=pks)
        .values("drive_id")
        .annotate(donors=Count("donor", distinct=True))
        .order_by()
        .values_list("drive_id", "donors")
    )
    seen = deferral_figures.by_drive(node, start, end, rule_set, pks)
    return [
        {
            "uuid": d["uuid"],
            "title": d["title"],
            "date": d["starts_on"],
            "expected": d["expected_units"],
            "figures": Figures(
                base_ml=base,
                donors=donors.get(d["pk"], 0),
                **{m: (summed.get(d["pk"]) or {}).get(m) or 0 for m in MEASURES},
            ),
            "deferrals": seen.get(d["pk"], Deferrals()),
        }
        for d in drives
    ]

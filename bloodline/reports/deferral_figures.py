"""Deferrals in plan progress: how many presentations were deferred, at what rate, and why.

A presentation counts for the organisation fixed on it at check-in (the unit its registration
credits; a walk-in: the donor's own unit), in the subtree of the node, on its arrival day in
that organisation's time zone — the same way a donation counts for the organisation it is
credited to. The figures are read from the day summaries kept at check-in and deferral
(``screening.DailyScreening`` and ``DailyDeferralReason``, decision 0047) and from their
sums at every level of the tree (``organisations.Tally``, decision 0049), never from
presentations; each is a grouped query over the node's and its children's rows, whatever
the size of the subtree, the number of drives or the length of the history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from bloodline.organisations.models import Organisation, Tally
from bloodline.organisations.tally import REASON
from bloodline.screening.models import DailyDeferralReason, DailyScreening
from bloodline.screening.reasons import reason_label

TOP_REASONS = 3


@dataclass(frozen=True)
class Reason:
    code: str
    count: int
    rule_set: str = ""

    @property
    def label(self) -> str:
        """In the language active when the page is rendered."""
        return reason_label(self.code, self.rule_set)


@dataclass
class Deferrals:
    presented: int = 0
    deferred: int = 0
    reasons: list[Reason] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        """Deferred presentations as a percentage of all presentations, one decimal."""
        if not self.presented:
            return None
        return (Decimal(self.deferred) * 100 / self.presented).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


PRESENTED = ("presented", "deferred")


def own_days(node: Organisation, start: dt.date, end: dt.date) -> QuerySet[DailyScreening]:
    """The day rows of presentations credited to ``node`` itself with anyone presented."""
    return DailyScreening.objects.filter(
        credited_to=node, day__gte=start, day__lte=end, presented__gt=0
    )


def _add_counts(into: dict[Any, list[int]], key: Any, presented: int, deferred: int) -> None:
    got = into.setdefault(key, [0, 0])
    got[0] += int(presented or 0)  # PostgreSQL sums bigints as numeric
    got[1] += int(deferred or 0)


def by_branch(
    node: Organisation, branches: dict[int, str], start: dt.date, end: dt.date
) -> dict[str, Deferrals]:
    """Counts per child branch (by its path) and for the node's own credits (under the
    node's path): the children's tree tally plus the day rows credited to the node and each
    child itself (decision 0049), two grouped queries."""
    paths = {node.pk: node.path, **branches}
    counts: dict[str, list[int]] = {}
    tallied = Tally.objects.filter(node_id__in=list(branches), day__gte=start, day__lte=end)
    own = DailyScreening.objects.filter(
        credited_to_id__in=list(paths), day__gte=start, day__lte=end
    )
    for row in _counted(tallied, "node_id", own, "credited_to_id"):
        _add_counts(counts, paths[row["node_id"]], row["p"], row["d"])
    return {path: Deferrals(p, d) for path, (p, d) in counts.items() if p or d}


def _counted(tallied: QuerySet[Tally], by: str, own: QuerySet[DailyScreening], own_by: str) -> Any:
    """Presented and deferred (``p``, ``d``) per ``by`` of the tally rows and per ``own_by`` of
    the day rows, in one query (``UNION ALL``; rows are named by the tally's column)."""
    return (
        tallied.filter(measure__in=PRESENTED)
        .values(by)
        .annotate(
            p=Sum("amount", filter=Q(measure="presented")),
            d=Sum("amount", filter=Q(measure="deferred")),
        )
        .order_by()
        .union(
            own.values(own_by).annotate(p=Sum("presented"), d=Sum("deferred")).order_by(),
            all=True,
        )
    )


def _reason_counts(
    node: Organisation, start: dt.date, end: dt.date, drives: list[int] | None = None
) -> dict[tuple[int | None, str], int]:
    """Deferred presentations per (drive, reason code) credited in the subtree: the node's
    tree tally plus its own day rows; without ``drives``, per code alone (drive ``None``)."""
    tallied = Tally.objects.filter(
        node=node, day__gte=start, day__lte=end, measure__startswith=REASON
    )
    own = DailyDeferralReason.objects.filter(credited_to=node, day__gte=start, day__lte=end)
    if drives is not None:
        tallied = tallied.filter(drive_id__in=drives)
        own = own.filter(drive_id__in=drives)
    by = ["drive_id"] if drives is not None else []
    counts: dict[tuple[int | None, str], int] = defaultdict(int)
    tallied_n = tallied.values(*by, "measure").annotate(n=Sum("amount")).order_by()
    own_n = own.values(*by, "code").annotate(n=Sum("presentations")).order_by()
    for row in tallied_n.union(own_n, all=True):  # one query; codes come as measures
        key = (row.get("drive_id"), row["measure"].removeprefix(REASON))
        counts[key] += int(row["n"] or 0)
    return counts


def _top(counts: list[tuple[str, int]], rule_set: str) -> list[Reason]:
    ranked = sorted(((code, n) for code, n in counts if n), key=lambda cn: (-cn[1], cn[0]))
    return [Reason(code, n, rule_set) for code, n in ranked[:TOP_REASONS]]


def for_node(
    branches: dict[str, Deferrals], node: Organisation, start: dt.date, end: dt.date, rule_set: str
) -> Deferrals:
    """The node's own figures, added up from its branches (every presentation lies in exactly
    one), and its top reasons (two grouped queries, whatever the number of drives)."""
    counts = _reason_counts(node, start, end)
    return Deferrals(
        presented=sum(b.presented for b in branches.values()),
        deferred=sum(b.deferred for b in branches.values()),
        reasons=_top([(code, n) for (_d, code), n in counts.items()], rule_set),
    )


def by_drive(
    node: Organisation, start: dt.date, end: dt.date, rule_set: str, drives: list[int]
) -> dict[int, Deferrals]:
    """For each of ``drives`` (primary keys) with presentations credited in the subtree: its
    deferral figures with top reasons — two queries, bounded by the drives asked for."""
    counts: dict[int, list[int]] = {}
    tallied = Tally.objects.filter(node=node, day__gte=start, day__lte=end, drive_id__in=drives)
    own = DailyScreening.objects.filter(
        credited_to=node, day__gte=start, day__lte=end, drive_id__in=drives
    )
    for row in _counted(tallied, "drive_id", own, "drive_id"):
        _add_counts(counts, row["drive_id"], row["p"], row["d"])
    found = {drive: Deferrals(p, d) for drive, (p, d) in counts.items() if p or d}
    reasons: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for (drive, code), n in _reason_counts(node, start, end, drives).items():
        if drive is not None:
            reasons[drive].append((code, n))
    for drive, got in found.items():
        got.reasons = _top(reasons.get(drive, []), rule_set)
    return found

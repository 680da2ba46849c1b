"""Deferrals in plan progress: how many presentations were deferred, at what rate, and why.

A presentation counts for the organisation fixed on it at check-in (the unit its registration
credits; a walk-in: the donor's own unit), in the subtree of the node, on its arrival day in
that organisation's time zone — the same way a donation counts for the organisation it is
credited to. The figures are read from the day summaries kept at check-in and deferral
(``screening.DailyScreening`` and ``DailyDeferralReason``, decision 0047), never from
presentations; each is one grouped query, whatever the size of the tree, the number of drives
or the length of the history (decision 0020).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.db.models.functions import Substr

from bloodline.organisations.models import subtree_bounds
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


def days(path: str, start: dt.date, end: dt.date) -> QuerySet[DailyScreening]:
    """The day summaries of presentations credited inside the subtree at ``path``, on the
    days ``start``…``end`` (decision 0047)."""
    low, high = subtree_bounds(path)
    return DailyScreening.objects.filter(
        credited_to__path__gte=low, credited_to__path__lt=high, day__gte=start, day__lte=end
    )


def _reasons(path: str, start: dt.date, end: dt.date) -> QuerySet[DailyDeferralReason]:
    low, high = subtree_bounds(path)
    return DailyDeferralReason.objects.filter(
        credited_to__path__gte=low, credited_to__path__lt=high, day__gte=start, day__lte=end
    )


def _counts() -> dict[str, Any]:
    return {"presented_n": Sum("presented"), "deferred_n": Sum("deferred")}


def for_node(
    branches: dict[str, Deferrals], path: str, start: dt.date, end: dt.date, rule_set: str
) -> Deferrals:
    """The node's own figures, added up from its branches (every presentation lies in exactly
    one), and its top reasons (one query over the summaries, whatever the number of drives)."""
    top = (
        _reasons(path, start, end)
        .values("code")
        .annotate(n=Sum("presentations"))
        .order_by("-n", "code")[:TOP_REASONS]
    )
    return Deferrals(
        presented=sum(b.presented for b in branches.values()),
        deferred=sum(b.deferred for b in branches.values()),
        reasons=[Reason(r["code"], r["n"], rule_set) for r in top],
    )


def by_branch(seen: QuerySet[DailyScreening], cut: int) -> dict[str, Deferrals]:
    """Counts per child subtree (the first ``cut`` characters of the credited path)."""
    rows = (
        seen.annotate(branch=Substr("credited_to__path", 1, cut))
        .values("branch")
        .annotate(**_counts())
        .order_by()
    )
    return {r["branch"]: Deferrals(r["presented_n"], r["deferred_n"]) for r in rows}


def by_drive(
    path: str, start: dt.date, end: dt.date, rule_set: str, drives: list[int]
) -> dict[int, Deferrals]:
    """For each of ``drives`` (primary keys) with presentations credited in the subtree: its
    deferral figures with top reasons — two queries, bounded by the drives asked for."""
    found = {
        r["drive_id"]: Deferrals(r["presented_n"], r["deferred_n"])
        for r in days(path, start, end)
        .filter(drive_id__in=drives)
        .values("drive_id")
        .annotate(**_counts())
        .order_by()
    }
    rows = (
        _reasons(path, start, end)
        .filter(drive_id__in=drives)
        .values("drive_id", "code")
        .annotate(n=Sum("presentations"))
        .order_by("drive_id", "-n", "code")
    )
    for r in rows:
        got = found.get(r["drive_id"])
        if got is not None and len(got.reasons) < TOP_REASONS:
            got.reasons.append(Reason(r["code"], r["n"], rule_set))
    return found

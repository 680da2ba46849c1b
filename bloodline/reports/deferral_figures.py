"""Deferrals in plan progress: how many presentations were deferred, at what rate, and why.

A presentation counts for the organisation its registration credits (a walk-in: the donor's
own unit), in the subtree of the node, by its arrival time in the period — the same way a
donation counts for the organisation it is credited to. Every figure here is one grouped
query, whatever the size of the tree or the number of drives (decision 0020).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, Substr

from bloodline.organisations.models import subtree_bounds
from bloodline.screening.models import Deferral, Presentation, Step
from bloodline.screening.reasons import reason_label

TOP_REASONS = 3
DEFERRED = Q(step=Step.DEFERRED)


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


def presentations(path: str, since: dt.datetime, until: dt.datetime) -> QuerySet[Presentation]:
    """Presentations credited inside the subtree at ``path``, arrived in [since, until)."""
    low, high = subtree_bounds(path)
    return Presentation.objects.annotate(
        credit_path=Coalesce("registration__mobilised_by__path", "donor__affiliation__path")
    ).filter(
        credit_path__gte=low,
        credit_path__lt=high,
        arrived_at__gte=since,
        arrived_at__lt=until,
    )


def _counts() -> dict[str, Any]:
    return {"presented": Count("id"), "deferred": Count("id", filter=DEFERRED)}


def _reasons(seen: QuerySet[Presentation]) -> QuerySet[Deferral]:
    """The deferral records of the deferred presentations among ``seen``."""
    deferred = seen.filter(DEFERRED).values("pk")
    return Deferral.objects.filter(presentation__in=deferred)


def for_node(branches: dict[str, Deferrals], drives: dict[Any, dict[str, Any]]) -> Deferrals:
    """The node's own figures, added up from its branches and its drives (no query: every
    presentation lies in exactly one branch and at exactly one drive)."""
    counts: Counter[str] = Counter()
    rule_set = ""
    for found in drives.values():
        for reason in found["all_reasons"]:
            counts[reason.code] += reason.count
            rule_set = reason.rule_set
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_REASONS]
    return Deferrals(
        presented=sum(b.presented for b in branches.values()),
        deferred=sum(b.deferred for b in branches.values()),
        reasons=[Reason(code, n, rule_set) for code, n in top],
    )


def by_branch(seen: QuerySet[Presentation], cut: int) -> dict[str, Deferrals]:
    """Counts per child subtree (the first ``cut`` characters of the credited path)."""
    rows = (
        seen.annotate(branch=Substr("credit_path", 1, cut))
        .values("branch")
        .annotate(**_counts())
        .order_by()
    )
    return {r["branch"]: Deferrals(r["presented"], r["deferred"]) for r in rows}


def by_drive(seen: QuerySet[Presentation], rule_set: str) -> dict[Any, dict[str, Any]]:
    """Per drive (by its public id): its title, date and expected units, its deferral figures
    with top reasons, and every reason counted (``all_reasons``) — two queries in all."""
    found: dict[Any, dict[str, Any]] = {
        r["drive__uuid"]: {
            "uuid": r["drive__uuid"],
            "title": r["drive__title"],
            "date": r["drive__starts_on"],
            "expected": r["drive__expected_units"],
            "deferrals": Deferrals(r["presented"], r["deferred"]),
        }
        for r in seen.values(
            "drive__uuid", "drive__title", "drive__starts_on", "drive__expected_units"
        )
        .annotate(**_counts())
        .order_by()
    }
    rows = (
        _reasons(seen)
        .annotate(drive_uuid=F("presentation__drive__uuid"))
        .values("drive_uuid", "code")
        .annotate(n=Count("presentation", distinct=True))
        .order_by("drive_uuid", "-n", "code")
    )
    for found_drive in found.values():
        found_drive["all_reasons"] = []
    for r in rows:
        if r["drive_uuid"] not in found:
            continue
        drive = found[r["drive_uuid"]]
        reason = Reason(r["code"], r["n"], rule_set)
        drive["all_reasons"].append(reason)
        if len(drive["deferrals"].reasons) < TOP_REASONS:
            drive["deferrals"].reasons.append(reason)
    return found

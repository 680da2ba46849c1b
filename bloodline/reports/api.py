"""A plan's progress under /api/v1/plans/{plan}/progress, scoped like the page (the path kept
when progress moved to this app, decision 0023)."""
# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema

from bloodline.organisations.roles import Perm
from bloodline.programmes import access
from bloodline.programmes.api import _round
from bloodline.reports import progress
from bloodline.reports.deferral_figures import Deferrals

router = Router(tags=["plans"])


class FiguresOut(Schema):
    donations: int
    bags: int
    converted_units: Decimal
    ml: int
    donors: int
    first_time: int
    repeat: int


class ReasonOut(Schema):
    code: str
    label: str
    count: int


class DeferralsOut(Schema):
    presented: int
    deferred: int
    rate_percent: Decimal | None
    top_reasons: list[ReasonOut]


class DriveProgressOut(Schema):
    drive: UUID
    title: str
    date: dt.date
    figures: FiguresOut
    deferrals: DeferralsOut


class LineOut(Schema):
    organisation: UUID | None
    name: str
    target: Decimal | None
    achieved: Decimal
    percent: Decimal | None
    met: bool | None
    figures: FiguresOut
    deferrals: DeferralsOut


class ProgressOut(Schema):
    plan: UUID
    node: UUID
    round: UUID | None
    measure: str
    start: dt.date
    end: dt.date
    total: LineOut
    units: list[LineOut]
    units_with_target: int
    units_meeting_target: int
    units_meeting_target_percent: Decimal | None
    drives: list[DriveProgressOut]
    drives_total: int
    drives_page: int
    drives_per_page: int


def _figures(f: progress.Figures) -> dict[str, Any]:
    return {
        "donations": f.donations,
        "bags": f.bags,
        "converted_units": f.converted_units,
        "ml": f.ml,
        "donors": f.donors,
        "first_time": f.first_time,
        "repeat": f.repeat,
    }


def _deferrals(d: Deferrals) -> dict[str, Any]:
    return {
        "presented": d.presented,
        "deferred": d.deferred,
        "rate_percent": d.rate,
        "top_reasons": [{"code": r.code, "label": r.label, "count": r.count} for r in d.reasons],
    }


def _line(line: progress.Line) -> dict[str, Any]:
    return {
        "organisation": line.organisation.uuid if line.organisation else None,
        "name": line.organisation.display_name() if line.organisation else "",
        "target": line.target,
        "achieved": line.achieved,
        "percent": line.percent,
        "met": line.met,
        "figures": _figures(line.figures),
        "deferrals": _deferrals(line.deferrals),
    }


@router.get("/{public_id}/progress", response=ProgressOut)
def get_progress(
    request: HttpRequest,
    public_id: UUID,
    node: UUID,
    round: UUID | None = None,
    drives_page: int = Query(1, ge=1, le=100_000),
) -> dict[str, Any]:
    """The node's progress; ``drives`` is one page of the drives of the period, newest first
    (``drives_per_page`` a page, ``drives_total`` in all)."""
    plan = access.get_plan(request.user, public_id)
    org = access.node_in_plan(request.user, plan, node, Perm.PROGRESS_VIEW)
    r = progress.report(plan, org, _round(plan, round), drives_page=drives_page)
    return {
        "plan": plan.uuid,
        "node": org.uuid,
        "round": r.round.uuid if r.round else None,
        "measure": plan.measure,
        "start": r.start,
        "end": r.end,
        "total": _line(r.total),
        "units": [_line(line) for line in r.children],
        "units_with_target": len(r.with_target),
        "units_meeting_target": r.meeting,
        "units_meeting_target_percent": r.meeting_percent,
        "drives": [
            {
                "drive": d["uuid"],
                "title": d["title"],
                "date": d["date"],
                "figures": _figures(d["figures"]),
                "deferrals": _deferrals(d["deferrals"]),
            }
            for d in r.by_drive
        ],
        "drives_total": r.drives_total,
        "drives_page": r.drives_page,
        "drives_per_page": progress.DRIVES_PER_PAGE,
    }

"""Progress pages of a plan: live figures with drill-down, and their xlsx export. The URLs
stay under /plans/ (decision 0023); the plan itself is fetched through programmes' access."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from bloodline.accounts.types import AuthenticatedRequest
from bloodline.organisations import access as org_access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm
from bloodline.programmes import access
from bloodline.programmes.views import _round
from bloodline.reports import progress, spreadsheets


def page_number(text: str | None) -> int:
    """A page number from the query string; anything else is the first page."""
    return int(text) if text and text.isdigit() and 0 < int(text) < 100_000 else 1


@login_required
def progress_page(request: AuthenticatedRequest, public_id: str, node_id: str) -> HttpResponse:
    """Live progress with drill-down; HTMX refreshes the figures while the page is open."""
    plan = access.get_plan(request.user, public_id)
    node = access.node_in_plan(request.user, plan, node_id, Perm.PROGRESS_VIEW)
    round_ = _round(plan, request)
    report = progress.report(plan, node, round_, drives_page=page_number(request.GET.get("drives")))
    ancestors = [
        a
        for a in Organisation.objects.ancestors_of(node)
        if a.is_within(plan.area) and org_access.has_perm(request.user, Perm.PROGRESS_VIEW, a)
    ]
    context = {
        "report": report,
        "plan": plan,
        "node": node,
        "round": round_,
        "rounds": plan.rounds.all(),
        "ancestors": ancestors,
    }
    template = "programmes/_progress.html" if request.htmx else "programmes/progress.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def progress_export(request: AuthenticatedRequest, public_id: str, node_id: str) -> HttpResponse:
    plan = access.get_plan(request.user, public_id)
    node = access.node_in_plan(request.user, plan, node_id, Perm.PROGRESS_VIEW)
    report = progress.report(plan, node, _round(plan, request))
    response = HttpResponse(spreadsheets.progress_workbook(report), content_type=spreadsheets.XLSX)
    response["Content-Disposition"] = f'attachment; filename="progress-{node.uuid}.xlsx"'
    return response

"""Rule sets as a configuration report: every value with its source and verification flag."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise

from bloodline.jurisdictions.labels import VITALS
from bloodline.jurisdictions.loader import UnknownRuleSet, registry
from bloodline.jurisdictions.schema import Limit, NotJudged, RuleSet


def _vital_rows(rules: RuleSet) -> list[tuple[str | Promise, Limit | NotJudged]]:
    """Every vital-sign rule the set states: a limit, or "not judged — physician review"."""
    return [
        (VITALS.get(name, name), getattr(rules.vitals, name))
        for name in type(rules.vitals).model_fields
        if getattr(rules.vitals, name) is not None
    ]


@login_required
def rule_set_list(request: HttpRequest) -> HttpResponse:
    rows = [(code, registry.versions(code)) for code in registry.codes()]
    return render(request, "jurisdictions/list.html", {"rows": rows})


@login_required
def rule_set_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        versions = registry.versions(code)
    except UnknownRuleSet as exc:
        raise Http404 from exc
    rows = [(v, _vital_rows(v)) for v in versions]
    return render(request, "jurisdictions/detail.html", {"code": code, "versions": rows})

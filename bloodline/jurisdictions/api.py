"""Rule sets under /api/v1/jurisdictions: the data every establishment's decisions use."""

# No "from __future__ import annotations": django-ninja reads these annotations at run time,
# also through decorators such as @paginate whose module cannot resolve postponed names.

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from bloodline.jurisdictions.loader import UnknownRuleSet, registry

router = Router(tags=["jurisdictions"])


class RuleSetSummary(Schema):
    code: str
    versions: list[str]
    current_version: str | None


@router.get("", response=list[RuleSetSummary])
def list_rule_sets(request: HttpRequest) -> list[RuleSetSummary]:
    rows = []
    for code in registry.codes():
        try:
            current: str | None = registry.current(code).version
        except UnknownRuleSet:
            current = None
        rows.append(
            RuleSetSummary(
                code=code,
                versions=[v.version for v in registry.versions(code)],
                current_version=current,
            )
        )
    return rows


@router.get("/{code}", response=list[dict[str, Any]])
def get_rule_set(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """Every version of a rule set, each value with its source ids and verification flag."""
    try:
        versions = registry.versions(code)
    except UnknownRuleSet as exc:
        raise Http404 from exc
    return [v.model_dump(mode="json") for v in versions]

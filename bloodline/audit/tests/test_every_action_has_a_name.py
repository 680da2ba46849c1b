"""Every action code the actions write into the audit trail has a name for the history page,
so no reader sees ``plan.issue`` or ``component.release`` (decision 0026)."""

from __future__ import annotations

import re
from pathlib import Path

from bloodline.audit.action_labels import ACTIONS

ROOT = Path(__file__).resolve().parents[2]
# action="drive.create", and the per-app wrappers: _audit(by, "plan.update", …)
WRITTEN = re.compile(r'(?:action=|_audit\w*\(\s*\w+,\s*)f?"([a-z_]+\.[a-z_.{}]+)"', re.S)


def written_codes() -> set[str]:
    from bloodline.programmes.models import PlanStatus
    from bloodline.screening.models import Decision

    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found.update(WRITTEN.findall(path.read_text(encoding="utf-8")))
    expanded = {c for c in found if "{" not in c}
    if "plan.{status}" in found:
        expanded |= {f"plan.{s}" for s in PlanStatus.values if s != PlanStatus.SUPERSEDED}
    if "presentation.{decision}" in found:
        expanded |= {f"presentation.{d}" for d in Decision.values}
    return expanded


def test_it_finds_the_codes_the_actions_write() -> None:
    codes = written_codes()
    assert {"organisation.create", "plan.issued", "presentation.defer"} <= codes
    assert len(codes) > 50


def test_every_written_action_has_a_name() -> None:
    assert sorted(written_codes() - set(ACTIONS)) == []

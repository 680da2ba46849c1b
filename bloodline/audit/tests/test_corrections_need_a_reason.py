"""Every correction path passes ``correction=True`` to ``record()``, which refuses it without
a reason (decision 0032 lists them). Each path also words its own refusal at the form field;
this is the last line, so no correction reaches the trail without saying why."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction

from bloodline.accounts.system import system_actor
from bloodline.audit.record import MissingReason, record

ROOT = Path(__file__).resolve().parents[2]
# Voids, overrides, merges, result corrections, edits of reconciled drives and reopenings.
CORRECTIONS = {
    "din.void",
    "donor.merge",
    "donor.merged_into",
    "result.correct",
    "drive.correct",
    "drive.reopen",
    "presentation.{decision}",  # correction when the decision is an override
}


def _calls() -> dict[str, list[ast.Call]]:
    found: dict[str, list[ast.Call]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "record":
                action = next((k.value for k in node.keywords if k.arg == "action"), None)
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    found.setdefault(action.value, []).append(node)
                elif isinstance(action, ast.JoinedStr):
                    found.setdefault(ast.unparse(action)[2:-1], []).append(node)
    return found


def test_every_correction_path_says_it_is_a_correction():
    calls = _calls()
    missing = sorted(CORRECTIONS - set(calls))
    assert missing == [], f"correction paths not found: {missing}"
    flagged = {
        code
        for code in CORRECTIONS
        for call in calls[code]
        if any(k.arg == "correction" for k in call.keywords)
    }
    assert sorted(CORRECTIONS - flagged) == []


@pytest.mark.django_db
def test_a_correction_without_a_reason_is_refused():
    actor = system_actor()
    with transaction.atomic(), pytest.raises(MissingReason):
        record(by=actor, action="din.void", obj=actor, changes={}, reason="  ", correction=True)

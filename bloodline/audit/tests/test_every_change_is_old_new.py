"""Every audit event stores ``{field: [old, new]}`` (decision 0032, QUALITY.md T4).

The code is walked for every ``record(…)`` call: a literal ``changes`` must give each key an
``[old, new]`` pair, and ``record`` itself refuses anything else at run time, so a computed
``changes`` is held to the same shape by the action's own tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction

from bloodline.accounts.system import system_actor
from bloodline.audit.record import NotOldNew, mask_changes, masked, record

ROOT = Path(__file__).resolve().parents[2]


def _record_calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts) or path.name == "record.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name == "record" and any(k.arg == "by" for k in node.keywords):
                found.append((str(path.relative_to(ROOT)), node.lineno, node))
    return found


def _pair(node: ast.expr) -> bool:
    return isinstance(node, ast.List | ast.Tuple) and len(node.elts) == 2


def _problems(call: ast.Call) -> list[str]:
    changes = next((k.value for k in call.keywords if k.arg == "changes"), None)
    return [] if changes is None else _shape(changes)


def _shape(changes: ast.expr) -> list[str]:
    if isinstance(changes, ast.Name):
        return []  # computed: record() checks the shape when the action runs
    if isinstance(changes, ast.Call):
        return [] if getattr(changes.func, "id", "") == "diff" else [ast.unparse(changes)]
    if isinstance(changes, ast.IfExp):
        return _shape(changes.body) + _shape(changes.orelse)
    if isinstance(changes, ast.DictComp):
        ok = _pair(changes.value) or isinstance(changes.value, ast.Name)  # passed through
        return [] if ok else [ast.unparse(changes)]
    if isinstance(changes, ast.Dict):
        bad = []
        for key, value in zip(changes.keys, changes.values, strict=True):
            if key is None:  # **spread
                bad += _shape(value)
            elif not _pair(value):
                bad.append(ast.unparse(key))
        return bad
    return [ast.unparse(changes)]


def test_the_walk_finds_the_actions():
    assert len(_record_calls()) > 50


@pytest.mark.parametrize(
    ("where", "line", "call"), _record_calls(), ids=[f"{w}:{n}" for w, n, _ in _record_calls()]
)
def test_every_recorded_change_is_old_and_new(where, line, call):
    assert _problems(call) == [], f"{where}:{line} records a change that is not [old, new]"


@pytest.mark.django_db
def test_record_refuses_a_change_that_is_not_old_and_new():
    actor = system_actor()
    with transaction.atomic(), pytest.raises(NotOldNew):
        record(by=actor, action="user.update", obj=actor, changes={"count": 2})


def test_identifiers_are_masked_to_their_last_three_characters():
    assert masked("+84912345678") == "•••678"
    assert masked("12") == "•••" and masked("") == "" and masked(None) is None
    assert mask_changes("donors.identitydocument", {"number": [None, "079090001234"]}) == {
        "number": [None, "•••234"]
    }
    # "number" is a plan's or transfer's own number elsewhere: left as written.
    assert mask_changes("programmes.plan", {"number": ["1", "2"]}) == {"number": ["1", "2"]}
    assert mask_changes("accounts.user", {"phone": ["0912000111", None]}) == {
        "phone": ["•••111", None]
    }

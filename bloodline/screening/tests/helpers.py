"""Facts for tests: a healthy 36-year-old asking to give whole blood, changed per case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bloodline.jurisdictions.loader import registry
from bloodline.screening.engine import Decision, Donation, Facts, evaluate_on

E, T, P, R = "eligible", "deferred_temporary", "deferred_permanent", "review"


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def facts(**changes: Any) -> Facts:
    values: dict[str, Any] = {
        "on": "2026-06-15",
        "sex": "M",
        "date_of_birth": "1990-01-01",
        "donation_type": "whole_blood",
    }
    values.update(changes)
    for key in ("on", "date_of_birth"):
        values[key] = d(values[key])
    values["history"] = [Donation(d(on), kind, ml) for on, kind, ml in values.get("history", [])]
    values["event_dates"] = {k: d(v) for k, v in values.get("event_dates", {}).items()}
    return Facts(**values)


def decide(code: str, **changes: Any) -> Decision:
    return evaluate_on(code, facts(**changes), registry)


def codes(decision: Decision) -> list[str]:
    return [r.code for r in decision.reasons]

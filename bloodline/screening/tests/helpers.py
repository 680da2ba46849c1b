"""Facts for tests: a healthy 36-year-old asking to give whole blood, changed per case."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bloodline.jurisdictions.loader import Registry, registry
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


VITAL_KEYS = (
    "systolic_min",
    "systolic_max",
    "diastolic_min",
    "diastolic_max",
    "pulse_min",
    "pulse_max",
    "temperature_max_c",
)


def confirm_vn_limits(text: str) -> str:
    """The Vietnamese rule file as a deployer would leave it after confirming the candidate
    vital-sign and Hb limits against the circular (here cited as S33, the primary text)."""
    lines = []
    for line in text.splitlines():
        if line.split(" = ", 1)[0] in (*VITAL_KEYS, "M", "F"):
            head, rest = line.split(" = {", 1)
            rest = re.sub(r"source = \[[^\]]*\], ", "", rest).replace("verified = false, ", "")
            rest = re.sub(r", note = \{.*\} \}$", " }", rest)
            line = f'{head} = {{ source = ["S33"],{rest}'
        lines.append(line)
    return "\n".join(lines) + "\n"


def rules_copy(folder: Path, *edits: tuple[str, Callable[[str], str]]) -> Path:
    """A copy of the shipped rule files in ``folder``, each named file changed by its edit."""
    from django.conf import settings

    for f in Path(settings.BLOODLINE_RULES_DIR).glob("*.toml"):
        shutil.copy(f, folder)
    for name, edit in edits:
        target = folder / name
        target.write_text(edit(target.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def registry_from(folder: Path) -> Registry:
    loaded = Registry()
    loaded.load(folder)
    return loaded


def allow_overrides(*codes: str) -> Callable[[str], str]:
    """An edit marking ``codes`` overridable, as a deployer would (cited here as S33)."""
    entries = ", ".join(f'{{ code = "{c}", source = ["S33"] }}' for c in codes)

    def edit(text: str) -> str:
        return text.replace(
            "\nprovenance = ", f"\nphysician_overrides = [{entries}]\nprovenance = ", 1
        )

    return edit

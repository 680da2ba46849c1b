"""Loads rule-set files, validates them and answers "which rules apply here, on this date?".

A file holds one version of one rule set. A version may name another version of the same
rule set in ``based_on`` and then list only what changed; the merged result is validated as a
whole, so a revision can never silently lose a threshold.
"""

from __future__ import annotations

import datetime as dt
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bloodline.jurisdictions.schema import RuleSet


class RuleSetError(Exception):
    """A rule file that cannot be used, with the file, the key and the reason."""

    def __init__(self, path: Path | str, key: str, reason: str) -> None:
        self.path = str(path)
        self.key = key
        self.reason = reason
        super().__init__(f"{Path(self.path).name}: {key or '(file)'}: {reason}")


class UnknownRuleSet(LookupError):
    pass


def _merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(path, "", f"not valid TOML ({exc})") from exc


def _key(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location)


def parse_files(paths: list[Path]) -> list[RuleSet]:
    raw = {path: _read(path) for path in sorted(paths)}
    by_version: dict[tuple[str, str], tuple[Path, dict[str, Any]]] = {}
    for path, data in raw.items():
        ident = (str(data.get("code", "")), str(data.get("version", "")))
        if ident in by_version:
            raise RuleSetError(path, "version", f"{ident[0]} {ident[1]} is also defined elsewhere")
        by_version[ident] = (path, data)

    def resolved(ident: tuple[str, str], seen: tuple[tuple[str, str], ...]) -> dict[str, Any]:
        path, data = by_version[ident]
        base_version = data.get("based_on")
        if base_version is None:
            return data
        base_ident = (ident[0], str(base_version))
        if base_ident not in by_version:
            raise RuleSetError(path, "based_on", f"no version {base_version!r} of {ident[0]}")
        if base_ident in seen:
            raise RuleSetError(path, "based_on", "versions are based on each other in a loop")
        change = {k: v for k, v in data.items() if k != "based_on"}
        base = resolved(base_ident, (*seen, ident))
        # Dates and status belong to each version; they are never inherited.
        base = {k: v for k, v in base.items() if k not in {"effective_from", "effective_to"}}
        return _merge(base, change)

    rule_sets = []
    for ident, (path, _data) in by_version.items():
        try:
            rule_sets.append(RuleSet.model_validate(resolved(ident, (ident,))))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise RuleSetError(path, _key(first["loc"]), first["msg"]) from exc
    return rule_sets


@dataclass
class Registry:
    """All loaded rule sets, by code, newest version last."""

    _by_code: dict[str, list[RuleSet]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def load(self, directory: Path | None = None) -> None:
        if directory is None:
            from django.conf import settings

            directory = Path(settings.BLOODLINE_RULES_DIR)
        paths = list(directory.glob("*.toml"))
        if not paths:
            raise RuleSetError(directory, "", "no rule-set files (*.toml) in this folder")
        by_code: dict[str, list[RuleSet]] = {}
        for rule_set in parse_files(paths):
            by_code.setdefault(rule_set.code, []).append(rule_set)
        for versions in by_code.values():
            versions.sort(key=lambda r: (r.effective_from or dt.date.max, r.version))
        with self._lock:
            self._by_code = by_code

    def codes(self) -> list[str]:
        return sorted(self._by_code)

    def versions(self, code: str) -> list[RuleSet]:
        try:
            return list(self._by_code[code])
        except KeyError as exc:
            raise UnknownRuleSet(code) from exc

    def get(self, code: str, on: dt.date) -> RuleSet:
        """The version in force on ``on``; drafts never apply."""
        in_force = [
            r
            for r in self.versions(code)
            if r.status == "in_force"
            and r.effective_from is not None
            and r.effective_from <= on
            and (r.effective_to is None or on < r.effective_to)
        ]
        if not in_force:
            raise UnknownRuleSet(f"{code} has no version in force on {on.isoformat()}")
        return max(in_force, key=lambda r: r.effective_from or dt.date.min)

    def current(self, code: str) -> RuleSet:
        return self.get(code, dt.date.today())


registry = Registry()

"""The README's layout section names every app of the tree, bottom layer first, in the order
of the layering contract (pyproject.toml [tool.importlinter], decision 0023)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _apps() -> set[str]:
    return {p.parent.name for p in (ROOT / "bloodline").glob("*/apps.py")} | {"lib"}


def _layout_names() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    names = [n.removeprefix("bloodline/") for n in re.findall(r"`([a-z_/]+)`", section)]
    apps = _apps()
    ordered: list[str] = []
    for name in names:
        if name in apps and name not in ordered:
            ordered.append(name)
    return ordered


def _contract_layers() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers"]
    return [
        {part.strip().removeprefix("bloodline.") for part in layer.split("|")}
        for layer in reversed(contract["layers"])
    ]


def test_it_names_every_app_in_the_layout_section() -> None:
    assert set(_layout_names()) == _apps()


def test_every_app_is_in_the_layering_contract() -> None:
    assert set().union(*_contract_layers()) == _apps()


def test_the_layout_lists_the_apps_bottom_layer_first() -> None:
    layer_of = {app: i for i, layer in enumerate(_contract_layers()) for app in layer}
    positions = [layer_of[name] for name in _layout_names()]
    assert positions == sorted(positions), _layout_names()

"""The layering contract (pyproject.toml [tool.importlinter], decision 0023) run by `make lint`:
the tree keeps it, and an import pointing up — at module level or inside a function — breaks
it. The package's Python files are copied to a temporary directory and one import is added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _python_files_only(directory: str, names: list[str]) -> list[str]:
    return [
        n
        for n in names
        if n == "__pycache__" or (not n.endswith(".py") and not (Path(directory) / n).is_dir())
    ]


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(cwd)},
        check=False,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "bloodline", tmp_path / "bloodline", ignore=_python_files_only)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _append(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + code + "\n", encoding="utf-8")


def test_it_keeps_the_contract_in_the_tree() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_it_fails_when_a_lower_app_imports_the_demo(copy: Path) -> None:
    _append(copy / "bloodline/organisations/kinds.py", "import bloodline.demo.seed  # noqa")
    result = _lint(copy)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert "bloodline.organisations.kinds -> bloodline.demo.seed" in result.stdout


def test_it_fails_on_an_upward_import_inside_a_function(copy: Path) -> None:
    _append(
        copy / "bloodline/drives/planning.py",
        "def _late():\n    from bloodline.screening import models\n\n    return models",
    )
    result = _lint(copy)
    assert result.returncode == 1
    assert "bloodline.drives.planning -> bloodline.screening.models" in result.stdout


def test_it_fails_when_two_independent_apps_import_each_other(copy: Path) -> None:
    _append(copy / "bloodline/inventory/sweep.py", "from bloodline.screening import models  # noqa")
    result = _lint(copy)
    assert result.returncode == 1
    assert "bloodline.inventory.sweep -> bloodline.screening.models" in result.stdout

"""Every source id cited by rule data or code exists, checked from a clone alone.

The ids are shipped in `jurisdictions/source_ids.txt`. Beside the shared domain folder the copy
must equal the ids of `sources.md`; without it the run fails under CI (where the folder is always
beside the checkout) and otherwise checks the shipped copy alone. Nothing here ever skips.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from bloodline.jurisdictions import sources

RULES = Path(settings.BLOODLINE_RULES_DIR)
CODE = settings.BASE_DIR / "bloodline"
DOCS = settings.BASE_DIR / "docs"
TEXT = {".py", ".html", ".txt", ".js", ".toml", ".md"}
BIBLIOGRAPHY = """\
| Id | Title | URL |
|---|---|---|
| S1 | ICCBBA ST-001 | https://www.iccbba.org |
| S2 | label tool | — |

## R — computer-system regulation
| R1 | FDA letter | https://example.org |
"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _check_the_shipped_copy() -> list[str]:
    shipped = sources.shipped_ids()
    assert shipped, f"{sources.SHIPPED} lists no source ids"
    assert not sources.well_formed(shipped), sources.well_formed(shipped)
    bibliography = sources.shared_sources()
    if bibliography.exists():
        ids = sources.ids_in_bibliography(bibliography.read_text(encoding="utf-8"))
        assert shipped == ids, sources.stale(shipped, ids)
    elif _in_ci():
        pytest.fail(
            f"CI runs with the shared domain folder beside the checkout, but {bibliography} "
            "is missing: the source ids cannot be compared with their bibliography"
        )
    return shipped


def _cited_in_code() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for root in (CODE, DOCS):
        for path in sorted(root.rglob("*")):
            if path.suffix in TEXT and path != sources.SHIPPED and path.is_file():
                ids = sources.ids_in_citations(path.read_text(encoding="utf-8"))
                if ids:
                    found[str(path.relative_to(settings.BASE_DIR))] = ids
    return found


def test_it_keeps_the_shipped_copy_in_step_with_the_shared_bibliography() -> None:
    assert len(_check_the_shipped_copy()) >= 100


def test_it_fails_loudly_in_ci_when_the_domain_folder_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BLOODLINE_SHARED_DIR", str(tmp_path / "not-there"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="shared domain folder"):
        _check_the_shipped_copy()


def test_it_fails_loudly_when_the_shipped_copy_is_stale(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "sources.md").write_text(BIBLIOGRAPHY, encoding="utf-8")
    monkeypatch.setenv("BLOODLINE_SHARED_DIR", str(tmp_path))
    with pytest.raises(AssertionError, match=r"stale: missing \[\], not in the bibliography"):
        _check_the_shipped_copy()
    with pytest.raises(CommandError, match=r"source_ids\.txt is stale"):
        call_command("sync_source_ids", "--check")


def test_the_command_writes_the_ids_of_the_bibliography_in_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "sources.md").write_text(BIBLIOGRAPHY, encoding="utf-8")
    monkeypatch.setenv("BLOODLINE_SHARED_DIR", str(tmp_path))
    monkeypatch.setattr(sources, "SHIPPED", tmp_path / "source_ids.txt")
    call_command("sync_source_ids", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert sources.shipped_ids(tmp_path / "source_ids.txt") == ["S1", "S2", "R1"]
    call_command("sync_source_ids", "--check", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_every_source_id_in_the_rule_data_exists() -> None:
    known = set(_check_the_shipped_copy())
    used = {
        path.name: sources.ids_in_rule_data(path.read_text(encoding="utf-8"))
        for path in sorted(RULES.glob("*.toml"))
    }
    assert used and all(used.values()), "each rule file cites its sources"
    unknown = {name: sorted(ids - known) for name, ids in used.items() if ids - known}
    assert not unknown, unknown


def test_every_source_id_cited_in_code_exists() -> None:
    known = set(_check_the_shipped_copy())
    cited = _cited_in_code()
    assert "S1" in cited.get("bloodline/lib/isbt128.py", set())
    unknown = {path: sorted(ids - known) for path, ids in cited.items() if ids - known}
    assert not unknown, unknown


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("MAX = 999_999  # six digits [S1 §2.4.1]", {"S1"}),
        ("MODULUS = 37  # ISO/IEC 7064 MOD 37-2 [S1 App. A; S3]", {"S1", "S3"}),
        ("# for an RhD-negative female over 50 (S63).", {"S63"}),
        ("{# Hb bands [R12, U21] #}", {"R12", "U21"}),
        ('SECRET_KEY = "x"  # noqa: S105', set()),
    ],
)
def test_it_reads_citations_the_way_the_code_writes_them(text: str, ids: set[str]) -> None:
    assert sources.ids_in_citations(text) == ids

"""The source ids that rule data and code may cite, shipped with the code.

The bibliography itself lives in the shared domain folder (`../shared/domain/sources.md`), which
is not part of a clone. `source_ids.txt` beside this module is a copy of its ids, written by
`manage.py sync_source_ids`, so the check that every cited id exists runs everywhere; where the
domain folder is present the copy is compared with it (`manage.py sync_source_ids --check`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings

from bloodline.jurisdictions.schema import SOURCE_ID

SHIPPED = Path(__file__).with_name("source_ids.txt")
HEADER = (
    "# Source ids of ../shared/domain/sources.md, one a line, in its order.\n"
    "# Written by `manage.py sync_source_ids`; do not edit by hand.\n"
)
_ROW = re.compile(r"^\| ([SRU][0-9]+) \|", re.M)
# A citation in code or a template: a bracketed or parenthesised group that starts with an id,
# such as [S63], [S1 §2.4.1], [S1 App. A; S3] or (S63). Inside it, every id counts.
_CITATION = re.compile(r"[\[(]([SRU][0-9]+\b[^\])\n]*)[\])]")
_ID = re.compile(r"\b[SRU][0-9]+\b")
_QUOTED_ID = re.compile(r'"([SRU][0-9]+)"')


def shared_sources() -> Path:
    """Where the shared bibliography is expected: `$BLOODLINE_SHARED_DIR` or `../shared`."""
    shared = os.environ.get("BLOODLINE_SHARED_DIR") or settings.BASE_DIR.parent / "shared"
    return Path(shared) / "domain" / "sources.md"


def ids_in_bibliography(text: str) -> list[str]:
    """The ids of the table rows of `sources.md`, in their order."""
    return _ROW.findall(text)


def render(ids: list[str]) -> str:
    return HEADER + "".join(f"{i}\n" for i in ids)


def shipped_ids(path: Path | None = None) -> list[str]:
    lines = (path or SHIPPED).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ids_in_rule_data(text: str) -> set[str]:
    """Every quoted id in a rule file (`source = ["S34"]` and any other key)."""
    return set(_QUOTED_ID.findall(text))


def ids_in_citations(text: str) -> set[str]:
    """Every id inside a citation such as [S63] or [S1 App. A; S3] in code or a template."""
    return {i for group in _CITATION.findall(text) for i in _ID.findall(group)}


def well_formed(ids: list[str]) -> list[str]:
    """What is wrong with a list of ids: not an id, or listed twice."""
    wrong = [f"{i!r} is not a source id" for i in ids if not re.match(SOURCE_ID, i)]
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            wrong.append(f"{i} is listed twice")
        seen.add(i)
    return wrong


def stale(shipped: list[str], bibliography: list[str]) -> str:
    """Why the shipped copy differs from the bibliography's ids, for a loud failure."""
    missing = [i for i in bibliography if i not in shipped]
    gone = [i for i in shipped if i not in bibliography]
    order = "" if missing or gone else " (same ids, another order)"
    return (
        f"{SHIPPED.name} is stale{order}: missing {missing}, not in the bibliography {gone}; "
        "run `manage.py sync_source_ids` and commit the file"
    )

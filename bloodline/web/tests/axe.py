"""Accessibility checks with axe-core in the real browser (decision 0036).

``assert_accessible(page)`` runs axe-core's WCAG 2.0/2.1/2.2 A and AA rules and its best
practices on the page as shown, and fails with one line per violation: its rule id, impact,
help text and the CSS selectors of the elements at fault.

axe-core's JavaScript comes bundled in the ``axe-playwright-python`` package (a dev
dependency): nothing is fetched at run time. It is run through Playwright's ``evaluate``,
which goes through the browser's DevTools protocol and is not subject to the page's
Content-Security-Policy, so the page is checked under the very policy it is served with (no
``bypass_csp`` context). Adding axe as a ``<script>`` tag would be refused by
``script-src 'self'``, as it should be.
"""

from __future__ import annotations

import json
from typing import Any

from axe_playwright_python.base import AXE_SCRIPT

# Success criteria of WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices
# (one main landmark, all content in landmarks, headings in order, one h1…).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Rules switched off, each with its reason. Keep this empty unless a rule cannot apply.
DISABLED: dict[str, str] = {}


def violations(page: Any, *, context: Any = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page (or inside ``context``, an axe context such as a
    selector or ``{"include": [...], "exclude": [...]}``)."""
    page.wait_for_load_state()
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    options = {
        "runOnly": {"type": "tag", "values": TAGS},
        "rules": {rule: {"enabled": False} for rule in DISABLED},
        "resultTypes": ["violations"],
    }
    results = page.evaluate(
        "([context, options]) => axe.run(context || document, options)",
        [context, options],
    )
    return list(results["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        targets = "; ".join(json.dumps(node["target"]) for node in violation["nodes"])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return "\n".join(lines)


def assert_accessible(page: Any, *, context: Any = None) -> None:
    """Fail with every axe-core violation on the page, one line each."""
    found = violations(page, context=context)
    assert not found, f"{len(found)} accessibility violation(s) on {page.url}:\n{describe(found)}"

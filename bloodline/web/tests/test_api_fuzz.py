"""The JSON API fuzzed from its own OpenAPI document (QUALITY.md T6, decision 0035).

schemathesis reads /api/v1/openapi.json from the app in process (WSGI) and sends generated
requests to every operation as three roles (establishment admin, drive nurse, hospital user),
signed in by session cookie with the CSRF token the API expects. Each operation gets a few
valid (positive) and a few invalid (negative) examples, half of them aimed at real objects of
the matrix's data set (the ``world`` fixture of conftest.py, shared with the permission
matrix), with a fixed seed. Every answer must be no server error, have a status the document
declares, and match the declared body. All problems are collected and reported together, so a
run shows every broken operation at once; the figures (operations, cases sent, server errors,
schema violations) are printed and shown in pytest's closing summary.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from bloodline.web.tests.matrix_world import World
from bloodline.web.tests.permission_matrix import OPERATIONS, PARAM_KINDS

ROLES = ("establishment_admin", "drive_nurse", "hospital_user")
# Examples per operation, role, mode and target: about 71 operations x 3 roles x 4 x this stays
# within about two minutes per database on the two-core test machine.
EXAMPLES = 2
SEED = 20261206
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
CSRF = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # any 32 letters: cookie and header must agree


def _real_path_parameters(method: str, path: str, world: World, persona: str) -> dict[str, str]:
    """The operation's path parameters pointing at objects of the persona's own side."""
    key = f"{method.upper()} {path.removeprefix('/api/v1')}"
    row = OPERATIONS.get(key)
    if row is None:
        return {}
    values = {}
    for name in PARAM_KINDS.keys() | {"public_id"}:
        if "{" + name + "}" not in path:
            continue
        kind = row.kind if name == "public_id" else PARAM_KINDS[name]
        if kind is None:
            return {}
        values[name] = world.key(kind, "vn", persona)
    return values


@dataclass
class Tally:
    """What one role's run sent and what the checks found."""

    operations: int = 0
    cases: int = 0
    server_errors: int = 0  # answers with a 5xx status
    failed: Counter[str] = field(default_factory=Counter)  # check name -> cases failing it
    problems: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, int]:
        return {
            "operations": self.operations,
            "cases sent": self.cases,
            "5xx": self.server_errors,
            "schema violations": self.failed[response_schema_conformance.__name__],
            "undeclared statuses": self.failed[status_code_conformance.__name__],
        }

    def check(self, case: Any, response: Any, persona: str) -> None:
        self.cases += 1
        self.server_errors += response.status_code >= 500
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, FailureGroup):
            self._attribute(case, response, persona)

    def _attribute(self, case: Any, response: Any, persona: str) -> None:
        """A failing answer checked again one check at a time, so each is counted on its own."""
        for check in CHECKS:
            try:
                case.validate_response(response, checks=[check])
            except (AssertionError, FailureGroup) as failure:  # collected, reported at the end
                self.failed[check.__name__] += 1
                first = str(failure).strip().splitlines()[:6]
                self.problems.append(
                    f"{persona} {case.operation.method.upper()} {case.formatted_path} "
                    f"→ {response.status_code} [{check.__name__}]: " + " | ".join(first)
                )


def _fuzz(operation: Any, world: World, persona: str, tally: Tally) -> None:
    real = _real_path_parameters(operation.method, operation.path, world, persona)
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        if real:
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=real))
    cookies = {settings.SESSION_COOKIE_NAME: world.sessions[persona], "csrftoken": CSRF}
    headers = {"X-CSRFToken": CSRF, "Accept-Language": "en"}

    @seed(SEED)
    @hypothesis_settings(
        max_examples=EXAMPLES * len(strategies),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        # A savepoint per request: a write in one example is gone in the next.
        with transaction.atomic():
            response = case.call(cookies=cookies, headers=headers)
            tally.check(case, response, persona)
            transaction.set_rollback(True)

    run()


@pytest.mark.parametrize("persona", ROLES)
def test_the_api_answers_as_its_schema_says(
    world: World, db: None, persona: str, record_property: Any
) -> None:
    app = get_wsgi_application()
    # As Django's test client does: a request must not close the test's connection (it is in
    # the module's transaction, which PostgreSQL would otherwise lose).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        tally = _fuzz_all(app, world, persona)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    # Shown in the closing summary by conftest.pytest_terminal_summary, and here with -s.
    record_property("figures", tally.figures())
    print(f"\nAPI fuzz as {persona}:", tally.figures())
    assert tally.operations > 60, "the schema lost its operations"
    problems = tally.problems
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(sorted(set(problems)))


def _fuzz_all(app: Any, world: World, persona: str) -> Tally:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tally = Tally()
    for result in schema.get_all_operations():
        tally.operations += 1
        _fuzz(result.ok(), world, persona, tally)
    return tally

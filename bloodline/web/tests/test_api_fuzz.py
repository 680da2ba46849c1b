"""The JSON API fuzzed from its own OpenAPI document (QUALITY.md T6, decision 0035).

schemathesis reads /api/v1/openapi.json from the app in process (WSGI) and sends generated
requests to every operation as three roles (establishment admin, drive nurse, hospital user),
signed in by session cookie with the CSRF token the API expects. Each operation gets a few
valid (positive) and a few invalid (negative) examples, half of them aimed at real objects of
the matrix's data set, with a fixed seed. Every answer must be no server error, have a status
the document declares, and match the declared body. All problems are collected and reported
together, so a run shows every broken operation at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
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

from bloodline.web.tests.matrix_world import World, build
from bloodline.web.tests.permission_matrix import OPERATIONS, PARAM_KINDS

ROLES = ("establishment_admin", "drive_nurse", "hospital_user")
# Examples per operation, role, mode and target: about 69 operations x 3 roles x 4 x this stays
# within about two minutes per database on the two-core test machine.
EXAMPLES = 2
SEED = 20261206
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
CSRF = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # any 32 letters: cookie and header must agree


@pytest.fixture
def _media_in_tmp() -> None:
    """The module's data set has its own media folder (see ``world``)."""


@pytest.fixture
def _fast_passwords() -> None:
    """``world`` sets the fast hasher for the module."""


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        world = build()
        for persona in ROLES:
            client = Client()
            client.force_login(world.users[persona])
            world.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield world
        transaction.set_rollback(True)


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


def _fuzz(operation: Any, world: World, persona: str, problems: list[str]) -> None:
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
            try:
                case.validate_response(response, checks=CHECKS)
            except (AssertionError, FailureGroup) as failure:  # collected, reported at the end
                first = str(failure).strip().splitlines()[:6]
                problems.append(
                    f"{persona} {operation.method.upper()} {case.formatted_path} "
                    f"→ {response.status_code}: " + " | ".join(first)
                )
            transaction.set_rollback(True)

    run()


@pytest.mark.parametrize("persona", ROLES)
def test_the_api_answers_as_its_schema_says(world: World, db: None, persona: str) -> None:
    app = get_wsgi_application()
    # As Django's test client does: a request must not close the test's connection (it is in
    # the module's transaction, which PostgreSQL would otherwise lose).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _fuzz_all(app, world, persona)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz_all(app: Any, world: World, persona: str) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    problems: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        _fuzz(operation, world, persona, problems)
    assert operations > 60, "the schema lost its operations"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(sorted(set(problems)))

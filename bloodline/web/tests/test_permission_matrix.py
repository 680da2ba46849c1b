"""Every page and every API operation, knocked on by every persona, on an object inside their
scope (Vietnam) and one outside it (China): the answer is the one ``permission_matrix`` says.

The endpoints are read from the running URLconf and the API's routers, so a new one fails
``test_every_endpoint_has_a_row`` until someone decides who may use it. Writes are sent an
empty or minimal body; a refused write, or one whose body was refused, writes no audit event
(every business write records one in its own transaction, decision 0001).

The data set is built once for the module and rolled back at its end; each case runs in its
own savepoint, so a write allowed in one case is gone in the next.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from bloodline.audit.models import AuditEvent
from bloodline.web.tests import matrix_probe as probe
from bloodline.web.tests.matrix_world import World
from bloodline.web.tests.permission_matrix import (
    COLUMNS,
    CROSS_COUNTRY_OPERATIONS,
    CROSS_COUNTRY_PAGES,
    CROSS_COUNTRY_PERSONAS,
    DONOR,
    DONOR_CELLS,
    OPERATIONS,
    OUTSIDE_THE_MATRIX,
    PAGES,
    PARAM_KINDS,
    SIDES,
    R,
    donor_expected,
)

SIDE_OF = {"inside": "vn", "outside": "cn"}
READS = {"GET", "HEAD"}


def _outside(key: str) -> bool:
    return any(key.startswith(prefix) for prefix in OUTSIDE_THE_MATRIX)


ENDPOINTS = {e.key: e for e in probe.pages() + probe.operations() if not _outside(e.key)}


def _row(
    endpoint: probe.Endpoint,
    pages: dict[str, R] = PAGES,
    operations: dict[str, R] = OPERATIONS,
) -> R | None:
    return (operations if endpoint.api else pages).get(endpoint.key)


def _without_row(pages: dict[str, R], operations: dict[str, R]) -> list[str]:
    return sorted(k for k, e in ENDPOINTS.items() if _row(e, pages, operations) is None)


def _cases() -> Iterator[Any]:
    for key, endpoint in ENDPOINTS.items():
        if _row(endpoint) is None:
            continue  # reported by test_every_endpoint_has_a_row
        for persona in (*COLUMNS, DONOR):
            for side in SIDES:
                kind = "api" if endpoint.api else "page"
                yield pytest.param(key, persona, side, id=f"{kind} {key} | {persona} | {side}")


@pytest.fixture
def _media_in_tmp() -> None:
    """Replaces the suite's per-test scratch folder: ``world`` gives the module one, and four
    thousand folders would cost more than the cases themselves."""


@pytest.fixture
def _fast_passwords() -> None:
    """Replaces the suite's per-test setting: ``world`` (conftest.py) sets the fast hasher for
    the module."""


def _url(endpoint: probe.Endpoint, row: R, world: World, persona: str, side: str) -> str:
    values = {}
    for name in endpoint.params:
        kind = row.kind if name == "public_id" else PARAM_KINDS[name]
        assert kind is not None, f"{endpoint.key}: name the object kind of {name}"
        values[name] = world.key(kind, SIDE_OF[side], persona)
    if endpoint.api:
        path = probe.API_PARAM.sub(lambda m: values[m.group("name")], endpoint.route)
        url = probe.API_PREFIX + path
    else:
        url = "/" + probe.PARAM.sub(lambda m: values[m.group("name")], endpoint.route)
    query = {name: world.key(kind, SIDE_OF[side], persona) for name, kind in row.query.items()}
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _fill(value: Any, world: World, persona: str, side: str) -> Any:
    """The row's body with each "@kind" replaced by that object of the case's side."""
    if isinstance(value, dict):
        return {k: _fill(v, world, persona, side) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world, persona, side) for v in value]
    if isinstance(value, str) and value.startswith("@"):
        return world.key(value[1:], SIDE_OF[side], persona)
    return value


def _ask(client: Client, endpoint: probe.Endpoint, row: R, url: str, body: Any) -> Any:
    if endpoint.api:
        method = endpoint.method
        data = "" if method in READS else json.dumps(body or {})
        return client.generic(method, url, data, content_type="application/json")
    if row.method in READS:
        return client.get(url)
    return client.post(url, body or {})


def test_a_new_endpoint_without_a_row_is_named() -> None:
    """The check below can fail: take one page and one operation out of the table."""
    pages = {k: v for k, v in PAGES.items() if k != "drives:register"}
    operations = {k: v for k, v in OPERATIONS.items() if k != "POST /drives/{public_id}/status"}
    assert _without_row(pages, operations) == [
        "POST /drives/{public_id}/status",
        "drives:register",
    ]


def test_every_endpoint_has_a_row() -> None:
    missing = _without_row(PAGES, OPERATIONS)
    assert not missing, (
        "These endpoints are not in the permission matrix. Add a row for each to PAGES "
        "(by URL name) or OPERATIONS ('METHOD /path') in bloodline/web/tests/"
        "permission_matrix.py, saying what each persona gets inside and outside their "
        "scope — or, if it truly has no scope, to OUTSIDE_THE_MATRIX with the reason: "
        + ", ".join(missing)
    )


def test_every_row_is_an_endpoint() -> None:
    """A row left behind by a removed or renamed endpoint would check nothing."""
    pages = {k for k, e in ENDPOINTS.items() if not e.api}
    operations = {k for k, e in ENDPOINTS.items() if e.api}
    assert set(PAGES) - pages == set()
    assert set(OPERATIONS) - operations == set()
    assert set(DONOR_CELLS) - set(ENDPOINTS) == set()


def test_every_grid_has_a_cell_for_each_persona() -> None:
    for key, row in {**PAGES, **OPERATIONS}.items():
        cells = row.grid.split()
        assert len(cells) == len(COLUMNS), key
        assert all(len(c) == 2 and set(c) <= set("AVFHL") for c in cells), key


@pytest.mark.parametrize(("key", "persona", "side"), list(_cases()))
def test_the_answer_is_the_one_in_the_matrix(
    world: World, db: None, key: str, persona: str, side: str
) -> None:
    endpoint = ENDPOINTS[key]
    row = _row(endpoint)
    assert row is not None
    client = Client()
    if persona != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    url = _url(endpoint, row, world, persona, side)
    events = AuditEvent.objects.count()
    body = _fill(row.body, world, persona, side)
    response = _ask(client, endpoint, row, url, body)
    got = probe.classify(response, endpoint)
    expected = donor_expected(key, row, side) if persona == DONOR else row.expected(persona, side)
    assert got == expected, f"got {got} ({response.status_code}) from {url}"
    method = endpoint.method if endpoint.api else row.method
    if method not in READS and got != probe.ALLOW:
        assert AuditEvent.objects.count() == events, "a refused write left an audit event"


def _cross_country_cases() -> Iterator[Any]:
    for key, endpoint in ENDPOINTS.items():
        row = _row(endpoint)
        if row is None or row.kind is None:
            continue  # no object: nothing of Vietnam's to reach
        chosen = (
            any(p in endpoint.route for p in CROSS_COUNTRY_OPERATIONS)
            if endpoint.api
            else key.startswith(CROSS_COUNTRY_PAGES)
        )
        if chosen:
            for persona in CROSS_COUNTRY_PERSONAS:
                kind = "api" if endpoint.api else "page"
                yield pytest.param(key, persona, id=f"{kind} {key} | {persona} | vn")


@pytest.mark.parametrize(("key", "persona"), list(_cross_country_cases()))
def test_chinese_staff_reach_nothing_of_vietnam(
    world: World, db: None, key: str, persona: str
) -> None:
    """Chinese staff on the Vietnamese object: a donor is hidden; elsewhere they get what an
    outsider gets (decision 0030), never more."""
    endpoint = ENDPOINTS[key]
    row = _row(endpoint)
    assert row is not None
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    url = _url(endpoint, row, world, persona, "inside")
    events = AuditEvent.objects.count()
    response = _ask(client, endpoint, row, url, _fill(row.body, world, persona, "inside"))
    got = probe.classify(response, endpoint)
    outsider = row.expected("outsider", "inside")
    if row.kind in ("donor", "duplicate"):
        allowed = {probe.HIDE}
    elif outsider == probe.ALLOW:
        allowed = {probe.ALLOW}
    else:
        allowed = {probe.HIDE, probe.FORBID}
    assert got in allowed, f"got {got} ({response.status_code}) from {url}"
    method = endpoint.method if endpoint.api else row.method
    if method not in READS and got != probe.ALLOW:
        assert AuditEvent.objects.count() == events, "a refused write left an audit event"

"""The permission matrix's data set, built once per test module, for the matrix and the API
fuzzer alike; and the figures tests report in pytest's closing summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from bloodline.web.tests.matrix_world import World, build

# A test reports its figures with ``record_property(FIGURES, {...})``; they are printed in the
# summary of every run (whatever -s or -q say, and from xdist workers too).
FIGURES = "figures"


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """The matrix's data set (``matrix_world.build``), rolled back at the module's end."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        world = build()
        # One session per persona, kept in the module's transaction: each case restores it
        # by rolling back, so even "log out" leaves the next case signed in.
        for persona, user in world.users.items():
            client = Client()
            client.force_login(user)
            world.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield world
        transaction.set_rollback(True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Each test's figures, and their sum over the parameters of a parametrised test."""
    recorded = sorted(
        (report.nodeid, figures)
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for key, figures in getattr(report, "user_properties", ())
        if key == FIGURES
    )
    if not recorded:
        return
    terminalreporter.section(FIGURES)
    totals: dict[str, Counter[str]] = {}
    for nodeid, figures in recorded:
        terminalreporter.write_line(f"{nodeid}: {_figures(figures)}")
        totals.setdefault(nodeid.split("[")[0], Counter()).update(figures)
    for test, total in totals.items():
        runs = sum(1 for nodeid, _ in recorded if nodeid.split("[")[0] == test)
        if runs > 1:
            terminalreporter.write_line(f"{test} (sum of {runs} runs): {_figures(total)}")


def _figures(figures: dict[str, int]) -> str:
    return ", ".join(f"{name} {value:,}" for name, value in figures.items())

"""Fixtures shared by every app's tests: the demo tree and its personas."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bloodline.organisations.demo import DEMO_PASSWORD, Demo, seed


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the default language: a request handled in an earlier test on this
    worker may have activated another one for the thread."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    # Uploaded plan documents go to a scratch folder, never into the checkout's var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Argon2 is deliberately slow; tests hash hundreds of passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db: None) -> Demo:
    """The generated demo programme: Vietnamese and Chinese trees and one user per persona."""
    return seed()


@pytest.fixture
def login(client: Client) -> Any:
    def as_persona(username: str, **headers: Any) -> Client:
        c = Client(**headers)
        assert c.login(username=username, password=DEMO_PASSWORD)
        return c

    return as_persona


@pytest.fixture
def flushable_audit(transactional_db: None) -> Any:
    """For tests with real transactions (live server, threads): lets the test database be
    emptied afterwards. The audit table refuses DELETE and TRUNCATE by trigger, and Django
    empties the database after each such test, so the trigger is lifted just before the flush;
    the flush ends with post_migrate, which puts it back (bloodline/audit/apps.py)."""
    from django.db import connection

    from bloodline.audit import guards
    from bloodline.lib import kept_rows

    yield
    guards.remove(connection)
    kept_rows.remove_all(connection)

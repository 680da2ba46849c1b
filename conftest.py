"""Fixtures shared by every app's tests: the demo tree and its personas."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bloodline.organisations.demo import DEMO_PASSWORD, Demo, seed


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
    """For tests on a live server: lets the test database be emptied afterwards.

    The audit table refuses DELETE and TRUNCATE by trigger; Django empties the database after
    each transactional test, so the trigger is lifted just before and restored for the next.
    """
    from django.db import connection

    from bloodline.audit import guards

    guards.install(connection)
    yield
    guards.remove(connection)

"""Start-up configuration: safe defaults, and a clear stop when production settings are missing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings


def start(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL"}
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={**clean, "DJANGO_SETTINGS_MODULE": "bloodline.settings", **env},
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "blood.example.org"}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS is not set"),
    ],
)
def test_production_refuses_to_start_without_its_settings(env, message):
    done = start(DEBUG="0", **env)
    assert done.returncode != 0
    assert message in done.stderr


def test_sqlite_is_the_default_and_database_url_selects_postgresql(tmp_path):
    sqlite = start(DEBUG="1", SQLITE_PATH=str(tmp_path / "x.sqlite3"))
    postgres = start(DEBUG="1", DATABASE_URL="postgres://u@127.0.0.1:5999/bloodline")
    assert sqlite.stdout.strip() == "django.db.backends.sqlite3"
    assert postgres.stdout.strip() == "django.db.backends.postgresql"


def test_a_malformed_boolean_is_reported_by_name():
    done = start(DEBUG="perhaps")
    assert done.returncode != 0 and "DEBUG must be one of" in done.stderr


def test_passwords_are_hashed_with_argon2_in_production():
    assert (
        settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
        or "MD5" in settings.PASSWORD_HASHERS[0]
    )  # tests swap in a fast hasher
    from bloodline import settings as configured

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")

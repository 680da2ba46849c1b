"""SQLite keeps its own settings (IMMEDIATE transactions, busy timeout, WAL) whichever way
the database is named: SQLITE_PATH or any DATABASE_URL form (decision 0034)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PRINT_DATABASE = (
    "import json; from bloodline import settings as s; "
    "d = s.DATABASES['default']; print(json.dumps({'ENGINE': d['ENGINE'], 'NAME': str(d['NAME']),"
    " 'OPTIONS': d.get('OPTIONS', {})}))"
)


def _database(**env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    clean.update(SECRET_KEY="x", ALLOWED_HOSTS="127.0.0.1", DEBUG="0", **env)
    out = subprocess.run(
        [sys.executable, "-c", PRINT_DATABASE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    "url",
    ["sqlite:///{path}", "sqlite:///{path}?", "sqlite://{path}"],
)
def test_a_sqlite_url_gets_the_same_options_as_the_default_path(tmp_path: Path, url: str) -> None:
    path = tmp_path / "db.sqlite3"
    default = _database(SQLITE_PATH=str(path))
    from_url = _database(DATABASE_URL=url.format(path=path))
    assert from_url["ENGINE"] == "django.db.backends.sqlite3"
    assert from_url["OPTIONS"] == default["OPTIONS"]
    options = from_url["OPTIONS"]
    assert isinstance(options, dict)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "journal_mode=WAL" in options["init_command"]


def test_a_postgres_url_gets_no_sqlite_options() -> None:
    db = _database(DATABASE_URL="postgres://u:p@127.0.0.1:5432/bloodline")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert "transaction_mode" not in dict(db["OPTIONS"])  # type: ignore[call-overload]

"""manage.py backup, then manage.py restore into a FRESH database (a new SQLite file, or a new
PostgreSQL database on the same server): the row count of every table and the audit head
match the manifest; a database that already has tables is refused (decision 0034)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bloodline.audit.models import AuditEvent

ROOT = Path(__file__).resolve().parents[3]


def _backup(directory: Path) -> tuple[Path, dict]:
    out = io.StringIO()
    call_command("backup", dir=directory, stdout=out)
    (file,) = [p for p in directory.iterdir() if not p.name.endswith(".json")]
    assert str(file) in out.getvalue()
    manifest = json.loads(file.with_name(file.name + ".manifest.json").read_text("utf-8"))
    return file, manifest


@contextmanager
def _fresh_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a manage.py naming a new, empty database."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.update(SECRET_KEY="x", ALLOWED_HOSTS="127.0.0.1", DEBUG="0")
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(tmp_path / "fresh" / "restored.sqlite3")
        yield env
        return
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{name}"
    env["DB_CONN_MAX_AGE"] = "0"
    try:
        yield env
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_a_backup_restores_into_a_fresh_database_with_equal_counts(
    flushable_audit, demo, tmp_path: Path
) -> None:
    file, manifest = _backup(tmp_path / "backups")
    assert file.name.startswith("bloodline-") and file.name.endswith("Z." + file.suffix[1:])
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"][AuditEvent._meta.db_table] == AuditEvent.objects.count() > 0
    assert manifest["audit_head"]["id"] == AuditEvent.objects.order_by("-pk").first().pk
    assert manifest["app_version"] and manifest["created_at"].endswith("+00:00")
    with _fresh_database(tmp_path) as env:
        restored = _manage(env, "restore", str(file))
        assert restored.returncode == 0, restored.stderr
        assert "row counts and the audit head match the manifest" in restored.stdout
        again = _manage(env, "restore", "--check-only", str(file))
        assert again.returncode == 0, again.stderr
        refused = _manage(env, "restore", str(file))
        assert refused.returncode != 0
        assert "not empty" in refused.stderr and "--force" in refused.stderr
        forced = _manage(env, "restore", "--force", str(file))
        assert forced.returncode == 0, forced.stderr


def test_restore_refuses_a_database_that_has_tables(flushable_audit, demo, tmp_path: Path) -> None:
    file, _manifest = _backup(tmp_path)
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(file))
    assert AuditEvent.objects.count() == before


def test_restore_refuses_a_file_that_does_not_match_its_manifest(
    flushable_audit, demo, tmp_path: Path
) -> None:
    file, _manifest = _backup(tmp_path)
    with file.open("ab") as f:
        f.write(b"tampered")
    with pytest.raises(CommandError, match="does not match its manifest"):
        call_command("restore", str(file), force=True)
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore", str(tmp_path / "missing.sqlite3"))

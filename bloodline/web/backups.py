"""Backups and restores of the whole database (decision 0034).

PostgreSQL: ``pg_dump --format=custom`` of one snapshot, restored with ``pg_restore``; the
binaries are found through ``pg_config --bindir`` and the connection settings are passed in the
environment (PGPASSWORD and friends), never on a command line or in a message. SQLite: the
online backup API (``sqlite3.Connection.backup``), a consistent copy while the site runs.

Beside every backup file lies a manifest: the engine, when, the app version, the file's SHA-256,
the row count of every table and the head of the audit trail. A restore refuses a database that
already has tables unless forced, checks the file against the manifest first and the restored
row counts and audit head against it afterwards.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

MANIFEST_SUFFIX = ".manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on, with the reason for the operator."""


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def app_version() -> str:
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"])


def _tables(cursor: Any) -> list[str]:
    return sorted(connection.introspection.table_names(cursor, include_views=False))


def _count(cursor: Any, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - introspected names
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _audit_head(cursor: Any) -> dict[str, Any] | None:
    """The last audit event: its id and the SHA-256 of its canonical JSON."""
    from bloodline.audit.models import AuditEvent

    if AuditEvent._meta.db_table not in _tables(cursor):
        return None
    last = AuditEvent.objects.order_by("-pk").first()
    if last is None:
        return None
    return {"id": last.pk, "sha256": hashlib.sha256(last.canonical().encode()).hexdigest()}


def current_state() -> tuple[dict[str, int], dict[str, Any] | None]:
    """Row counts per table and the audit head of the database Django is connected to."""
    with connection.cursor() as cursor:
        return _count(cursor, _tables(cursor)), _audit_head(cursor)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


# PostgreSQL ---------------------------------------------------------------------------------


def pg_binary(name: str) -> str:
    """A PostgreSQL client program: from ``pg_config --bindir``, else the newest Debian one."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        candidates.append(Path(bindir) / name)
    candidates += [Path(d) / name for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"))[::-1]]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found (apt-get install postgresql-client)")
    return found


def pg_environment() -> dict[str, str]:
    """The connection settings as libpq environment variables (the password never appears
    on a command line, where other users of the machine could read it)."""
    db = connection.settings_dict
    env = dict(os.environ)
    pairs = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
    }
    env.update({k: str(v) for k, v in pairs.items() if v})
    sslmode = db.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run(command: list[str]) -> None:
    done = subprocess.run(command, env=pg_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        program = Path(command[0]).name
        detail = done.stderr.strip().splitlines()[-1:] or ["no message"]
        raise BackupError(f"{program} failed: {detail[0]}")


# Backup -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backup:
    file: Path
    manifest: Path
    tables: int
    rows: int


def backup(directory: Path, now: dt.datetime | None = None) -> Backup:
    kind = engine()
    now = now or dt.datetime.now(dt.UTC)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    target = directory / f"bloodline-{stamp}.{'sqlite3' if kind == 'sqlite' else 'dump'}"
    if kind == "sqlite":
        counts, head = _backup_sqlite(target)
    else:
        counts, head = _backup_postgresql(target)
    manifest = {
        "format": FORMAT,
        "engine": kind,
        "created_at": now.isoformat(),
        "app_version": app_version(),
        "file": target.name,
        "sha256": _sha256(target),
        "tables": counts,
        "audit_head": head,
    }
    path = manifest_path(target)
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", "utf-8")
    return Backup(target, path, len(counts), sum(counts.values()))


def _backup_sqlite(target: Path) -> tuple[dict[str, int], dict[str, Any] | None]:
    connection.ensure_connection()
    source = connection.connection
    partial = target.with_name(target.name + ".partial")
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        # One self-contained file: no -wal or -shm beside it when it is opened later.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
    partial.rename(target)
    # The manifest describes the copy itself, whatever was written meanwhile.
    return _state_of_sqlite_file(target)


def _state_of_sqlite_file(path: Path) -> tuple[dict[str, int], dict[str, Any] | None]:
    from bloodline.audit.models import AuditEvent

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = sorted(
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        )
        counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
        audit = AuditEvent._meta.db_table
        query = f'SELECT MAX(id) FROM "{audit}"'  # noqa: S608 - a model's table name
        last = db.execute(query).fetchone()[0] if audit in counts else None
    finally:
        db.close()
    if last is None:
        return counts, None
    # The trail is append-only: the copy's last event is the live one with the same id.
    event = AuditEvent.objects.get(pk=last)
    return counts, {
        "id": event.pk,
        "sha256": hashlib.sha256(event.canonical().encode()).hexdigest(),
    }


def _backup_postgresql(target: Path) -> tuple[dict[str, int], dict[str, Any] | None]:
    partial = target.with_name(target.name + ".partial")
    # One snapshot for the counts and the dump: the manifest describes exactly the file.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _count(cursor, _tables(cursor))
        head = _audit_head(cursor)
        _run(
            [
                pg_binary("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={partial}",
            ]
        )
    partial.rename(target)
    return counts, head


# Restore ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    mismatches: list[str]


def read_manifest(backup_file: Path) -> dict[str, Any]:
    path = manifest_path(backup_file)
    if not backup_file.is_file():
        raise BackupError(f"no backup file at {backup_file}")
    if not path.is_file():
        raise BackupError(f"no manifest beside the backup (expected {path.name})")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except ValueError as exc:
        raise BackupError(f"the manifest {path.name} is not valid JSON") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"the manifest {path.name} has an unknown format")
    return manifest


def existing_tables() -> list[str]:
    with connection.cursor() as cursor:
        return _tables(cursor)


def restore(backup_file: Path, *, force: bool = False) -> Restored:
    manifest = read_manifest(backup_file)
    kind = engine()
    if manifest["engine"] != kind:
        raise BackupError(
            f"this backup is of a {manifest['engine']} database; the target is {kind}"
        )
    if _sha256(backup_file) != manifest["sha256"]:
        raise BackupError("the backup file does not match its manifest (damaged or replaced)")
    tables = existing_tables()
    if tables and not force:
        raise BackupError(
            f"the target database is not empty ({len(tables)} tables); restoring would "
            "overwrite it. Restore into a new database, or pass --force to replace it."
        )
    if kind == "sqlite":
        _restore_sqlite(backup_file)
    else:
        _restore_postgresql(backup_file, clean=bool(tables))
    return verify(manifest)


def _restore_sqlite(backup_file: Path) -> None:
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_postgresql(backup_file: Path, *, clean: bool) -> None:
    connection.close()
    database = str(connection.settings_dict["NAME"])
    command = [pg_binary("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, f"--dbname={database}", str(backup_file)])


def verify(manifest: dict[str, Any]) -> Restored:
    """Compare the database Django is connected to with a manifest."""
    counts, head = current_state()
    expected: dict[str, int] = manifest["tables"]
    mismatches = [
        f"{table}: {counts.get(table, 'missing')} rows, the backup had {rows}"
        for table, rows in sorted(expected.items())
        if counts.get(table) != rows
    ]
    if head != manifest["audit_head"]:
        mismatches.append("the audit trail's last event differs from the backup's")
    return Restored(len(expected), sum(expected.values()), mismatches)

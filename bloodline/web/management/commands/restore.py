"""manage.py restore FILE: a backup into an empty database, checked against its manifest
(decision 0034)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bloodline.web.backups import BackupError, read_manifest, restore, verify


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database, which must "
        "be empty unless --force; then compare row counts and the audit head with the manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file (its manifest lies beside)")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that already has tables"
        )
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="restore nothing; compare the configured database with the manifest",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check_only"]:
                result = verify(read_manifest(options["file"]))
            else:
                result = restore(options["file"], force=options["force"])
        except BackupError as exc:
            raise CommandError(f"Restore refused: {exc}") from exc
        if result.mismatches:
            raise CommandError(
                "The database does not match the backup's manifest:\n  "
                + "\n  ".join(result.mismatches)
            )
        verb = "Checked" if options["check_only"] else "Restored"
        self.stdout.write(
            f"{verb} {result.tables} tables ({result.rows} rows); row counts and the audit "
            "head match the manifest."
        )

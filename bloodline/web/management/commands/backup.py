"""manage.py backup: the whole database into a timestamped file and its manifest (decision 0034)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bloodline.web.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database into BACKUP_DIR (default var/backups), with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=None, help="folder for the backup (default BACKUP_DIR)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["dir"] or Path(settings.BACKUP_DIR)
        try:
            done = backup(directory)
        except BackupError as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        self.stdout.write(f"Backed up {done.tables} tables ({done.rows} rows) to {done.file}")
        self.stdout.write(f"Manifest: {done.manifest}")

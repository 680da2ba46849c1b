"""Fails when any user-visible string lacks a real translation in any of the six languages.

It re-extracts the messages from the code into a scratch copy of the catalogues, so a string
added to the code but not to the catalogues is caught, then checks every entry.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from bloodline.lib.catalogues import LOCALES, catalogue_paths, entry_keys, problems

IGNORE = [".venv/*", ".tools/*", "bench/*", "var/*", "staticfiles/*", "node_modules/*"]


class Command(BaseCommand):
    help = "Check that every translation catalogue is complete, current and unfuzzy."

    def handle(self, *args: Any, **options: Any) -> None:
        locale_dir = Path(settings.LOCALE_PATHS[0])
        committed = catalogue_paths(locale_dir)
        missing = [str(p) for p in committed if not p.exists()]
        if missing:
            raise CommandError("missing catalogues: " + ", ".join(missing))
        with tempfile.TemporaryDirectory() as scratch:
            fresh_dir = Path(scratch) / "fresh"
            self._extract_into(locale_dir, fresh_dir, Path(scratch) / "backup")
            found: list[str] = []
            for ours, fresh in zip(committed, catalogue_paths(fresh_dir), strict=True):
                stale = entry_keys(ours) - entry_keys(fresh)
                new = entry_keys(fresh) - entry_keys(ours)
                found += [f"{ours}: not in the code any more: “{k[1][:60]}”" for k in stale]
                found += [f"{ours}: new in the code: “{k[1][:60]}”" for k in new]
                found += problems(ours)
        if found:
            for line in found:
                self.stderr.write(line)
            raise CommandError(
                f"{len(found)} catalogue problem(s); run `make messages`, translate, and re-run."
            )
        self.stdout.write(f"All {len(committed)} catalogues complete and current.")

    @staticmethod
    def _extract_into(locale_dir: Path, fresh_dir: Path, backup_dir: Path) -> None:
        """Re-extract messages from the code; leave the result in ``fresh_dir``.

        makemessages writes into the project's own locale folder whatever LOCALE_PATHS says,
        so the committed catalogues are set aside first and always put back.
        """
        shutil.copytree(locale_dir, backup_dir)
        try:
            call_command(
                "makemessages",
                locale=list(LOCALES),
                ignore_patterns=IGNORE,
                no_obsolete=True,
                no_location=True,
                verbosity=0,
            )
            shutil.copytree(locale_dir, fresh_dir)
        finally:
            shutil.rmtree(locale_dir)
            shutil.copytree(backup_dir, locale_dir)

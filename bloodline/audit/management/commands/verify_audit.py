"""``manage.py verify_audit``: recompute the audit hash chains (decision 0032).

Exits with status 1 and names the first broken link of each broken chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bloodline.audit.chain import verify


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chains and name the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify(using=options["database"])
        for key, count in result.checked.items():
            self.stdout.write(f"chain {key}: {count} events checked")
        if not result.ok:
            for broken in result.breaks:
                self.stderr.write(f"BROKEN {broken}")
            raise CommandError(f"audit trail broken in {len(result.breaks)} chain(s)")
        self.stdout.write(self.style.SUCCESS("audit trail intact"))

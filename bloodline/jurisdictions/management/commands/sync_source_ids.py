"""Write (or, with --check, compare) the shipped copy of the shared source ids."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bloodline.jurisdictions import sources


class Command(BaseCommand):
    help = "Copy the source ids of ../shared/domain/sources.md into jurisdictions/source_ids.txt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="fail if the shipped copy differs; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bibliography = sources.shared_sources()
        if not bibliography.exists():
            raise CommandError(
                f"{bibliography} not found: put the shared folder beside the checkout "
                "or set BLOODLINE_SHARED_DIR"
            )
        ids = sources.ids_in_bibliography(bibliography.read_text(encoding="utf-8"))
        if not ids:
            raise CommandError(f"{bibliography} lists no source ids")
        wrong = sources.well_formed(ids)
        if wrong:
            raise CommandError(f"{bibliography}: " + "; ".join(wrong))
        if options["check"]:
            shipped = sources.shipped_ids()
            if shipped != ids:
                raise CommandError(sources.stale(shipped, ids))
            self.stdout.write(f"{len(ids)} source ids, in step with {bibliography}")
            return
        sources.SHIPPED.write_text(sources.render(ids), encoding="utf-8")
        self.stdout.write(f"wrote {len(ids)} source ids to {sources.SHIPPED}")

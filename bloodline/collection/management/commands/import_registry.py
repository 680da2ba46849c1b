"""``manage.py import_registry FILE --establishment <code|uuid>``: import a legacy registry
(donors and their donation history) from CSV or xlsx (decision 0045, docs/import-registry.md).

Prints the counts and writes the refused rows, each with its line and reason, to a report
beside the file (``--report`` to choose where). ``--dry-run`` checks everything and writes
nothing. The run is recorded under ``--by`` (a username), else the system actor."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.collection.registry_import import reading, report
from bloodline.collection.registry_import.importer import import_registry
from bloodline.organisations.models import Organisation


def _establishment(key: str) -> Organisation:
    try:
        found = Organisation.objects.filter(uuid=uuid.UUID(key))
    except ValueError:
        found = Organisation.objects.filter(official_code=key)
    match = list(found[:2])
    if len(match) != 1:
        raise CommandError(_("No single organisation has the code or id %(key)s.") % {"key": key})
    return match[0]


class Command(BaseCommand):
    help = "Import legacy donors and their donation history from a CSV or xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--establishment", required=True, help="official code or uuid")
        parser.add_argument("--source", default="legacy", help="name of the legacy system")
        parser.add_argument("--mapping", type=Path, help="JSON: file header → field")
        parser.add_argument("--report", type=Path, help="where to write the refused rows")
        parser.add_argument("--by", default="", help="username of the person importing")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        establishment = _establishment(options["establishment"])
        by = User.objects.get(username=options["by"]) if options["by"] else system_actor()
        try:
            mapping = reading.load_mapping(options["mapping"]) if options["mapping"] else None
            with path.open("rb") as stream:
                outcome = import_registry(
                    by=by,
                    establishment=establishment,
                    rows=reading.read(stream, mapping),
                    source=options["source"],
                    file_name=path.name,
                    dry_run=options["dry_run"],
                )
        except (OSError, reading.ImportFileError) as exc:
            raise CommandError(str(exc)) from exc
        for name, value in outcome.counts().items():
            self.stdout.write(f"{name}: {value}")
        if outcome.dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        elif not outcome.donors_added and not outcome.donations_added:
            self.stdout.write(_("Nothing new: everything in the file is already imported."))
        target = options["report"] or path.with_name(path.stem + ".rejected.csv")
        if outcome.rejections:
            data = report.as_xlsx if target.suffix == ".xlsx" else report.as_csv
            target.write_bytes(data(outcome.rejections))
            self.stdout.write(_("Refused rows (line and reason): %(path)s") % {"path": str(target)})

"""Re-encrypt identity numbers and phones with the newest FIELD_ENCRYPTION_KEYS key and
recompute their blind indexes with BLIND_INDEX_KEY (decision 0033). Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bloodline.donors.models import Donor, IdentityDocument
from bloodline.lib.crypto import rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt identity numbers and phones with the newest key in FIELD_ENCRYPTION_KEYS "
        "and recompute their blind indexes with BLIND_INDEX_KEY, in batches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch_size"]
        phones = rotate(Donor, "phone", "phone_index", size)
        numbers = rotate(IdentityDocument, "number", "number_index", size)
        self.stdout.write(
            f"Donor phones rewritten: {phones}; identity numbers rewritten: {numbers}."
        )

"""``manage.py check_progress_summaries``: recompute plan-progress day summaries and first-time
flags from raw donations (decision 0039), and the presentation and deferral day summaries from
raw presentations and deferrals (decision 0047), and their sums at every level of the tree
from the day summaries (decision 0049), and the distinct donors of every counted plan window
(decision 0052), and compare them with what is kept.

Exits with status 1 and names the first mismatches; ``--repair`` then rebuilds everything
from the raw rows (run it while no drive is collecting). It lives in ``reports``, the layer
that reads both halves."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from bloodline.collection import donor_windows, summaries
from bloodline.collection.models import DailyCredit, Donation
from bloodline.organisations import tally
from bloodline.organisations.models import Organisation
from bloodline.screening import summaries as screening_summaries
from bloodline.screening.models import DailyDeferralReason, DailyScreening, Deferral, Presentation

SHOWN = 10


class Command(BaseCommand):
    help = (
        "Compare the progress day summaries and first-time flags with raw donations, "
        "presentations and deferrals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repair", action="store_true", help="rebuild them from raw donations if they differ"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        flags = summaries.wrong_flags(Donation)
        rows = summaries.differences(
            summaries.recompute(Donation, Organisation), summaries.stored(DailyCredit)
        )
        for din, flag in flags[:SHOWN]:
            self.stderr.write(f"FLAG {din}: first-time kept {flag}, raw donations say {not flag}")
        for (org, day, drive), kept, expected in rows[:SHOWN]:
            self.stderr.write(
                f"DAY organisation {org} {day} drive {drive}: kept {_parts(kept)}, "
                f"raw donations give {_parts(expected)}"
            )
        screened = _screening_differences()
        for key, kept, expected in screened[:SHOWN]:
            self.stderr.write(
                f"SCREENING {key}: kept {kept or 'nothing'}, raw presentations give "
                f"{expected or 'nothing'}"
            )
        expected_tally = tally.expected(screening_summaries.every_day_row())
        tallied = tally.differences(expected_tally, tally.kept())
        for (node, day, drive, measure), kept, expected in tallied[:SHOWN]:
            self.stderr.write(
                f"TREE node {node} {day} drive {drive} {measure}: kept {kept or 0}, "
                f"the day summaries give {expected or 0}"
            )
        donors = donor_windows.differences()
        for measure, node, have, want in donors[:SHOWN]:
            self.stderr.write(
                f"DONORS node {node} {measure}: kept {have or 0}, raw donations give {want or 0}"
            )
        if not flags and not rows and not screened and not tallied and not donors:
            self.stdout.write(self.style.SUCCESS("progress summaries match the donations"))
            return
        if options["repair"]:
            with transaction.atomic():
                summaries.rebuild(Donation, Organisation, DailyCredit)
                screening_summaries.rebuild(
                    Presentation, Deferral, Organisation, DailyScreening, DailyDeferralReason
                )
                tally.rebuild(screening_summaries.every_day_row())
            donor_windows.refill_all()  # one transaction per window
            self.stdout.write(self.style.WARNING("progress summaries rebuilt from the donations"))
        raise CommandError(
            f"{len(flags)} first-time flag(s), {len(rows)} day summar(y/ies), "
            f"{len(screened)} screening summar(y/ies), {len(tallied)} tree figure(s) and "
            f"{len(donors)} distinct-donor count(s) differ"
            + (" (repaired)" if options["repair"] else "")
        )


def _parts(parts: summaries.Parts | None) -> str:
    if parts is None:
        return "nothing"
    return ", ".join(f"{n} {v}" for n, v in zip(summaries.PARTS, parts, strict=True))


def _screening_differences() -> list[tuple[Any, Any, Any]]:
    days, reasons = screening_summaries.recompute(Presentation, Deferral, Organisation)
    kept_days, kept_reasons = screening_summaries.stored(DailyScreening, DailyDeferralReason)
    return screening_summaries.differences(days, kept_days) + screening_summaries.differences(
        reasons, kept_reasons
    )

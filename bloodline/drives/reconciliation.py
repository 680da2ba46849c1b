"""A drive's reconciliation: who was registered, who came, who was deferred and why, what was
collected, which donation numbers were used or voided — and what does not add up.

Read-only figures, for the reconciliation page and the close/reconcile actions. Presentations
(screening) and donations (collection) are read through the drive's reverse relations, so
this module imports neither app: both sit above drives (decision 0023). The step, decision and
outcome codes it needs are spelt out below; a screening test keeps them equal to the models'.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bloodline.drives.models import (
    Drive,
    LabelSet,
    MismatchKind,
    MismatchResolution,
    Registration,
    VoidedDin,
)
from bloodline.jurisdictions import reasons as jurisdiction_reasons
from bloodline.lib.isbt128 import DinError, parse
from bloodline.organisations.models import Organisation

# screening.Step and screening.Decision codes, spelt out because screening sits above drives.
# Steps where a donor is still somewhere in the day's flow. Closing needs none of them.
IN_PROGRESS_STEPS = frozenset({"questionnaire", "vitals", "physician", "collection", "post_care"})
DEFERRED = "deferred"
LEFT = "left"
ACCEPTING = frozenset({"accept", "override"})
NO_REASON = "—"
# collection.Outcome.COMPLETE, spelt out because collection sits above drives.
COMPLETE = "complete"


@dataclass
class Figures:
    """The counts of a drive, each one a step of the day's funnel."""

    registered: int
    arrived: int
    deferred: int
    collected: int
    voided: int
    expected: int
    walk_ins: int = 0
    deferred_by_reason: list[tuple[str, int]] = field(default_factory=list)
    # Collections stopped below the bag's minimum: a presentation and a used DIN, no donation.
    incomplete: int = 0

    @property
    def dins_used(self) -> int:
        return self.collected + self.incomplete

    @property
    def dins_accounted(self) -> int:
        return self.dins_used + self.voided


@dataclass
class LabelAccount:
    """Where the numbers pre-printed for a drive went (safety.md §3: unused number sets are
    accounted for). ``used_here`` and ``printed_unused`` (voided: returned or spoiled) are
    accounted; ``used_elsewhere`` too, but shown; ``missing`` — neither used nor voided —
    is a mismatch."""

    printed: int = 0
    used_here: int = 0
    printed_unused: list[str] = field(default_factory=list)
    used_elsewhere: list[Any] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass
class BlockAccount:
    """The numbers the drive's collection stations reserved from the facility's sequence
    (decision 0043): ``used`` were handed out (a collection, or skipped because something
    else had taken them); ``unused`` runs (first, last DIN) were reserved and never used.
    Both are accounted: an unused number is never reissued, never silently lost."""

    reserved: int = 0
    used: int = 0
    unused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def unused_count(self) -> int:
        return self.reserved - self.used


@dataclass
class Reconciliation:
    figures: Figures
    no_shows: list[Registration]
    accepted_not_collected: list[Any]
    in_progress: list[Any]
    donations_without_presentation: list[Any]
    voided_but_used: list[Any]
    labels: LabelAccount = field(default_factory=LabelAccount)
    blocks: BlockAccount = field(default_factory=BlockAccount)
    resolutions: dict[tuple[str, str], MismatchResolution] = field(default_factory=dict)

    def subjects(self) -> list[tuple[str, str, Any]]:
        """Every mismatch that a reason may resolve: (kind, subject, the record or DIN)."""
        found: list[tuple[str, str, Any]] = []
        for p in self.accepted_not_collected:
            found.append((MismatchKind.ACCEPTED_NOT_COLLECTED, str(p.uuid), p))
        for d in self.donations_without_presentation:
            found.append((MismatchKind.DONATION_WITHOUT_PRESENTATION, str(d.uuid), d))
        for d in self.voided_but_used:
            found.append((MismatchKind.VOIDED_BUT_USED, str(d.uuid), d))
        for din in self.labels.missing:
            found.append((MismatchKind.MISSING_DIN, din, din))
        return found

    def open_subjects(self) -> list[tuple[str, str, Any]]:
        return [s for s in self.subjects() if (s[0], s[1]) not in self.resolutions]

    @property
    def mismatches(self) -> int:
        """Open mismatches: people still in the flow, and anything not resolved with a reason.
        A drive closes only at zero (decision 0022)."""
        return len(self.in_progress) + len(self.open_subjects())

    @property
    def resolved(self) -> int:
        return len(self.subjects()) - len(self.open_subjects())


def donation_model() -> Any:
    """collection.Donation, looked up at run time (collection sits above drives)."""
    return apps.get_model("collection", "Donation")


def din13(text: str) -> str:
    """The 13 DIN characters of a stored or scanned value (flags and check character cut)."""
    try:
        return parse(text).din
    except DinError:
        return text.strip().upper()[:13]


def is_voided(din: str) -> bool:
    """Whether this DIN (bare, with its check character or as scanned) was voided. Recording a
    donation must refuse a voided number."""
    return VoidedDin.objects.filter(din=din13(din)).exists()


def was_issued(*, establishment: Organisation, din13: str) -> bool:
    """Whether the establishment gave this number out: pre-printed on a label set of one of
    its drives, or reached by its facility's allocator (decision 0021)."""
    year, sequence = int(din13[5:7]), int(din13[7:13])
    printed = LabelSet.objects.filter(
        drive__establishment=establishment,
        fin=din13[:5],
        year=year,
        first__lte=sequence,
        last__gte=sequence,
    )
    if printed.exists():
        return True
    # A station's block (decision 0043): only the numbers it has handed out were issued; the
    # rest of the block is reserved for that station, and once its drive closes, unused.
    block = (
        apps.get_model("collection", "DinBlock")
        ._default_manager.filter(
            facility__establishment=establishment,
            facility__fin=din13[:5],
            year=year,
            first__lte=sequence,
            last__gte=sequence,
        )
        .values_list("next", flat=True)
        .first()
    )
    if block is not None:
        return sequence < block
    counters = apps.get_model("collection", "DinCounter")._default_manager
    return bool(
        counters.filter(
            facility__establishment=establishment,
            facility__fin=din13[:5],
            year=year,
            last_sequence__gte=sequence,
        ).exists()
    )


def active_registrations(drive: Drive) -> QuerySet[Registration]:
    return drive.registrations.filter(cancelled_at__isnull=True)


def in_progress(drive: Drive) -> QuerySet[Any]:
    return drive.presentations.filter(step__in=sorted(IN_PROGRESS_STEPS))


def no_shows(drive: Drive) -> QuerySet[Registration]:
    """Registered and not cancelled, but never checked in at this drive."""
    came = drive.presentations.filter(donor=OuterRef("donor"))
    return active_registrations(drive).filter(~Exists(came)).select_related("donor", "slot")


def _reason_codes(presentation: Any) -> list[str]:
    """Deferral codes recorded for the presentation, else the engine's reasons."""
    codes = [d.code for d in presentation.deferrals.all()]
    if codes:
        return sorted(set(codes))
    found: list[str] = []
    for reason in presentation.engine_reasons or []:
        code = reason.get("code") if isinstance(reason, dict) else reason
        if code:
            found.append(str(code))
    return sorted(set(found)) or [NO_REASON]


def deferred_by_reason(deferred: Iterable[Any]) -> list[tuple[str, int]]:
    """Deferred presentations counted under each reason code (one may have several)."""
    counts: Counter[str] = Counter()
    for presentation in deferred:
        counts.update(_reason_codes(presentation))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def figures(drive: Drive) -> Figures:
    presentations = drive.presentations.all()
    deferred = list(presentations.filter(step=DEFERRED).prefetch_related("deferrals"))
    used = drive.donations.aggregate(
        complete=Count("id", filter=Q(outcome=COMPLETE)),
        incomplete=Count("id", filter=~Q(outcome=COMPLETE)),
    )
    return Figures(
        registered=active_registrations(drive).count(),
        arrived=presentations.count(),
        deferred=len(deferred),
        collected=used["complete"],
        incomplete=used["incomplete"],
        voided=drive.voided_dins.count(),
        expected=drive.expected_units,
        walk_ins=presentations.filter(registration__isnull=True).count(),
        deferred_by_reason=deferred_by_reason(deferred),
    )


def _accepted_not_collected(drive: Drive) -> QuerySet[Any]:
    """Accepted by the physician, out of the flow and not left, with no donation recorded."""
    donated = donation_model().objects.filter(drive=drive, donor=OuterRef("donor"))
    return (
        drive.presentations.filter(decision__in=sorted(ACCEPTING))
        .exclude(step__in=sorted(IN_PROGRESS_STEPS | {LEFT}))
        .filter(~Exists(donated))
    )


def _without_presentation(drive: Drive) -> QuerySet[Any]:
    came = drive.presentations.filter(donor=OuterRef("donor"))
    return drive.donations.filter(~Exists(came))


def _voided_but_used(drive: Drive) -> list[Any]:
    voided = set(VoidedDin.objects.values_list("din", flat=True))
    return [d for d in drive.donations.order_by("din") if din13(d.din) in voided]


def label_account(drive: Drive) -> LabelAccount:
    """The drive's pre-printed numbers: used here, used at another drive, voided, missing.
    Any collection recorded under a number uses it, complete or not."""
    numbers = [din for s in drive.label_sets.all() for din in s.dins()]
    if not numbers:
        return LabelAccount()
    used = {
        din13(d.din): d
        for d in donation_model()
        .objects.filter(din__in=numbers)
        .select_related("drive", "donor")
        .order_by("din")
    }
    voided = set(VoidedDin.objects.filter(din__in=numbers).values_list("din", flat=True))
    elsewhere = [d for d in used.values() if d.drive_id != drive.pk]
    return LabelAccount(
        printed=len(numbers),
        used_here=len(used) - len(elsewhere),
        printed_unused=[n for n in numbers if n in voided and n not in used],
        used_elsewhere=elsewhere,
        missing=[n for n in numbers if n not in used and n not in voided],
    )


def block_account(drive: Drive) -> BlockAccount:
    """The drive's station blocks: how many numbers were reserved, used, and left unused."""
    account = BlockAccount()
    for block in drive.din_blocks.select_related("facility").order_by("year", "first"):
        account.reserved += block.last - block.first + 1
        account.used += block.next - block.first
        if block.next <= block.last:
            prefix = f"{block.facility.fin}{block.year:02d}"
            account.unused.append((f"{prefix}{block.next:06d}", f"{prefix}{block.last:06d}"))
    return account


def resolutions(drive: Drive) -> dict[tuple[str, str], MismatchResolution]:
    return {(r.kind, r.subject): r for r in drive.resolutions.select_related("resolved_by").all()}


def reconcile(drive: Drive) -> Reconciliation:
    return Reconciliation(
        figures=figures(drive),
        no_shows=list(no_shows(drive).order_by("slot__starts_at", "pk")),
        accepted_not_collected=list(_accepted_not_collected(drive).select_related("donor")),
        in_progress=list(in_progress(drive).select_related("donor")),
        donations_without_presentation=list(
            _without_presentation(drive).select_related("donor").order_by("din")
        ),
        voided_but_used=_voided_but_used(drive),
        labels=label_account(drive),
        blocks=block_account(drive),
        resolutions=resolutions(drive),
    )


REASON_LABELS = {NO_REASON: _("no reason recorded")}


def reason_label(code: str, jurisdiction: str = "") -> str:
    """A deferral reason code as words in the reader's language (decision 0026); a
    questionnaire deferral is named by its question in ``jurisdiction``'s questionnaire."""
    if code in REASON_LABELS:
        return str(REASON_LABELS[code])
    return jurisdiction_reasons.reason_label(code, jurisdiction)

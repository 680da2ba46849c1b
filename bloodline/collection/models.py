from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bloodline.donors.models import Donor
from bloodline.drives.models import Drive
from bloodline.lib.isbt128 import FIN_PATTERN
from bloodline.organisations.models import Organisation


class DonationType(models.TextChoices):
    WHOLE_BLOOD = "whole_blood", _("whole blood")
    PLATELETS = "platelets", _("platelet apheresis")
    PLASMA = "plasma", _("plasma apheresis")
    DOUBLE_RED_CELLS = "double_red_cells", _("double red-cell apheresis")


class BagType(models.TextChoices):
    SINGLE = "single", _("single bag")
    DOUBLE = "double", _("double bag")
    TRIPLE = "triple", _("triple bag")
    QUADRUPLE = "quadruple", _("quadruple bag")


class Outcome(models.TextChoices):
    """Whether the bag was filled: only a complete collection is a donation (programmes.md §1)."""

    COMPLETE = "complete", _("complete")
    INCOMPLETE = "incomplete", _("incomplete")


class IncompleteReason(models.TextChoices):
    """Why a collection stopped below the bag's complete-collection minimum."""

    POOR_FLOW = "poor_flow", _("poor flow or vein collapse")
    DONOR_REACTION = "donor_reaction", _("the donor had a reaction")
    DONOR_REQUEST = "donor_request", _("the donor asked to stop")
    NEEDLE_OR_EQUIPMENT = "needle_or_equipment", _("needle, bag or mixer problem")
    OTHER = "other", _("other")


class DonationManager(models.Manager["Donation"]):
    """For writers below this app (donors.merge_donors), which reach it through
    ``apps.get_model`` as they may not import collection."""

    def donors_changing(self, donor_ids: list[int]) -> Any:
        """Before donations move between these donors: what the windows' distinct-donor
        counts hold of them (decision 0052), to give back to ``donors_changed``."""
        from bloodline.collection import summaries

        return summaries.reach_before(donor_ids)

    def donors_changed(self, donor_ids: list[int], before: Any) -> None:
        """Fix the first-time flags (and the day summaries) of these donors' donations, and
        the windows' distinct donors, after donations moved between them."""
        from bloodline.collection import summaries

        summaries.refresh_first_time(donor_ids)
        summaries.reach_after(before)


class Donation(models.Model):
    """One collection from one donor (人次, lượt), identified by its donation identification
    number (DIN).

    Every donation is credited to the organisation that mobilised the donor; plan progress
    counts donations by that credit, over the credited organisation's place in the tree.
    ``volume_ml`` is what was collected; ``bag_volume_ml`` the bag's nominal size (250, 350,
    450 mL…). Measures such as bags and converted units are derived, never stored.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    din = models.CharField(_("donation identification number"), max_length=16, unique=True)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="donations")
    drive = models.ForeignKey(
        Drive, on_delete=models.PROTECT, null=True, blank=True, related_name="donations"
    )
    establishment = models.ForeignKey(
        Organisation,
        verbose_name=_("collecting establishment"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    collected_at = models.DateTimeField(_("collected at"))
    donation_type = models.CharField(
        _("donation type"), max_length=20, choices=DonationType.choices
    )
    volume_ml = models.PositiveIntegerField(_("volume collected (mL)"))
    bag_volume_ml = models.PositiveIntegerField(_("bag nominal volume (mL)"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.COMPLETE
    )
    incomplete_reason = models.CharField(
        _("why the collection is incomplete"),
        max_length=24,
        choices=IncompleteReason.choices,
        blank=True,
    )
    incomplete_note = models.TextField(_("note on the incomplete collection"), blank=True)
    credited_to = models.ForeignKey(
        Organisation,
        verbose_name=_("credited organisation"),
        on_delete=models.PROTECT,
        related_name="credited_donations",
    )
    # Phlebotomy, recorded at the collection station (empty for donations entered afterwards).
    bag_type = models.CharField(_("bag type"), max_length=12, choices=BagType.choices, blank=True)
    started_at = models.DateTimeField(_("needle in"), null=True, blank=True)
    ended_at = models.DateTimeField(_("needle out"), null=True, blank=True)
    collection_problems = models.TextField(_("collection problems"), blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The donor's first complete donation (none strictly earlier). Kept by collection.summaries
    # whenever a donor's donations change (decision 0039); progress counts it from DailyCredit.
    first_time = models.BooleanField(_("first-time donation"), default=False)

    objects = DonationManager()

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-collected_at"]
        indexes = [
            # Progress: donations credited to a set of organisations within a period.
            models.Index(fields=["credited_to", "collected_at"], name="donation_credit_time_idx"),
            # Progress: distinct donors of a subtree and period, read from the index alone on
            # PostgreSQL (complete donations only; decision 0046). SQLite skips it.
            models.Index(
                fields=["credited_to", "collected_at"],
                include=["donor", "drive"],
                condition=Q(outcome=Outcome.COMPLETE),
                name="donation_credit_donor_idx",
            ),
            # First-time vs repeat: a donor's earlier donations.
            models.Index(fields=["donor", "collected_at"], name="donation_donor_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(volume_ml__gt=0), name="donation_volume_positive"),
            models.CheckConstraint(
                condition=~Q(donation_type="whole_blood") | Q(bag_volume_ml__isnull=False),
                name="donation_whole_blood_has_bag",
            ),
            # An incomplete collection always carries its reason; a complete one never does.
            models.CheckConstraint(
                condition=(Q(outcome="complete") & Q(incomplete_reason=""))
                | (Q(outcome="incomplete") & ~Q(incomplete_reason="")),
                name="donation_incomplete_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(first_time=False) | Q(outcome="complete"),
                name="donation_first_time_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True)
                | Q(ended_at__isnull=True)
                | Q(ended_at__gte=models.F("started_at")),
                name="donation_needle_times_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.din

    @property
    def is_complete(self) -> bool:
        return self.outcome == Outcome.COMPLETE


class DailyCredit(models.Model):
    """What one organisation was credited with on one day (in its area's time zone), at one
    drive or outside drives: the facts plan progress reads instead of scanning donations.

    Only complete collections count (programmes.md §1): ``donations`` of every type, ``bags``
    and ``ml`` (bag nominal volume) of whole blood, ``first_time`` donations. Kept in the same
    transaction as every donation write by ``collection.summaries`` (decision 0039) and
    checked against a recomputation by ``manage.py check_progress_summaries``.
    """

    credited_to = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, null=True, related_name="+")
    donations = models.PositiveIntegerField(default=0)
    bags = models.PositiveIntegerField(default=0)
    ml = models.PositiveBigIntegerField(default=0)
    first_time = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["credited_to", "day"], name="dailycredit_org_day_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["credited_to", "day", "drive"],
                condition=Q(drive__isnull=False),
                name="dailycredit_one_per_drive_day",
            ),
            models.UniqueConstraint(
                fields=["credited_to", "day"],
                condition=Q(drive__isnull=True),
                name="dailycredit_one_per_day_off_drive",
            ),
            models.CheckConstraint(
                condition=Q(bags__lte=models.F("donations"))
                & Q(first_time__lte=models.F("donations")),
                name="dailycredit_parts_within_donations",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credited_to_id} {self.day}"


class Facility(models.Model):
    """A blood establishment's ISBT 128 Facility Identification Number (FIN).

    FINs are assigned by ICCBBA's registry; they are deployment configuration, never defaults
    in code (domain/isbt128.md §1)."""

    establishment = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="isbt_facility"
    )
    fin = models.CharField(_("facility identification number"), max_length=5, unique=True)

    class Meta:
        verbose_name = _("ISBT 128 facility")
        verbose_name_plural = _("ISBT 128 facilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__regex=FIN_PATTERN),
                name="facility_fin_shape",
            )
        ]

    def __str__(self) -> str:
        return self.fin


class DinCounter(models.Model):
    """The last DIN sequence number given out by a facility in a nominal year. Incremented
    under a row lock inside the caller's transaction, so numbers are never duplicated and a
    rolled-back collection does not leave a gap."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="counters")
    year = models.PositiveSmallIntegerField()  # two digits, 0–99
    last_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facility", "year"], name="din_counter_unique_year"),
            models.CheckConstraint(
                condition=Q(year__lte=99, last_sequence__lte=999_999), name="din_counter_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.year:02d}: {self.last_sequence}"


class DinBlock(models.Model):
    """A run of a facility's DIN sequence reserved for one collection station — a staff
    member collecting at a drive — so that collections lock their own block, not the
    facility's counter (decision 0043). ``next`` is the next sequence to try; the block is
    used up at ``last + 1``. Numbers from ``next`` to ``last`` when the drive closes were
    reserved and never used: the reconciliation reports them, nothing reissues them."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="blocks")
    year = models.PositiveSmallIntegerField()  # two digits, 0–99
    first = models.PositiveIntegerField()
    last = models.PositiveIntegerField()
    next = models.PositiveIntegerField()
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="din_blocks")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cut_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facility", "year", "first"], name="din_block_unique"),
            models.CheckConstraint(
                condition=Q(
                    year__lte=99,
                    first__gte=1,
                    first__lte=models.F("last"),
                    last__lte=999_999,  # six digits [S1 §2.4.1]
                    next__gte=models.F("first"),
                    next__lte=models.F("last") + 1,
                ),
                name="din_block_bounds",
            ),
        ]
        indexes = [models.Index(fields=["drive", "holder", "year"], name="din_block_holder")]

    def __str__(self) -> str:
        return f"{self.facility} {self.year:02d}: {self.first}–{self.last} (next {self.next})"


class ReactionKind(models.TextChoices):
    VASOVAGAL = "vasovagal", _("vasovagal (faintness, fainting)")
    HAEMATOMA = "haematoma", _("haematoma")
    ARTERIAL_PUNCTURE = "arterial_puncture", _("arterial puncture")
    NERVE_INJURY = "nerve_injury", _("nerve irritation or injury")
    CITRATE = "citrate", _("citrate reaction")
    ALLERGIC = "allergic", _("allergic reaction")
    OTHER = "other", _("other")


class ReactionSeverity(models.TextChoices):
    MILD = "mild", _("mild")
    MODERATE = "moderate", _("moderate")
    SEVERE = "severe", _("severe")


class AdverseReaction(models.Model):
    """A reaction of the donor to a donation (faintness, haematoma…), how severe it was and
    the care given. Kept with the donation for haemovigilance; a donor who reacted is asked
    about it at later visits."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donation = models.ForeignKey(
        Donation, on_delete=models.PROTECT, related_name="adverse_reactions"
    )
    kind = models.CharField(_("type of reaction"), max_length=20, choices=ReactionKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=ReactionSeverity.choices)
    care_given = models.TextField(_("care given"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("adverse reaction")
        verbose_name_plural = _("adverse reactions")
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.donation}: {self.kind}"


class RegistryImport(models.Model):
    """One run of importing a legacy registry (donors and their donation history) into an
    establishment (decision 0045): who ran it, from which source system and file, what it
    counted and every row it refused, with the row's line and the reason as a code. The
    refusals carry no personal details (the line number and the legacy id find the row in
    the file the person still has)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey(
        Organisation,
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("source system"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=200)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    counts = models.JSONField(default=dict)
    rejections = models.JSONField(default=list)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.source}: {self.file_name}"

    def audit_label(self) -> str:
        return self.file_name


class LegacyDonor(models.Model):
    """The id a legacy system gave a donor, kept with the donor it was imported as, so the
    same file imported again finds the person instead of adding them twice. Keyed by
    (establishment, source system, legacy id): two systems may reuse the same ids."""

    establishment = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=64)
    legacy_id = models.CharField(max_length=64)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="legacy_ids")
    run = models.ForeignKey(RegistryImport, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "source", "legacy_id"], name="legacy_donor_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.legacy_id}"

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bloodline.collection.models import Donation
from bloodline.donors.models import Donor
from bloodline.drives.models import Drive, Registration
from bloodline.lib.locking import Versioned
from bloodline.organisations.models import Organisation


class Step(models.TextChoices):
    """Where a presenting donor is in the day's flow, station by station."""

    QUESTIONNAIRE = "questionnaire", _("health questionnaire")
    VITALS = "vitals", _("vital signs and haemoglobin")
    PHYSICIAN = "physician", _("physician")
    COLLECTION = "collection", _("phlebotomy")
    POST_CARE = "post_care", _("post-donation care")
    DONE = "done", _("done")
    DEFERRED = "deferred", _("deferred")
    LEFT = "left", _("left before donating")


class Decision(models.TextChoices):
    ACCEPT = "accept", _("accept")
    DEFER = "defer", _("defer")
    OVERRIDE = "override", _("accept against the engine's advice")


class Presentation(Versioned):
    """One donor presenting at one drive: checked in, then screened and, if accepted,
    collected. Each step records who did it and when. The engine's recommendation is kept as
    it was at the physician's decision, with the rule-set version it used."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="presentations")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="presentations")
    registration = models.OneToOneField(
        Registration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presentation",
    )
    step = models.CharField(
        _("step"), max_length=16, choices=Step.choices, default=Step.QUESTIONNAIRE
    )
    arrived_at = models.DateTimeField(_("arrived at"))
    # The organisation this presentation counts for in plan progress, fixed at check-in: the
    # unit that mobilised the registration, else the donor's own unit (decision 0047).
    credited_to = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    questionnaire_version = models.CharField(max_length=64, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    temperature_c = models.DecimalField(
        _("temperature (°C)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    systolic = models.PositiveSmallIntegerField(_("systolic (mmHg)"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("diastolic (mmHg)"), null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(_("pulse (per minute)"), null=True, blank=True)
    hb_g_l = models.PositiveSmallIntegerField(_("haemoglobin (g/L)"), null=True, blank=True)
    measured_at = models.DateTimeField(null=True, blank=True)
    measured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    engine_outcome = models.CharField(max_length=24, blank=True)
    engine_reasons = models.JSONField(default=list, blank=True)
    rule_set = models.CharField(max_length=80, blank=True)
    decision = models.CharField(
        _("physician's decision"), max_length=10, choices=Decision.choices, blank=True
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    volume_ml = models.PositiveSmallIntegerField(_("volume to collect (mL)"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The volumes the engine allowed at the vital-signs station; the physician chooses from them.
    engine_volumes_ml = models.JSONField(default=list, blank=True)
    donation = models.OneToOneField(
        Donation, on_delete=models.PROTECT, null=True, blank=True, related_name="presentation"
    )
    cared_at = models.DateTimeField(_("post-donation care done at"), null=True, blank=True)
    cared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")
        ordering = ["arrived_at"]
        indexes = [models.Index(fields=["drive", "step"], name="presentation_drive_step_idx")]
        constraints = [
            models.UniqueConstraint(fields=["drive", "donor"], name="presentation_once_per_drive"),
            models.CheckConstraint(
                condition=Q(decision="")
                | (Q(decided_at__isnull=False) & Q(decided_by__isnull=False)),
                name="presentation_decision_signed",
            ),
            models.CheckConstraint(
                condition=~Q(decision="override") | ~Q(decision_reason=""),
                name="presentation_override_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(decision="accept") & ~Q(decision="override")
                | Q(volume_ml__isnull=False),
                name="presentation_accept_has_volume",
            ),
            models.CheckConstraint(
                condition=(Q(cared_at__isnull=True) & Q(cared_by__isnull=True))
                | (Q(cared_at__isnull=False) & Q(cared_by__isnull=False)),
                name="presentation_care_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drive} — {self.donor}"

    def reasons_in_words(self) -> list[tuple[str, str]]:
        """Each engine reason as (sentence in the reader's language, its sources)."""
        from bloodline.screening.reasons import render_row  # reasons reads the rule sets

        return [
            (render_row(row, self.rule_set), str(row.get("source", "")))
            for row in self.engine_reasons or []
            if isinstance(row, dict)
        ]

    def audit_label(self) -> str:
        """Nothing personal is copied into the trail; the id says who (decision 0028)."""
        return ""


class PreScreen(models.Model):
    """A donor's answers to the jurisdiction's health questionnaire, given at home for one of
    their bookings (issue 13 §3, decision 0058), in the same form the station stores them
    (``{code: true | false | null}``). They count until ``valid_until`` (answering time plus
    ``PRESCREEN_VALID_HOURS``): the questionnaire station then opens with them pre-filled for
    the nurse to confirm, and records its own answers as ever. Answering again replaces them."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="prescreen"
    )
    questionnaire_version = models.CharField(max_length=64)
    answers = models.JSONField(_("answers"), default=dict)
    answered_at = models.DateTimeField(_("answered at"))
    valid_until = models.DateTimeField(_("valid until"))

    class Meta:
        verbose_name = _("pre-screening")
        verbose_name_plural = _("pre-screenings")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("answered_at")),
                name="prescreen_valid_after_answering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} ({self.answered_at:%Y-%m-%d %H:%M})"

    def audit_label(self) -> str:
        """Nothing personal, no answer, in the trail; the id says which (decision 0028)."""
        return ""

    def is_valid_at(self, moment: dt.datetime) -> bool:
        return self.answered_at <= moment <= self.valid_until


class Deferral(models.Model):
    """A deferral on a donor's record, from a screening or entered by staff: until a date,
    open-ended until re-tested (``until`` empty, not permanent), or permanent."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="deferrals")
    presentation = models.ForeignKey(
        Presentation, on_delete=models.PROTECT, null=True, blank=True, related_name="deferrals"
    )
    code = models.CharField(_("reason code"), max_length=80)
    reason = models.TextField(_("reason"))
    source = models.CharField(_("rule source"), max_length=80, blank=True)
    starts_on = models.DateField(_("from"))
    until = models.DateField(_("until"), null=True, blank=True)
    permanent = models.BooleanField(_("permanent"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("deferral")
        verbose_name_plural = _("deferrals")
        indexes = [models.Index(fields=["donor", "until"], name="deferral_donor_until_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(permanent=True) & Q(until__isnull=False)),
                name="deferral_permanent_has_no_end",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=models.F("starts_on")),
                name="deferral_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor}: {self.reason_label()}"

    def reason_label(self) -> str:
        """The deferring reason as words in the reader's language (never the bare code)."""
        from bloodline.jurisdictions.reasons import reason_label

        return reason_label(self.code, self.source)

    # In force on a day: already started, and permanent, open-ended (until re-tested) or not
    # yet over. The same rule for the database (``in_force_on``; ``in_force_during`` for a
    # first read covering several days) and for rows already read (``in_force``). Screening,
    # the portal and the release gate all ask this one rule.
    @staticmethod
    def in_force_during(first: dt.date, last: dt.date) -> Q:
        """In force on at least one day from ``first`` to ``last``."""
        return Q(starts_on__lte=last) & (
            Q(permanent=True) | Q(until__isnull=True) | Q(until__gt=first)
        )

    @staticmethod
    def in_force_on(on: dt.date) -> Q:
        return Deferral.in_force_during(on, on)

    def in_force(self, on: dt.date) -> bool:
        return self.starts_on <= on and (self.permanent or self.until is None or self.until > on)


class DailyScreening(models.Model):
    """How many donors presented and how many were deferred at one drive on one day (in the
    credited organisation's time zone), for one credited organisation: the facts the deferral
    figures of plan progress read instead of scanning presentations. Kept in the same
    transaction as each check-in and deferral by ``screening.summaries`` (decision 0047)."""

    credited_to = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="+")
    presented = models.PositiveIntegerField(default=0)
    deferred = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["credited_to", "day"], name="dailyscreening_org_day_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["credited_to", "day", "drive"], name="dailyscreening_one_per_drive_day"
            ),
            models.CheckConstraint(
                condition=Q(deferred__lte=models.F("presented")),
                name="dailyscreening_deferred_within_presented",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credited_to_id} {self.day} {self.drive_id}"


class DailyDeferralReason(models.Model):
    """How many deferred presentations had a deferral with this reason code, per credited
    organisation, day and drive (decision 0047)."""

    credited_to = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=80)
    presentations = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["credited_to", "day"], name="dailyreason_org_day_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credited_to", "day", "drive", "code"], name="dailyreason_one_per_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credited_to_id} {self.day} {self.drive_id} {self.code}"

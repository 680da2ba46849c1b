"""Donation testing: samples, the tests each one needs, and the results.

Results are append-only: a correction is a new result that names the one it corrects and
says why; nothing is edited or deleted (database triggers refuse it). A result typed in by
hand counts only once a second person has verified it; results imported from an analyser
file count as they arrive (they were not typed).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bloodline.collection.models import Donation
from bloodline.inventory.models import Component
from bloodline.organisations.models import Organisation


class Sample(models.Model):
    """The laboratory's sample of one donation. When it is received, the tests of the panel
    in force on the collection date are listed as its required tests, so release checks the
    panel the donation was collected under even after the rules change."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donation = models.OneToOneField(Donation, on_delete=models.PROTECT, related_name="sample")
    establishment = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    rule_set = models.CharField(_("rule set"), max_length=60)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.donation.din


class RequiredTest(models.Model):
    """One test the sample needs before its components may be released, copied from the
    rule set's panel: how many runs, and whether the runs need different reagent
    manufacturers and operators (China runs serology twice). A test the rules ask for only
    when indicated (malaria areas) is listed with ``required`` false until the lab asks for it.
    """

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="required_tests")
    code = models.CharField(_("test"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20)
    acceptable = models.CharField(_("acceptable result"), max_length=20)
    max_u_l = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    runs_required = models.PositiveSmallIntegerField(default=1)
    distinct_manufacturers = models.BooleanField(default=False)
    distinct_operators = models.BooleanField(default=False)
    required = models.BooleanField(default=True)
    source = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "code"], name="required_test_unique"),
            models.CheckConstraint(condition=Q(runs_required__gte=1), name="required_test_runs"),
        ]

    def __str__(self) -> str:
        return f"{self.sample} {self.code}"


class Stage(models.TextChoices):
    SCREEN = "screen", _("screening")
    REPEAT = "repeat", _("repeat")
    CONFIRMATORY = "confirmatory", _("confirmatory")


class Reading(models.TextChoices):
    NON_REACTIVE = "non_reactive", _("non-reactive")
    REACTIVE = "reactive", _("reactive")
    NEGATIVE = "negative", _("negative")
    POSITIVE = "positive", _("positive")
    NOT_DETECTED = "not_detected", _("not detected")
    DETECTED = "detected", _("detected")
    INDETERMINATE = "indeterminate", _("indeterminate")
    A = "A", "A"
    B = "B", "B"
    AB = "AB", "AB"
    O = "O", "O"  # noqa: E741 - the blood group's name
    RHD_POSITIVE = "pos", _("RhD positive")
    RHD_NEGATIVE = "neg", _("RhD negative")
    VALUE = "value", _("measured value")


class Source(models.TextChoices):
    MANUAL = "manual", _("entered by hand")
    IMPORT = "import", _("imported from an analyser file")


class ImportBatch(models.Model):
    """One analyser result file imported: who, when, and how many rows were taken or
    refused (the refused rows and their reasons are kept)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rows_taken = models.PositiveIntegerField(default=0)
    rows_refused = models.PositiveIntegerField(default=0)
    refused = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("result import")
        verbose_name_plural = _("result imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.file_name


class TestResult(models.Model):
    """One reading of one test on a sample. Never edited: a correction is a new result with
    ``corrects`` and a reason. A hand-entered result counts once another person verified it."""

    __test__ = False  # not a pytest test class

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="results")
    test = models.CharField(_("test"), max_length=60)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    reading = models.CharField(_("result"), max_length=16, choices=Reading.choices)
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=2, null=True, blank=True)
    acceptable = models.BooleanField(_("acceptable for release"))
    manufacturer = models.CharField(_("reagent manufacturer"), max_length=100, blank=True)
    reagent_lot = models.CharField(_("reagent lot"), max_length=60, blank=True)
    operator = models.CharField(_("operator"), max_length=150)
    instrument = models.CharField(_("instrument"), max_length=100, blank=True)
    external_id = models.CharField(_("analyser result id"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="results"
    )
    entered_at = models.DateTimeField(_("entered at"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)

    class Meta:
        verbose_name = _("test result")
        verbose_name_plural = _("test results")
        ordering = ["entered_at", "pk"]
        indexes = [models.Index(fields=["sample", "test", "stage"], name="result_sample_test_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True, verified_by__isnull=True)
                | Q(verified_at__isnull=False, verified_by__isnull=False),
                name="result_verification_paired",
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | ~Q(verified_by=F("entered_by")),
                name="result_verified_by_another",
                violation_error_message=_("A result is verified by someone other than its author."),
            ),
            models.CheckConstraint(
                condition=Q(source="manual", batch__isnull=True)
                | Q(source="import", batch__isnull=False, verified_by__isnull=True),
                name="result_source_batch",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True, correction_reason="")
                | (Q(corrects__isnull=False) & ~Q(correction_reason="")),
                name="result_correction_has_reason",
                violation_error_message=_("A correction needs its reason."),
            ),
            models.CheckConstraint(
                condition=Q(reading="value", value__isnull=False)
                | (~Q(reading="value") & Q(value__isnull=True)),
                name="result_value_with_reading",
            ),
            models.UniqueConstraint(
                fields=["sample", "external_id"],
                condition=~Q(external_id=""),
                name="result_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sample} {self.test} {self.reading}"

    def audit_label(self) -> str:
        """The sample and the test; the reading is in the changes, not the label."""
        return f"{self.sample} {self.test}"

    def counts(self) -> bool:
        """Whether the result takes part in decisions (imported, or verified)."""
        return self.source == Source.IMPORT or self.verified_at is not None


class NotificationKind(models.TextChoices):
    HOLD = "hold", _("hold the unit: the donor's screening test was repeatedly reactive")
    LOOKBACK = "lookback", _("the donor was confirmed positive")


class NotificationTask(models.Model):
    """A task to tell a hospital that a component it holds came from a donor whose screening
    test was repeatedly reactive (``hold``: quarantine the unit until the confirmatory
    result) or who was later found confirmed positive (``lookback``: withdraw the unit or
    follow up the recipient). Done when the hospital acknowledges it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    hospital = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="lookback_tasks"
    )
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="+")
    result = models.ForeignKey(TestResult, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        _("request"),
        max_length=10,
        choices=NotificationKind.choices,
        default=NotificationKind.LOOKBACK,
    )
    created_at = models.DateTimeField(_("created at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response = models.TextField(_("response"), blank=True)

    class Meta:
        verbose_name = _("look-back notification")
        verbose_name_plural = _("look-back notifications")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "result"], name="notification_once_per_component"
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="notification_ack_paired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.component}"

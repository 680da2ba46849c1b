from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bloodline.lib.locking import Versioned
from bloodline.organisations.models import Organisation


class Measure(models.TextChoices):
    """What a plan's targets count. Progress always shows all four."""

    DONATIONS = "donations", _("donations")
    BAGS = "bags", _("bags")
    CONVERTED_UNITS = "converted_units", _("converted units")
    ML = "ml", _("millilitres")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")
    CLOSED = "closed", _("closed")
    SUPERSEDED = "superseded", _("superseded by a revision")


def plan_document_path(plan: Plan, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"plans/{plan.uuid}.{suffix}"


class PlanQuerySet(models.QuerySet["Plan"]):
    def current(self) -> PlanQuerySet:
        return self.exclude(status=PlanStatus.SUPERSEDED)


class Plan(Versioned):
    """A numbered plan issued by a steering committee for a period.

    "Kế hoạch số 276/KH-BCĐ ngày 28/12/2020" — its number, date and title as issued, the
    period it covers and the measure its targets are set in. ``area`` is the area the issuing
    committee works on; targets go to that area and down its tree. ``base_volume_ml`` is the
    converted-unit base of the jurisdiction in force when the plan was made (250 mL in
    Vietnam, 200 mL in China), kept so the plan's figures never change under it. A revision is
    a new plan that supersedes this one; the old one stays, marked superseded.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issuer = models.ForeignKey(
        Organisation, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="plans"
    )
    area = models.ForeignKey(
        Organisation, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("plan number"), max_length=60)
    issued_on = models.DateField(_("date of the plan"))
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    measure = models.CharField(_("measure of targets"), max_length=20, choices=Measure.choices)
    allow_over_allocation = models.BooleanField(
        _("allow allocating more than the parent's target"), default=False
    )
    base_volume_ml = models.PositiveIntegerField(_("converted-unit base (mL)"))
    rule_set = models.CharField(_("rule set"), max_length=64)
    document = models.FileField(
        _("plan document"), upload_to=plan_document_path, blank=True, max_length=200
    )
    document_name = models.CharField(_("document file name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("revision of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="plan_period_ordered",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["issuer", "number"],
                condition=Q(status__in=["issued", "closed"]),
                name="plan_number_unique_per_issuer",
                violation_error_message=_("This committee already has a plan with this number."),
            ),
            models.CheckConstraint(
                condition=Q(base_volume_ml__gt=0), name="plan_base_volume_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"


class Round(models.Model):
    """A phase of a plan (đợt, 批次) with its own dates."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="round_dates_ordered"
            ),
            models.UniqueConstraint(fields=["plan", "name"], name="round_name_unique_per_plan"),
        ]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """The amount one organisation is asked to achieve under a plan, for the whole period or
    for one round, in the plan's measure. The target of the plan's area is the plan's total."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="targets")
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, null=True, blank=True, related_name="targets"
    )
    amount = models.DecimalField(_("target"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organisation"],
                condition=Q(round__isnull=True),
                name="target_unique_for_period",
            ),
            models.UniqueConstraint(
                fields=["plan", "organisation", "round"],
                condition=Q(round__isnull=False),
                name="target_unique_for_round",
            ),
            models.CheckConstraint(condition=Q(amount__gte=Decimal(0)), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.amount}"

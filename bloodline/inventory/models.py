"""Blood components, where they are kept, and the product codes that name them.

A component's status is derived from the facts recorded on it (released, label checked,
reserved, issued, unsafe, discarded…) by ``status.derive``; the stored ``status`` column is
that derivation, rewritten on every save so stock can be queried by index, and database
constraints tie it to the facts. Nobody types a status in.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bloodline.collection.models import Donation
from bloodline.donors.models import ABO, Donor, RhD
from bloodline.inventory.status import Status, derive
from bloodline.lib.blood_groups import blood_group
from bloodline.lib.locking import Versioned
from bloodline.lib.translated import in_language
from bloodline.organisations.models import Organisation

PRODUCT_CODE_PATTERN = r"^[A-Z][A-Z0-9]{4}$"
DIVISION_PATTERN = r"^(00|[A-Z][a-z0])$"


class ProductCode(models.Model):
    """A product description code (ISBT 128 PDC, five characters) loaded by the deployment,
    mapped to the component type of the rule set it names. ICCBBA's table is licensed, so
    none is shipped: each establishment loads the codes it holds a licence for, or national
    and local codes (first character A–D)."""

    establishment = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="product_codes"
    )
    code = models.CharField(_("product code"), max_length=5)
    component_code = models.CharField(_("component type"), max_length=60)
    description = models.CharField(_("description"), max_length=200)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("product code")
        verbose_name_plural = _("product codes")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "code"], name="product_code_unique"),
            models.CheckConstraint(
                condition=Q(code__regex=PRODUCT_CODE_PATTERN), name="product_code_shape"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class LocationKind(models.TextChoices):
    FRIDGE = "fridge", _("blood refrigerator (2–6 °C)")
    FREEZER = "freezer", _("plasma freezer")
    AGITATOR = "agitator", _("platelet agitator (20–24 °C)")
    ROOM = "room", _("room temperature")
    QUARANTINE = "quarantine", _("quarantine store")


class StorageLocation(models.Model):
    """A fridge, freezer or platelet agitator at an establishment, with the temperature range
    it holds; a component goes only where that range lies within its storage rule."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="storage_locations"
    )
    name = models.CharField(_("name"), max_length=100)
    name_translations = models.JSONField(_("names in other languages"), default=dict, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=LocationKind.choices)
    min_c = models.DecimalField(_("lowest temperature (°C)"), max_digits=5, decimal_places=1)
    max_c = models.DecimalField(_("highest temperature (°C)"), max_digits=5, decimal_places=1)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("storage location")
        verbose_name_plural = _("storage locations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "name"], name="location_name_unique"),
            models.CheckConstraint(condition=Q(min_c__lte=F("max_c")), name="location_range"),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def audit_label(self) -> str:
        """The name as written: the trail keeps facts, pages word them (decision 0026)."""
        return self.name

    def display_name(self, language: str = "") -> str:
        """The name in the reader's language when one is given, else as written."""
        return in_language(self.name, self.name_translations, language)


class DiscardReason(models.TextChoices):
    EXPIRED = "expired", _("expired")
    TEST_FAILED = "test_failed", _("failed a mandatory test")
    LOOKBACK = "lookback", _("look-back after a donor's confirmed-positive result")
    BAG_DAMAGED = "bag_damaged", _("bag damaged or leaking")
    COLD_CHAIN = "cold_chain", _("cold chain broken")
    QC_FAILURE = "qc_failure", _("failed quality control")
    VOLUME = "volume", _("volume out of range")
    CLOTS_HAEMOLYSIS = "clots_haemolysis", _("clots, haemolysis or lipaemia")
    OTHER = "other", _("other")


class UnsafeReason(models.TextChoices):
    TEST_FAILED = "test_failed", _("failed a mandatory test")
    LOOKBACK = "lookback", _("look-back after a donor's confirmed-positive result")
    RECALL = "recall", _("recalled")


class HoldOutcome(models.TextChoices):
    LIFTED = "lifted", _("lifted after a negative confirmatory result")
    CONFIRMED = "confirmed", _("confirmed positive: the units were made unsafe")


class LookbackHold(models.Model):
    """A reversible look-back hold on a donor's units, placed when a screening test of a
    mandatory infection marker is repeatedly reactive (safety.md §3 "on a reactive or
    confirmed result"; R8). While it is open, the in-date components it names are held
    (status "look-back hold": not released, labelled, allocated or issued) and no unit of
    the donor is released. It closes once: lifted after a negative confirmatory result by
    someone other than the person who entered that result, or confirmed, when the units
    become unsafe. A closed hold never changes (database triggers, migration 0003)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="lookback_holds")
    establishment = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    test = models.CharField(_("test"), max_length=60)
    # The public id of the repeat-reactive result that placed the hold.
    evidence = models.CharField(max_length=60)
    placed_at = models.DateTimeField(_("placed at"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=HoldOutcome.choices, blank=True)
    # The confirmatory result that closed it (public id) and the person who entered it.
    closing_evidence = models.CharField(max_length=60, blank=True)
    confirmatory_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("look-back hold")
        verbose_name_plural = _("look-back holds")
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["donor", "test"],
                condition=Q(closed_at__isnull=True),
                name="lookback_hold_one_open",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, closed_by__isnull=True, outcome="")
                | (Q(closed_at__isnull=False, closed_by__isnull=False) & ~Q(outcome="")),
                name="lookback_hold_closed_paired",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=HoldOutcome.LIFTED)
                | (
                    Q(confirmatory_by__isnull=False)
                    & ~Q(closing_evidence="")
                    & ~Q(closed_by=F("confirmatory_by"))
                ),
                name="lookback_hold_lifted_by_another",
                violation_error_message=_(
                    "The person who entered the confirmatory result cannot lift the hold."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor} {self.test}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Component(Versioned):
    """A blood component made from one donation: red cells, plasma, platelets… Identified by
    the donation's DIN, the product code and the division (``00`` when undivided).

    It starts quarantined. The laboratory releases it when the release gate passes (every
    mandatory test final and acceptable, ABO/RhD confirmed, unexpired, donor not deferred);
    the blood-group label is printed and scanned back; then it is available stock. Expiry
    is an instant in UTC computed from the collection instant and the rule set's shelf life.
    ``unsafe_at`` and ``discarded_at`` are never cleared. ``version`` guards concurrent edits.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="components")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    establishment = models.ForeignKey(
        Organisation,
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        related_name="components",
    )
    product_code = models.CharField(_("product code"), max_length=5)
    component_code = models.CharField(_("component type"), max_length=60)
    component_kind = models.CharField(_("component class"), max_length=20)
    division = models.CharField(_("division"), max_length=2, default="00")
    volume_ml = models.PositiveIntegerField(_("volume (mL)"))
    rule_set = models.CharField(_("rule set"), max_length=60)
    collected_at = models.DateTimeField(_("collected at"))
    expires_at = models.DateTimeField(_("expires at"))
    abo = models.CharField(_("ABO group"), max_length=2, choices=ABO.choices, blank=True)
    rhd = models.CharField(_("RhD"), max_length=3, choices=RhD.choices, blank=True)
    location = models.ForeignKey(
        StorageLocation,
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="components",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Facts, each set once by an action; the status is derived from them.
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    label_printed_at = models.DateTimeField(_("label printed at"), null=True, blank=True)
    stocked_at = models.DateTimeField(_("label checked at"), null=True, blank=True)
    stocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reserved_at = models.DateTimeField(_("reserved at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_to = models.ForeignKey(
        Organisation,
        verbose_name=_("issued to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    transfused_at = models.DateTimeField(_("transfused at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed further at"), null=True, blank=True)
    unsafe_at = models.DateTimeField(_("found unsafe at"), null=True, blank=True)
    unsafe_reason = models.CharField(
        _("why unsafe"), max_length=20, choices=UnsafeReason.choices, blank=True
    )
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discard_reason = models.CharField(
        _("discard reason"), max_length=20, choices=DiscardReason.choices, blank=True
    )
    # The open look-back hold keeping the unit back; cleared when the hold closes.
    lookback_hold = models.ForeignKey(
        LookbackHold,
        verbose_name=_("look-back hold"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="components",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, editable=False)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["expires_at", "pk"]
        indexes = [
            # Stock and allocation: available units of a type and group, soonest expiry first.
            models.Index(
                fields=["establishment", "status", "component_kind", "abo", "rhd", "expires_at"],
                name="component_stock_idx",
            ),
            models.Index(fields=["status", "expires_at"], name="component_expiry_idx"),
            # Issues per establishment over the days-of-supply window (inventory/supply.py).
            models.Index(
                fields=["establishment", "issued_at"],
                name="component_issued_idx",
                condition=Q(issued_at__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["donation", "product_code", "division"], name="component_identity"
            ),
            models.CheckConstraint(
                condition=Q(product_code__regex=PRODUCT_CODE_PATTERN),
                name="component_product_code_shape",
            ),
            models.CheckConstraint(
                condition=Q(division__regex=DIVISION_PATTERN), name="component_division_shape"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("collected_at")), name="component_expiry_after"
            ),
            models.CheckConstraint(condition=Q(volume_ml__gt=0), name="component_volume"),
            models.CheckConstraint(
                condition=Q(abo__in=["", *ABO.values]) & Q(rhd__in=["", *RhD.values]),
                name="component_group_values",
            ),
            # Paired facts: set together or not at all.
            models.CheckConstraint(
                condition=Q(released_at__isnull=True, released_by__isnull=True)
                | (
                    Q(released_at__isnull=False, released_by__isnull=False)
                    & ~Q(abo="")
                    & ~Q(rhd="")
                    & Q(released_at__lt=F("expires_at"))
                ),
                name="component_release_complete",
                violation_error_message=_(
                    "A release needs the releasing person, the confirmed group and an "
                    "unexpired unit."
                ),
            ),
            models.CheckConstraint(
                condition=Q(stocked_at__isnull=True, stocked_by__isnull=True)
                | Q(stocked_at__isnull=False, stocked_by__isnull=False, released_at__isnull=False),
                name="component_stock_after_release",
            ),
            models.CheckConstraint(
                condition=Q(label_printed_at__isnull=True) | Q(released_at__isnull=False),
                name="component_label_after_release",
            ),
            models.CheckConstraint(
                condition=Q(unsafe_at__isnull=True, unsafe_reason="")
                | (Q(unsafe_at__isnull=False) & ~Q(unsafe_reason="")),
                name="component_unsafe_paired",
            ),
            models.CheckConstraint(
                condition=Q(discarded_at__isnull=True, discard_reason="")
                | (Q(discarded_at__isnull=False) & ~Q(discard_reason="")),
                name="component_discard_paired",
            ),
            models.CheckConstraint(
                condition=Q(issued_at__isnull=True, issued_to__isnull=True)
                | Q(issued_at__isnull=False, issued_to__isnull=False, stocked_at__isnull=False),
                name="component_issue_complete",
            ),
            models.CheckConstraint(
                condition=Q(transfused_at__isnull=True) | Q(issued_at__isnull=False),
                name="component_transfused_after_issue",
            ),
            # The stored status agrees with the facts (status.derive is the one definition).
            models.CheckConstraint(
                condition=~Q(status__in=[Status.AVAILABLE, Status.RESERVED])
                | Q(
                    stocked_at__isnull=False,
                    unsafe_at__isnull=True,
                    discarded_at__isnull=True,
                    issued_at__isnull=True,
                    processed_at__isnull=True,
                ),
                name="component_stock_status_facts",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RESERVED) | Q(reserved_at__isnull=False),
                name="component_reserved_status_facts",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.ISSUED) | Q(issued_at__isnull=False),
                name="component_issued_status_facts",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.QUARANTINED) | Q(released_at__isnull=True),
                name="component_quarantine_status_facts",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.UNSAFE) | Q(unsafe_at__isnull=False),
                name="component_unsafe_status_facts",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.DISCARDED) | Q(discarded_at__isnull=False),
                name="component_discarded_status_facts",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="component_status_values"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.HELD) | Q(lookback_hold__isnull=False),
                name="component_held_status_facts",
            ),
            models.CheckConstraint(
                condition=~Q(
                    status__in=[
                        Status.QUARANTINED,
                        Status.RELEASED,
                        Status.AVAILABLE,
                        Status.RESERVED,
                    ]
                )
                | Q(lookback_hold__isnull=True),
                name="component_hold_blocks_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donation.din} {self.product_code} {self.division}"

    def save(self, *args: object, **kwargs: object) -> None:
        # The status is never typed in: it is re-derived from the facts on every save.
        self.status = derive(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "status"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def group(self) -> str:
        """The group as written on a bag (A−, O+), or "" before the lab has determined it."""
        return blood_group(self.abo, self.rhd)

    def current_status(self) -> Status:
        """The status now, including expiry that the sweep has not recorded yet."""
        return derive(self)


class ProcessingKind(models.TextChoices):
    OPEN = "open", _("system opened")
    THAW = "thaw", _("thawed")
    WASH = "wash", _("washed")
    IRRADIATE = "irradiate", _("irradiated")


class ProcessingEvent(models.Model):
    """Something done to a unit that shortens its life: its closed system opened, thawed,
    washed or irradiated (components.md §4). Records who and when, the expiry before and the
    expiry that resulted — the earlier of the old one and the event plus the rule's period —
    and which rule set, period and sources decided it. Each kind happens once to a unit.
    Never changed nor deleted; the unit's ``expires_at`` is never later than any event's."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, related_name="processing_events"
    )
    kind = models.CharField(_("processing"), max_length=12, choices=ProcessingKind.choices)
    at = models.DateTimeField(_("done at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_before = models.DateTimeField(_("expiry before"))
    expires_at = models.DateTimeField(_("expiry after"))
    # The rule applied: rule set, period in its own unit, source ids, verified flag.
    rule_set = models.CharField(_("rule set"), max_length=60)
    period_value = models.PositiveIntegerField()
    period_unit = models.CharField(max_length=8)
    sources = models.JSONField(default=list)
    verified = models.BooleanField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("processing event")
        verbose_name_plural = _("processing events")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["component", "kind"], name="processing_once_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=ProcessingKind.values), name="processing_kind_values"
            ),
            # min(old expiry, event + period): never later than before, always after the event.
            models.CheckConstraint(
                condition=Q(expires_at__lte=F("expires_before")) & Q(expires_at__gt=F("at")),
                name="processing_shortens_expiry",
            ),
            models.CheckConstraint(condition=Q(period_value__gt=0), name="processing_period"),
        ]

    def __str__(self) -> str:
        return f"{self.component} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"


class Transfer(models.Model):
    """A document moving released stock from one establishment to another: sent by one,
    received by the other; the components change holder only on receipt."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("transfer number"), max_length=30, unique=True)
    source = models.ForeignKey(
        Organisation,
        verbose_name=pgettext_lazy("transfer", "from"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination = models.ForeignKey(
        Organisation,
        verbose_name=pgettext_lazy("transfer", "to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    components = models.ManyToManyField(Component, related_name="transfers")
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("destination")), name="transfer_between_two"
            ),
            models.CheckConstraint(
                condition=Q(received_at__isnull=True, received_by__isnull=True)
                | Q(received_at__isnull=False, received_by__isnull=False),
                name="transfer_receipt_paired",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class StockThreshold(models.Model):
    """How many days of supply an establishment wants on the shelf for a component class
    and group: below ``minimum_days`` the stock page shows a shortage, below
    ``critical_days`` an emergency. ``daily_use`` is the expected issues per day."""

    establishment = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="stock_thresholds"
    )
    component_kind = models.CharField(_("component class"), max_length=20)
    abo = models.CharField(_("ABO group"), max_length=2, choices=ABO.choices)
    rhd = models.CharField(_("RhD"), max_length=3, choices=RhD.choices)
    daily_use = models.DecimalField(_("units used per day"), max_digits=7, decimal_places=2)
    minimum_days = models.DecimalField(_("minimum days of supply"), max_digits=5, decimal_places=1)
    critical_days = models.DecimalField(
        _("critical days of supply"), max_digits=5, decimal_places=1
    )

    class Meta:
        verbose_name = _("stock threshold")
        verbose_name_plural = _("stock thresholds")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "component_kind", "abo", "rhd"],
                name="stock_threshold_unique",
            ),
            models.CheckConstraint(
                condition=Q(daily_use__gt=0)
                & Q(critical_days__gte=0)
                & Q(minimum_days__gte=F("critical_days")),
                name="stock_threshold_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component_kind} {self.abo}{self.rhd}"

    def audit_id(self) -> str:
        """A threshold is known by its establishment, class and group (decision 0028)."""
        return f"{self.establishment.uuid}:{self.component_kind}:{self.abo}:{self.rhd}"


class SupplyLevel(models.TextChoices):
    """The shortage phases of supply.md §1 (NHSBT's names, U30)."""

    GREEN = "green", pgettext_lazy("supply level", "Green")
    PRE_AMBER = "pre_amber", pgettext_lazy("supply level", "Pre-amber")
    AMBER = "amber", pgettext_lazy("supply level", "Amber")
    RED = "red", pgettext_lazy("supply level", "Red")


class SupplyCause(models.TextChoices):
    COMPUTED = "computed", _("days of supply crossed a level")
    OVERRIDE = "override", _("set by a person")
    OVERRIDE_ENDED = "override_ended", _("a person's setting ended")


class SupplyLevelChange(models.Model):
    """A change of the supply level of one component class and group at an establishment, with
    the figures that caused it: computed by the supply check (``inventory/supply.py``) or set
    by a person with a reason until a time. The newest row per class and group is the level in
    force. Never edited."""

    establishment = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="supply_changes"
    )
    component_kind = models.CharField(_("component class"), max_length=20)
    abo = models.CharField(_("ABO group"), max_length=2, choices=ABO.choices)
    rhd = models.CharField(_("RhD"), max_length=3, choices=RhD.choices)
    level = models.CharField(_("level"), max_length=10, choices=SupplyLevel.choices)
    at = models.DateTimeField(_("since"))
    cause = models.CharField(_("cause"), max_length=20, choices=SupplyCause.choices)
    # The figures at the change: units available, units issued in the window, its length,
    # and the days of supply they give (empty when nothing was issued in the window).
    available = models.PositiveIntegerField(_("available"))
    issued = models.PositiveIntegerField(_("issued in the window"))
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    days = models.DecimalField(
        _("days of supply"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    until = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("supply level change")
        verbose_name_plural = _("supply level changes")
        indexes = [
            models.Index(
                fields=["establishment", "component_kind", "abo", "rhd", "-at", "-id"],
                name="supply_change_latest_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(cause="override") | (Q(by__isnull=False) & ~Q(reason="")),
                name="supply_override_by_someone_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(cause="override"),
                name="supply_until_only_for_overrides",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component_kind} {blood_group(self.abo, self.rhd)}: {self.level}"

    def audit_id(self) -> str:
        return f"{self.establishment.uuid}:{self.component_kind}:{self.abo}:{self.rhd}:{self.pk}"


class SupplyShown(models.TextChoices):
    """What the public supply page shows of an establishment (issue 15 §2)."""

    LEVELS = "levels", _("levels only")
    COUNTS = "counts", _("levels and units available")
    NOTHING = "nothing", _("nothing: not on the public page")


class SupplyPublication(models.Model):
    """An establishment's choice of what the public supply page shows of it. Without a row it
    shows levels only: the public learns whether to come, not how many bags are on a shelf."""

    establishment = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="supply_publication"
    )
    shows = models.CharField(_("shows"), max_length=10, choices=SupplyShown.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = _("public supply setting")
        verbose_name_plural = _("public supply settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(shows__in=["levels", "counts", "nothing"]),
                name="supply_publication_known_choice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.establishment_id}: {self.shows}"

    def audit_id(self) -> str:
        return str(self.establishment.uuid)


class UnsafeDonation(models.Model):
    """A donation whose every component is unsafe: a mandatory test failed, or a look-back
    reached it. Components made from it later start unsafe too. Never removed."""

    donation = models.OneToOneField(Donation, on_delete=models.PROTECT, related_name="unsafe")
    reason = models.CharField(_("why unsafe"), max_length=20, choices=UnsafeReason.choices)
    found_at = models.DateTimeField(_("found unsafe at"))
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The test result that made it unsafe (its public id), for the trace.
    evidence = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = _("unsafe donation")
        verbose_name_plural = _("unsafe donations")

    def __str__(self) -> str:
        return f"{self.donation}: {self.reason}"

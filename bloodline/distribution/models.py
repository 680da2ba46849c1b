"""Hospital orders, the units allocated to them, shipments and what became of each unit.

A unit can be allocated to one order line at a time and be in one live shipment at a time:
partial unique constraints make a double allocation or a double issue impossible even for
a writer that bypasses the actions. Orders carry a version for optimistic locking.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bloodline.distribution.compatibility import Recipient
from bloodline.donors.models import ABO, RhD
from bloodline.inventory.models import Component
from bloodline.lib.locking import Versioned
from bloodline.organisations.models import Organisation


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("routine")
    URGENT = "urgent", _("urgent")
    EMERGENCY = "emergency", _("emergency")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("placed")
    DISPATCHED = "dispatched", _("dispatched")
    RECEIVED = "received", _("received")
    CANCELLED = "cancelled", pgettext_lazy("order status", "cancelled")


class Side(models.TextChoices):
    """Who works on an order: the hospital that placed it, or its supplier's issue desk."""

    HOSPITAL = "hospital", _("hospital")
    DESK = "desk", _("issue desk")


class OrderStep(models.TextChoices):
    """Everything that can be done to an order, as its actions in ``distribution.actions``."""

    SIGN_RELEASE = "sign_release", _("sign an emergency release")
    ALLOCATE = "allocate", _("allocate units")
    UNALLOCATE = "unallocate", _("cancel an allocation")
    PICK = "pick", _("scan a unit into the shipment")
    DISPATCH = "dispatch", _("dispatch")
    RECEIVE = "receive", _("confirm receipt")
    REPORT_OUTCOME = "report_outcome", _("report what became of a unit")
    CANCEL = "cancel", _("cancel the order")


@dataclass(frozen=True)
class Step:
    """One row of the order state table: the status the order must be in, the status it is in
    afterwards (the same for work within a status), which sides may take the step, and what
    the person is told when the order is in another status."""

    source: str
    target: str
    sides: frozenset[str]
    refusal: Promise


_HOSPITAL, _DESK = frozenset({Side.HOSPITAL}), frozenset({Side.DESK})
# The order state table: the one place that says what may happen to an order in which status
# and who may do it. Actions refuse anything else with the row's reason; the order page shows
# a button only for a step the table allows the reader; a database trigger (migration 0005)
# refuses any other status change from any writer.
ORDER_STEPS: dict[str, Step] = {
    OrderStep.SIGN_RELEASE: Step(
        OrderStatus.PLACED,
        OrderStatus.PLACED,
        _HOSPITAL,
        _("Only an order not yet dispatched can be changed."),
    ),
    OrderStep.ALLOCATE: Step(
        OrderStatus.PLACED,
        OrderStatus.PLACED,
        _DESK,
        _("Only a placed order can be allocated."),
    ),
    OrderStep.UNALLOCATE: Step(
        OrderStatus.PLACED,
        OrderStatus.PLACED,
        _DESK,
        _("This allocation cannot be cancelled now."),
    ),
    OrderStep.PICK: Step(
        OrderStatus.PLACED,
        OrderStatus.PLACED,
        _DESK,
        _("This order is not waiting to be packed."),
    ),
    OrderStep.DISPATCH: Step(
        OrderStatus.PLACED,
        OrderStatus.DISPATCHED,
        _DESK,
        _("Only a placed order can be dispatched."),
    ),
    OrderStep.RECEIVE: Step(
        OrderStatus.DISPATCHED,
        OrderStatus.RECEIVED,
        _HOSPITAL,
        _("This order has not been dispatched."),
    ),
    OrderStep.REPORT_OUTCOME: Step(
        OrderStatus.RECEIVED,
        OrderStatus.RECEIVED,
        _HOSPITAL,
        _("Confirm the receipt of the shipment first."),
    ),
    OrderStep.CANCEL: Step(
        OrderStatus.PLACED,
        OrderStatus.CANCELLED,
        _HOSPITAL | _DESK,
        _("Only an order not yet dispatched can be cancelled."),
    ),
}
# Status changes the table allows, derived from it (read by can_become and the trigger's test).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(
        step.target
        for step in ORDER_STEPS.values()
        if step.source == status and step.target != status
    )
    for status in OrderStatus.values
}


class Order(Versioned):
    """A hospital's request to a blood establishment for components, each line a product
    type, the recipient's group and a quantity, with the urgency and when it is needed."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("order number"), max_length=30, unique=True)
    hospital = models.ForeignKey(
        Organisation, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="orders"
    )
    supplier = models.ForeignKey(
        Organisation,
        verbose_name=_("blood establishment"),
        on_delete=models.PROTECT,
        related_name="supplied_orders",
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    needed_by = models.DateTimeField(_("needed by"))
    note = models.TextField(_("note"), blank=True)
    placed_at = models.DateTimeField(_("placed at"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        indexes = [models.Index(fields=["supplier", "status"], name="order_supplier_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(hospital=F("supplier")), name="order_not_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="order_cancel_paired",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def can_become(self, status: str) -> bool:
        return status in ORDER_TRANSITIONS.get(self.status, frozenset())

    def why_not_become(self, status: str) -> str:
        """Why the order cannot become ``status``, in the reader's language ("" if it can)."""
        if self.can_become(status):
            return ""
        return _("An order that is %(current)s cannot become %(wanted)s.") % {
            "current": self.get_status_display(),
            "wanted": OrderStatus(status).label if status in OrderStatus.values else status,
        }

    def allows(self, step: str, sides: Iterable[str] | None = None) -> bool:
        """Whether ``step`` may be taken now; with ``sides``, by someone on one of them."""
        rule = ORDER_STEPS[step]
        return self.status == rule.source and (sides is None or not rule.sides.isdisjoint(sides))

    def refusal(self, step: str) -> str:
        """Why ``step`` cannot be taken in the order's status, translated ("" if it can)."""
        return "" if self.allows(step) else str(ORDER_STEPS[step].refusal)

    def side_organisation(self, side: str) -> Organisation:
        """The organisation whose people act for ``side``."""
        return self.hospital if side == Side.HOSPITAL else self.supplier


class RecipientSex(models.TextChoices):
    FEMALE = "F", pgettext_lazy("recipient sex", "female")
    MALE = "M", pgettext_lazy("recipient sex", "male")


# A data-entry bound, not a clinical limit: no recipient is older (decision 0017).
MAX_RECIPIENT_AGE = 130


class OrderLine(models.Model):
    """One product of an order: the component type, the recipient's ABO/RhD (empty when
    unknown, in an emergency), how many units, and what the hospital knows of the recipient
    that decides whether RhD-positive units may reach an RhD-negative one (components.md §5.4):
    sex, age in completed years, child-bearing potential as declared, known anti-D, chronic
    transfusion. A fact left empty counts as the strictest case (decision 0017)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    component_code = models.CharField(_("product"), max_length=60)
    component_kind = models.CharField(max_length=20)
    abo = models.CharField(_("recipient ABO group"), max_length=2, choices=ABO.choices, blank=True)
    rhd = models.CharField(_("recipient RhD"), max_length=3, choices=RhD.choices, blank=True)
    quantity = models.PositiveSmallIntegerField(_("units"))
    # RhD-positive red cells for an RhD-negative male over 18 or female over 50 (S63).
    allow_rhd_shortage = models.BooleanField(
        _("RhD-positive acceptable in shortage"), default=False
    )
    recipient_sex = models.CharField(
        _("recipient's sex"), max_length=1, choices=RecipientSex.choices, blank=True
    )
    recipient_age = models.PositiveSmallIntegerField(
        _("recipient's age (completed years)"), null=True, blank=True
    )
    # The hospital's declaration; None leaves it to sex and age (rule data, S63).
    childbearing_potential = models.BooleanField(
        _("of child-bearing potential"), null=True, blank=True
    )
    anti_d = models.BooleanField(_("known anti-D"), default=False)
    chronically_transfused = models.BooleanField(_("chronically transfused"), default=False)
    # RhD-positive platelets for an RhD-negative recipient who may bear children (S65).
    anti_d_prophylaxis = models.BooleanField(_("anti-D prophylaxis will be given"), default=False)
    # RhD-positive red cells for a protected RhD-negative recipient: only this, signed.
    emergency_clinician = models.CharField(
        _("ordering clinician (emergency release)"), max_length=200, blank=True
    )
    emergency_reason = models.TextField(_("reason for the emergency release"), blank=True)
    emergency_signed_at = models.DateTimeField(
        _("emergency release signed at"), null=True, blank=True
    )
    emergency_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=100), name="order_line_quantity"
            ),
            models.CheckConstraint(
                condition=Q(recipient_age__isnull=True)
                | Q(recipient_age__gte=0, recipient_age__lte=MAX_RECIPIENT_AGE),
                name="order_line_recipient_age",
            ),
            models.CheckConstraint(
                condition=~Q(childbearing_potential=True) | ~Q(recipient_sex="M"),
                name="order_line_childbearing_not_male",
            ),
            # A release is a clinician's name, a reason, who recorded it and when: all or none.
            models.CheckConstraint(
                condition=Q(
                    emergency_clinician="",
                    emergency_reason="",
                    emergency_signed_at__isnull=True,
                    emergency_signed_by__isnull=True,
                )
                | (
                    ~Q(emergency_clinician="")
                    & ~Q(emergency_reason="")
                    & Q(emergency_signed_at__isnull=False, emergency_signed_by__isnull=False)
                ),
                name="order_line_emergency_release_paired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.component_code} {self.abo}{self.rhd} × {self.quantity}"

    @property
    def emergency_release(self) -> bool:
        return self.emergency_signed_at is not None

    def recipient(self) -> Recipient:
        return Recipient(
            abo=self.abo,
            rhd=self.rhd,
            sex=self.recipient_sex,
            age_years=self.recipient_age,
            childbearing_potential=self.childbearing_potential,
            anti_d=self.anti_d,
            chronically_transfused=self.chronically_transfused,
        )


class Allocation(models.Model):
    """A unit set aside for an order line. Cancelled allocations stay as history."""

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="allocations")
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="allocations")
    rank = models.PositiveSmallIntegerField(default=0)
    conditions = models.CharField(max_length=80, blank=True)
    allocated_at = models.DateTimeField()
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["component"],
                condition=Q(cancelled_at__isnull=True),
                name="allocation_one_live_per_component",
            )
        ]

    def __str__(self) -> str:
        return f"{self.line} ← {self.component}"


class Shipment(models.Model):
    """What leaves the blood establishment for a hospital: every unit scanned in, the count
    packed declared by the packer and reconciled with the scans at dispatch."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="shipment")
    packed_count = models.PositiveSmallIntegerField(_("units packed"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.CheckConstraint(
                condition=Q(dispatched_at__isnull=True, dispatched_by__isnull=True)
                | Q(dispatched_at__isnull=False, dispatched_by__isnull=False, packed_count__gte=1),
                name="shipment_dispatch_paired",
            ),
            models.CheckConstraint(
                condition=Q(received_at__isnull=True, received_by__isnull=True)
                | Q(
                    received_at__isnull=False,
                    received_by__isnull=False,
                    dispatched_at__isnull=False,
                ),
                name="shipment_receipt_after_dispatch",
            ),
        ]

    def __str__(self) -> str:
        return str(self.order)


class ItemOutcome(models.TextChoices):
    TRANSFUSED = "transfused", _("transfused")
    RETURNED = "returned", _("returned")
    DISCARDED = "discarded", _("discarded at the hospital")


class ShipmentItem(models.Model):
    """One unit scanned into a shipment, and what the hospital reports became of it."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="items")
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="shipped")
    scanned_at = models.DateTimeField(_("scanned at"))
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=ItemOutcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cold_chain_ok = models.BooleanField(_("cold chain kept"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # A unit is in at most one shipment that has not come back: no double issue.
            models.UniqueConstraint(
                fields=["component"],
                condition=~Q(outcome="returned"),
                name="shipment_item_one_live_per_component",
            ),
            models.CheckConstraint(
                condition=Q(outcome="", outcome_at__isnull=True, outcome_by__isnull=True)
                | (~Q(outcome="") & Q(outcome_at__isnull=False, outcome_by__isnull=False)),
                name="shipment_item_outcome_paired",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="returned") | Q(cold_chain_ok__isnull=False),
                name="shipment_item_return_cold_chain",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment} {self.component}"

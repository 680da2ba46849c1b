"""The shapes of the distribution API: orders, their lines and allocated units, shipments.

Units are named by UUID, DIN, product code and division; organisations by UUID and name.
No donor data appears: a unit says which donation it came from, never whose.
"""

# No "from __future__ import annotations": django-ninja reads annotations at run time.

import datetime as dt
from uuid import UUID

from ninja import Field, Schema

from bloodline.distribution import recipients
from bloodline.distribution.models import Allocation, OrderLine, ShipmentItem
from bloodline.lib.api_schemas import Answer, Label, OrganisationRef


class LineIn(Schema):
    component_code: str = Field(max_length=60)
    abo: str = Field(default="", max_length=2, description="Recipient's ABO; empty if unknown")
    rhd: str = Field(default="", max_length=3, description="pos, neg, or empty if unknown")
    quantity: int
    allow_rhd_shortage: bool = False
    recipient_sex: str = Field(default="", max_length=1, description="F, M, or empty if not stated")
    recipient_age: int | None = Field(
        default=None, description="Completed years (0 to 130); null if not stated"
    )
    childbearing_potential: bool | None = Field(
        default=None, description="As the hospital declares it; null leaves it to sex and age"
    )
    anti_d: bool = False
    chronically_transfused: bool = False
    anti_d_prophylaxis: bool = Field(
        default=False,
        description="Anti-D prophylaxis will be given: RhD-positive platelets may then go to an "
        "RhD-negative recipient who may bear children",
    )
    emergency_clinician: str = Field(
        default="",
        max_length=200,
        description="Emergency release of RhD-positive red cells: the ordering clinician",
    )
    emergency_reason: str = Field(default="", max_length=2000)


class OrderIn(Schema):
    hospital: UUID
    supplier: UUID
    urgency: str = Field(max_length=10)
    needed_by: dt.datetime = Field(
        description="ISO 8601; without an offset it is read in the hospital's time zone"
    )
    note: str = Field(default="", max_length=2000)
    lines: list[LineIn]


class VersionIn(Schema):
    version: int


class EmergencyReleaseIn(Schema):
    clinician: str = Field(max_length=200, description="The ordering clinician who signs it")
    reason: str = Field(max_length=2000)
    version: int


class PickIn(Schema):
    din_scan: str = Field(max_length=40)
    product_scan: str = Field(max_length=40)


class DispatchIn(Schema):
    packed_count: int
    version: int


class ReceiveIn(Schema):
    received_count: int


class OutcomeIn(Schema):
    outcome: str = Field(max_length=12)
    cold_chain_ok: bool | None = None
    note: str = Field(default="", max_length=2000)


class UnitOfRow(Answer):
    """The unit of an allocation or a shipment item (``row.component``), named as every
    answer names a unit: UUID, DIN, product code and division, group, expiry."""

    component: UUID = Field(validation_alias="component.uuid")
    din: str = Field(validation_alias="component.donation.din")
    product_code: str = Field(validation_alias="component.product_code")
    division: str = Field(validation_alias="component.division")
    group: str = Field(validation_alias="component.group")
    expires_at: dt.datetime = Field(validation_alias="component.expires_at")


class AllocatedUnitOut(UnitOfRow):
    conditions: str
    allocated_at: dt.datetime


class EmergencyReleaseOut(Schema):
    clinician: str
    reason: str
    signed_at: dt.datetime


class LineOut(Answer):
    component_code: str
    abo: str
    rhd: str
    quantity: int
    allow_rhd_shortage: bool
    recipient_sex: str
    recipient_age: int | None
    childbearing_potential: bool | None
    anti_d: bool
    chronically_transfused: bool
    anti_d_prophylaxis: bool
    emergency_release: EmergencyReleaseOut | None
    restrictions: list[str] = Field(
        description="What the recipient's facts close or open on this line, in words"
    )
    # Prefetched with the live allocations only (see distribution/api.py).
    allocated: list[AllocatedUnitOut] = Field(validation_alias="allocations")

    @staticmethod
    def resolve_emergency_release(obj: OrderLine) -> dict[str, object] | None:
        if obj.emergency_signed_at is None:
            return None
        return {
            "clinician": obj.emergency_clinician,
            "reason": obj.emergency_reason,
            "signed_at": obj.emergency_signed_at,
        }

    @staticmethod
    def resolve_restrictions(obj: OrderLine) -> list[str]:
        return recipients.restrictions(obj, recipients.limits(obj.order.supplier))


class OrderOut(Answer):
    uuid: UUID
    number: str
    hospital: OrganisationRef
    supplier: OrganisationRef
    urgency: str
    needed_by: dt.datetime
    note: str
    placed_at: dt.datetime
    status: str
    status_label: Label = Field(validation_alias="get_status_display")
    cancelled_at: dt.datetime | None
    lines: list[LineOut]
    version: int


class ShipmentItemOut(UnitOfRow):
    component_code: str = Field(validation_alias="component.component_code")
    scanned_at: dt.datetime
    outcome: str
    outcome_at: dt.datetime | None
    cold_chain_ok: bool | None
    note: str
    conditions: str = Field(
        description="Condition codes of the unit's allocation, e.g. anti_d_prophylaxis"
    )

    @staticmethod
    def resolve_conditions(obj: ShipmentItem) -> str:
        annotated = getattr(obj, "allocation_conditions", None)  # see distribution/api.py
        if annotated is not None:
            return str(annotated)
        found = (
            Allocation.objects.filter(line__order=obj.shipment.order_id, component=obj.component_id)
            .order_by("-pk")
            .values_list("conditions", flat=True)
            .first()
        )
        return found or ""


class ShipmentOut(Answer):
    uuid: UUID
    order: UUID = Field(validation_alias="order.uuid")
    order_number: str = Field(validation_alias="order.number")
    packed_count: int | None
    scanned_count: int = Field(validation_alias="items.count")
    dispatched_at: dt.datetime | None
    received_at: dt.datetime | None
    items: list[ShipmentItemOut]
